"""Killing the bot in the middle of a sync and starting it again still gives one transaction."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.slack import FakeSlack
from bot.sandbox.xero import XeroEmulator
from storage.models import PaymentState
from tests.e2e.cli_support import SCRIPT, free_port
from tests.e2e.conftest import ADMIN, SIGNING_SECRET, WEBHOOK_SECRET, RunningBot, eventually
from tests.e2e.test_sync import approve, post_coded, ready, spends, stored  # noqa: F401 - the fixture


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
        "SYNC_LEASE_SECONDS": "2",
    }
    port = free_port()
    return subprocess.Popen([SCRIPT, "serve", "--port", str(port)], env=env, cwd=cwd, stderr=subprocess.PIPE, text=True)


def test_a_bot_killed_mid_sync_and_restarted_creates_one_transaction(
    ready: RunningBot,  # noqa: F811
    slack: FakeSlack,
    xero: XeroEmulator,
    clean_env: dict[str, str],
    tmp_path: Path,
) -> None:
    xero.add_contact(xero.default_tenant_id, "Figma Inc")
    ready.sender.slash_command("status refresh", ADMIN, "C0FINANCE")  # the bot learns the contact now
    eventually(
        lambda: any("Figma Inc" in (r.get("text") or "") or "Xero:" in (r.get("text") or "") for r in slack.responses())
    )
    card = post_coded(ready, slack, xero)
    approve(ready, slack, card)
    eventually(lambda: stored(ready, "pay_1").state is PaymentState.APPROVED)
    ready.server.stop()
    xero.inject_fault(method="PUT", path_prefix="/api.xro/2.0/BankTransactions", kind="latency", seconds=5, count=1)

    first = serve(ready, slack, xero, clean_env, tmp_path)
    try:
        eventually(lambda: stored(ready, "pay_1").state is PaymentState.SYNCING, 30)
        # The contact is known, so the next request to Xero is the create: wait until Xero is handling it.
        eventually(lambda: xero.in_flight() > 0, 30)
        first.send_signal(signal.SIGKILL)  # Xero will commit it; the bot never hears back
    finally:
        first.wait(timeout=10)
    eventually(lambda: len(spends(xero)) == 1, 30)  # Xero finishes the create after its latency
    assert stored(ready, "pay_1").state is PaymentState.SYNCING, "the killed bot never recorded the outcome"

    second = serve(ready, slack, xero, clean_env, tmp_path)
    try:
        eventually(lambda: stored(ready, "pay_1").state is PaymentState.SYNCED, 60)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    [spend] = spends(xero)
    assert stored(ready, "pay_1").xero_bank_transaction_id == spend["BankTransactionID"]


pytestmark = pytest.mark.timeout(180)
