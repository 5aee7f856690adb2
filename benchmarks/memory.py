"""The bot's memory: resident set size idle, and at its peak during a bulk sync of 1,000 payments with receipts.

The fake Slack and the Xero emulator run in this process; the bot runs in a child process of its own (a started
BotServer, as `xero-expense-bot serve` runs it), so its figures hold the bot alone. Idle is measured a few seconds
after start; the peak (the kernel's high-water mark, VmHWM) while the bot's sync engine sends every payment and
uploads every receipt. Targets: idle < 150 MB, during the bulk sync < 300 MB. Linux only (reads /proc).

    python benchmarks/memory.py [--payments 1000] [--limit 1000] [--latency 0.03] [--database-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MB = 1024 * 1024


def memory_kb(field: str) -> int:
    """VmRSS (now) or VmHWM (peak) of this process, in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def reset_peak() -> None:
    """Start VmHWM again from the current RSS (Linux 4.0+), so the peak is the sync's and not the start's."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{os.getpid()}/clear_refs").write_text("5")


def bot_process(config: dict[str, Any], results: Any) -> None:
    """The bot: started, measured idle, then measured while it syncs the seeded payments."""
    from benchmarks.bulk_sync import seed
    from bot.bootstrap import Deps
    from bot.server import BotServer
    from bot.settings import load_settings
    from storage.crypto import KeyRing
    from storage.db import create_engine, session_factory
    from storage.migrate import upgrade
    from storage.models import Payment, PaymentState, Receipt, ReceiptState, SourceAccount
    from storage.uow import UnitOfWorkFactory

    engine = create_engine(config["database_url"], KeyRing.from_setting(config["key"]))
    upgrade(engine)
    uow = UnitOfWorkFactory(session_factory(engine))
    port = free_port()
    settings = load_settings(
        _env_file=None,
        database_url=config["database_url"],
        encryption_key=config["key"],
        slack_signing_secret="s",
        slack_bot_token=config["bot_token"],
        slack_api_url=config["slack_api_url"],
        xero_client_id=config["client_id"],
        xero_client_secret=config["client_secret"],
        xero_api_url=config["xero_url"],
        xero_identity_url=config["xero_url"],
        xero_login_url=config["xero_url"],
        xero_minute_limit=config["limit"],
        port=port,
        public_url=f"http://127.0.0.1:{port}",
    )
    server = BotServer(settings, Deps(engine=engine, uow=uow), host="127.0.0.1", port=port)
    thread = threading.Thread(target=server.run, name="bot", daemon=True)
    thread.start()
    time.sleep(config["settle"])
    idle_kb = memory_kb("VmRSS")

    server.scheduler.pause()  # the run below is the only sync, as one scheduler tick of the bot would make it
    xero = SimpleNamespace(
        url=config["xero_url"],
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        default_tenant_id=config["tenant_id"],
        add_contact=lambda *_: None,
    )
    tenant = seed(uow, SimpleNamespace(team_id=config["team_id"]), xero, config["payments"])  # type: ignore[arg-type]
    server.services.reference.refresh(tenant, full=True)  # type: ignore[arg-type]
    with uow() as work:
        work.session.query(SourceAccount).one().xero_bank_account_id = config["bank_account_id"]
        work.commit()
    before_kb = memory_kb("VmRSS")
    reset_peak()
    started = time.perf_counter()
    server.services.sync.run()
    wall = time.perf_counter() - started
    peak_kb = memory_kb("VmHWM")
    with uow() as work:
        synced = work.session.query(Payment).filter_by(state=PaymentState.SYNCED).count()
        attached = work.session.query(Receipt).filter_by(state=ReceiptState.ATTACHED).count()
    server.stop()
    thread.join(timeout=10)
    results.put(
        {
            "idle_kb": idle_kb,
            "before_kb": before_kb,
            "peak_kb": peak_kb,
            "synced": synced,
            "attached": attached,
            "wall": wall,
        }
    )


def main() -> None:
    from sandbox.slack import FakeSlack
    from sandbox.xero import XeroEmulator
    from storage.crypto import generate_key

    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=1000, help="the emulator's calls a minute")
    parser.add_argument("--latency", type=float, default=0.03, help="seconds added to every Xero call")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds between start and the idle figure")
    parser.add_argument("--database-url", help="a PostgreSQL URL with a database of its own; SQLite if omitted")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    with (
        tempfile.TemporaryDirectory() as folder,
        FakeSlack() as slack,
        XeroEmulator(minute_limit=args.limit, latency_seconds=args.latency, validate=False) as xero,
    ):
        xero.add_contact(xero.default_tenant_id, "Bench Supplier")
        config = {
            "database_url": args.database_url or f"sqlite:///{folder}/bench.db",
            "key": generate_key(),
            "bot_token": slack.bot_token,
            "slack_api_url": slack.api_url,
            "team_id": slack.team_id,
            "client_id": xero.client_id,
            "client_secret": xero.client_secret,
            "xero_url": xero.url,
            "tenant_id": xero.default_tenant_id,
            "bank_account_id": next(
                str(a["AccountID"]) for a in xero.accounts(xero.default_tenant_id) if a.get("Code") == "090"
            ),
            "limit": args.limit,
            "payments": args.payments,
            "settle": args.settle,
        }
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        child = context.Process(target=bot_process, args=(config, results), name="bot")
        child.start()
        figures = results.get(timeout=1800)
        child.join(timeout=30)
    idle, peak = figures["idle_kb"] / 1024, figures["peak_kb"] / 1024
    print(f"idle RSS (started BotServer, {args.settle:.0f} s after start): {idle:.0f} MB (target < 150 MB)")
    print(f"RSS with {args.payments} payments seeded, before the sync: {figures['before_kb'] / 1024:.0f} MB")
    print(
        f"peak RSS during the bulk sync: {peak:.0f} MB (target < 300 MB); "
        f"{figures['synced']} synced, {figures['attached']} receipts attached in {figures['wall']:.1f} s"
    )
    verdict = "met" if idle < 150 and peak < 300 else "NOT met"
    print(f"targets: {verdict}; load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
