"""Killing the bot in the middle of a sync and starting it again gives one transaction per payment, settled
within a lease; a sync that is alive keeps its claim however long Xero takes."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import Deps
from bot.server import BotServer
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import PaymentState
from storage.uow import UnitOfWorkFactory
from tests.e2e.cli_support import SCRIPT, free_port
from tests.e2e.conftest import ADMIN, FINANCE, FINANCE_CHANNEL, SIGNING_SECRET, WEBHOOK_SECRET, RunningBot, eventually
from tests.e2e.conftest import running_bot as running_bot_with
from tests.e2e.test_sync import approve, post_coded, ready, spends, stored  # noqa: F401 - the fixture
from tests.e2e.test_sync_markers import code_and_approve, own_transaction, post_many
from tests.e2e.xero_flow import connect

LEASE_SECONDS = 3


def serve(bot: RunningBot, slack: FakeSlack, xero: XeroEmulator, clean_env: dict[str, str], cwd: Path) -> Any:
    settings = bot.settings
    assert settings.encryption_key is not None
    env = clean_env | {
        "DATABASE_URL": settings.database_url,
        "ENCRYPTION_KEY": settings.encryption_key.get_secret_value(),
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_API_URL": slack.api_url,
        "XERO_CLIENT_ID": xero.client_id,
        "XERO_CLIENT_SECRET": xero.client_secret,
        "XERO_API_URL": xero.url,
        "XERO_IDENTITY_URL": xero.url,
        "XERO_LOGIN_URL": xero.url,
        "FINANCE_CHANNEL": "C0FINANCE",
        "PAYMENTS_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "SYNC_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    port = free_port()
    return subprocess.Popen([SCRIPT, "serve", "--port", str(port)], env=env, cwd=cwd, stderr=subprocess.PIPE, text=True)


def test_payment_1_killed_mid_sync_leaves_syncing_within_a_lease_with_its_own_transaction_not_12s(
    ready: RunningBot,  # noqa: F811
    slack: FakeSlack,
    xero: XeroEmulator,
    clean_env: dict[str, str],
    tmp_path: Path,
) -> None:
    posted = post_many(ready, slack, xero, 12)  # all with the reference "Transfer"
    code_and_approve(ready, slack, posted[12], "pay_12")
    ready.server.run_job("sync_payments")  # payment 12 is in Xero, and so is its contact
    code_and_approve(ready, slack, posted[1], "pay_1")
    ready.server.stop()
    xero.inject_fault(method="PUT", path_prefix="/api.xro/2.0/BankTransactions", kind="latency", seconds=4, count=1)

    first = serve(ready, slack, xero, clean_env, tmp_path)
    try:
        eventually(lambda: stored(ready, "pay_1").state is PaymentState.SYNCING, 30)
        eventually(lambda: xero.in_flight() > 0, 30)
        first.send_signal(signal.SIGKILL)  # Xero will commit payment 1's transaction; the bot never hears back
    finally:
        first.wait(timeout=10)
    eventually(lambda: len(spends(xero)) == 2, 30)
    assert "Syncing" in FakeSlack.rendered_text(slack.message(FINANCE_CHANNEL, posted[1]["ts"]))

    restarted_at = time.monotonic()
    second = serve(ready, slack, xero, clean_env, tmp_path)
    try:
        shown = eventually(lambda: "Synced" in card_text(slack, posted[1]["ts"]), 60)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    assert shown and time.monotonic() - restarted_at < 60
    row, twelfth = stored(ready, "pay_1"), stored(ready, "pay_12")
    assert row.state is PaymentState.SYNCED and len(spends(xero)) == 2
    assert row.xero_bank_transaction_id == own_transaction(xero, row)["BankTransactionID"]
    assert twelfth.xero_bank_transaction_id == own_transaction(xero, twelfth)["BankTransactionID"]
    assert "Syncing" not in card_text(slack, posted[1]["ts"])


def card_text(slack: FakeSlack, ts: str) -> str:
    return FakeSlack.rendered_text(slack.message(FINANCE_CHANNEL, ts))


def test_a_sync_slower_than_the_lease_keeps_its_claim_and_another_instance_leaves_it_alone(
    slack: FakeSlack,
    xero: XeroEmulator,
    database_url: str,
    encryption_key: str,
    engine: Any,
    uow: UnitOfWorkFactory,
) -> None:
    with running_bot_with(slack, xero, database_url, encryption_key, engine, uow, sync_lease_seconds=1) as bot:
        connect(bot, slack)
        bot.sender.slash_command(f"role <@{FINANCE}|x> finance", ADMIN, FINANCE_CHANNEL)
        bot.server.scheduler.pause()
        card = post_coded(bot, slack, xero)
        approve(bot, slack, card)
        eventually(lambda: stored(bot, "pay_1").state is PaymentState.APPROVED)
        xero.inject_fault(method="PUT", path_prefix="/api.xro/2.0/BankTransactions", kind="latency", seconds=4)
        syncing = threading.Thread(target=bot.server.run_job, args=("sync_payments",))
        syncing.start()
        eventually(lambda: xero.in_flight() > 0)
        bot.clock.advance(seconds=30)  # the create takes far longer than the 1-second lease
        within(3, lambda: claim_outlives(bot, bot.clock.now()))  # the heartbeat renews the claim meanwhile
        other = BotServer(bot.settings, Deps(engine=engine, uow=uow, clock=bot.clock), host="127.0.0.1", port=0)
        other.run_job("sync_payments")  # another instance looks while the first is still waiting for Xero
        syncing.join()
        [spend] = spends(xero)
        row = stored(bot, "pay_1")
        assert row.state is PaymentState.SYNCED and row.xero_bank_transaction_id == spend["BankTransactionID"]


def claim_outlives(bot: RunningBot, moment: Any) -> bool:
    held_until = stored(bot, "pay_1").sync_next_attempt_at
    return held_until is not None and held_until > moment


def within(seconds: float, check: Callable[[], bool]) -> bool:
    """Whether `check` comes true within `seconds` (the heartbeat's renewal; its absence is what a test shows)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


pytestmark = pytest.mark.timeout(240)
