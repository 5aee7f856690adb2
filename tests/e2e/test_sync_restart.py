"""Killing the bot in the middle of a sync and starting it again gives one transaction per payment, settled
within a lease. (That a sync which is alive keeps its claim however long Xero takes is a service test:
tests/services/test_sync_claims.py.)"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import PaymentState
from tests.e2e.cli_support import SCRIPT, free_port
from tests.e2e.conftest import FINANCE_CHANNEL, SIGNING_SECRET, WEBHOOK_SECRET, RunningBot, eventually
from tests.e2e.test_sync import approve, post_coded, ready, spends, stored  # noqa: F401 - the fixture
from tests.e2e.test_sync_markers import code_and_approve, own_transaction, post_many

LEASE_SECONDS = 3
# The sync job runs every half second rather than every five: each start waits for a tick, not for the work.
JOB_TICK_SECONDS = 0.5


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
        "JOB_TICK_SECONDS": str(JOB_TICK_SECONDS),
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
    xero.inject_fault(method="PUT", path_prefix="/api.xro/2.0/BankTransactions", kind="latency", seconds=2, count=1)

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


pytestmark = pytest.mark.timeout(240)
