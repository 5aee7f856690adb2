"""The processes `ack_latency.py` starts: the Xero emulator, the bot (with its bulk sync and conversions on
order) and the bare Bolt app. Each runs in a spawned process of its own, so each has its own interpreter."""

from __future__ import annotations

import gc
import logging
import re
import socket
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SIGNING_SECRET = "test-signing-secret"  # tests/e2e/conftest.py's, which the requests are signed with
WEBHOOK_SECRET = "test-webhook-secret"
FINANCE_CHANNEL = "C0FINANCE"


def quiet_logs() -> None:
    """waitress warns of each queued request and the scheduler of each skipped run: expected here, and noise."""
    for name in ("waitress.queue", "apscheduler"):
        logging.getLogger(name).setLevel(logging.ERROR)


def xero_process(limit: int, answers: Any, stop: Any) -> None:
    from sandbox.xero import XeroEmulator

    with XeroEmulator(minute_limit=limit, latency_seconds=0.03, validate=False) as xero:
        xero.add_contact(xero.default_tenant_id, "Bench Supplier")
        answers.put(
            {
                "xero_url": xero.url,
                "client_id": xero.client_id,
                "client_secret": xero.client_secret,
                "limit": limit,
                "bank_account_id": next(
                    str(a["AccountID"]) for a in xero.accounts(xero.default_tenant_id) if a.get("Code") == "090"
                ),
            }
        )
        stop.wait()


def bare_process(bot_token: str, api_url: str, answers: Any) -> None:
    """A Bolt app that only acks, on Flask + waitress like the bot: the floor the bot is measured against."""
    from flask import Flask, request
    from slack_bolt import App
    from slack_bolt.adapter.flask import SlackRequestHandler
    from slack_sdk import WebClient
    from waitress.server import create_server

    quiet_logs()
    app = App(
        signing_secret=SIGNING_SECRET,
        client=WebClient(token=bot_token, base_url=api_url),
        token_verification_enabled=False,
    )
    app.command("/xero")(lambda ack: ack("Here is what /xero can do."))
    app.action(re.compile(".*"))(lambda ack: ack())
    app.view(re.compile(".*"))(lambda ack: ack())
    app.options(re.compile(".*"))(
        lambda ack: ack(options=[{"text": {"type": "plain_text", "text": "x"}, "value": "x"}])
    )
    flask = Flask("bare")
    handler = SlackRequestHandler(app)
    flask.add_url_rule("/slack/events", "events", lambda: handler.handle(request), methods=["POST"])
    server = create_server(flask, host="127.0.0.1", port=0, threads=8)
    answers.put(f"http://127.0.0.1:{server.effective_port}")  # type: ignore[union-attr]
    server.run()


def bot_process(config: dict[str, Any], orders: Any, answers: Any) -> None:
    """The bot as `serve` runs it; on order, a bulk sync and photo conversions run in its process meanwhile."""
    from bot.bootstrap import Deps
    from bot.server import BotServer
    from bot.settings import load_settings
    from storage.crypto import KeyRing, generate_key
    from storage.db import create_engine, session_factory
    from storage.migrate import upgrade
    from storage.uow import UnitOfWorkFactory

    key = generate_key()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    engine = create_engine(config["database_url"], KeyRing.from_setting(key))
    upgrade(engine)
    uow = UnitOfWorkFactory(session_factory(engine))
    settings = load_settings(
        _env_file=None,
        database_url=config["database_url"],
        encryption_key=key,
        slack_signing_secret=SIGNING_SECRET,
        slack_bot_token=config["bot_token"],
        slack_api_url=config["slack_api_url"],
        xero_client_id=config["client_id"],
        xero_client_secret=config["client_secret"],
        xero_api_url=config["xero_url"],
        xero_identity_url=config["xero_url"],
        xero_login_url=config["xero_url"],
        xero_minute_limit=config["limit"],
        finance_channel=FINANCE_CHANNEL,
        payments_webhook_secret=WEBHOOK_SECRET,
        port=port,
        public_url=f"http://127.0.0.1:{port}",
    )
    server = BotServer(settings, Deps(engine=engine, uow=uow), host="127.0.0.1", port=port)
    server.services.posting.interval_seconds = 0
    quiet_logs()
    thread = threading.Thread(target=server.run, name="bot", daemon=True)
    thread.start()
    answers.put(f"http://127.0.0.1:{server.port}")
    load: Load | None = None
    while True:
        order = orders.get()
        if order[0] == "load":
            load = Load(server, uow, config["bank_account_id"])
            answers.put(load.start(*order[1:]))
        elif order[0] == "status":
            answers.put(load.status() if load else "no load")
        else:
            break
    if load is not None:
        load.stop()
    server.stop()
    thread.join(timeout=60)


class Load:
    """A bulk sync of approved payments with receipts, and photos converting on the receipt worker."""

    def __init__(self, server: Any, uow: Any, bank_account_id: str) -> None:
        self._server = server
        self._uow = uow
        self._bank_account_id = bank_account_id
        self._stopping = threading.Event()
        self.converted = 0
        self._sync_seconds: float | None = None

    def start(self, payments: int, photos: int, megapixels: float) -> str:
        self._seed(payments)
        # The seed is setup, not load: 1,000 payments with receipts built in one unit of work leave ~28,000 objects
        # of cyclic garbage (a payment and its receipts refer to each other), kept by the collections meanwhile.
        # Left for the bot, they doubled the first middle-generation collection under load (90 ms of CPU, 47,000
        # objects freed). Payments reach a bot a webhook, an import or a sync at a time, each leaving its own.
        gc.collect()
        self._photos = _photos(photos, megapixels)
        self._slots = threading.Semaphore(photos)
        threading.Thread(target=self._sync, name="bench-bulk-sync", daemon=True).start()
        threading.Thread(target=self._convert, name="bench-conversions", daemon=True).start()
        return f"load started: {payments} approved payments with receipts syncing, {photos} photos converting"

    def status(self) -> str:
        from storage.models import Payment, PaymentState, Receipt, ReceiptState

        with self._uow() as work:
            synced = work.session.query(Payment).filter_by(state=PaymentState.SYNCED).count()
            attached = work.session.query(Receipt).filter_by(state=ReceiptState.ATTACHED).count()
        sync = "still running" if self._sync_seconds is None else f"finished in {self._sync_seconds:.0f} s"
        return (
            f"{synced} payments synced, {attached} receipts attached (sync {sync}); {self.converted} photos converted"
        )

    def stop(self) -> None:
        self._stopping.set()

    def _sync(self) -> None:
        started = time.monotonic()
        self._server.services.sync.run()
        self._sync_seconds = time.monotonic() - started

    def _convert(self) -> None:
        from bot.receipts.files import check_receipt

        while not self._stopping.is_set():
            for content in self._photos:
                self._slots.acquire()

                def job(content: bytes = content) -> None:
                    try:
                        check_receipt(content, "photo.png", max_bytes=1024 * 1024)
                        self.converted += 1
                    finally:
                        self._slots.release()

                if not self._server.services.receipts.workers.offer(job):
                    self._slots.release()
                    time.sleep(0.1)

    def _seed(self, count: int) -> None:
        from benchmarks import seeding
        from storage.models import SourceAccount

        now = datetime.now(UTC)
        with self._uow() as work:
            source = work.session.query(SourceAccount).filter_by(currency="GBP").one()
            source.xero_bank_account_id = self._bank_account_id
            for n in range(count):
                pending = seeding.coded_payment(source.workspace_id, source.id, n)
                # Approved by a person, as a bulk sync's payments are: approved by no one they would be taken for
                # payments a rule approved on arrival, and each posted to the channel as a new card meanwhile.
                payment = seeding.approved_with_receipt(pending, n, now, by="UFINANCE")
                work.session.add(payment)
            work.commit()


def _photos(count: int, megapixels: float) -> list[bytes]:
    from benchmarks.receipt_memory import photos

    return photos(count, megapixels)
