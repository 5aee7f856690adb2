"""What Xero says after a sync, end to end: a person reconciles, edits or deletes the transaction in Xero (the
emulator), one polling interval passes (the job run directly, the bot's clock moved on), and the card says so."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.sync.xero_status import POLL_EVERY
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import PaymentState
from tests.e2e.conftest import ADMIN, FINANCE, FINANCE_CHANNEL, RunningBot, eventually
from tests.e2e.payments_flow import element
from tests.e2e.test_home import click_home, open_home
from tests.e2e.test_refusals import home_text, overflow_values
from tests.e2e.test_sync import approve, approve_and_sync, post_coded, spends, stored
from tests.e2e.xero_flow import connect


@pytest.fixture
def synced(bot: RunningBot, slack: FakeSlack, xero: XeroEmulator) -> tuple[dict[str, Any], str]:
    """pay_1 coded, approved and synced, and polled once (nothing to say yet): its card and its transaction's id."""
    connect(bot, slack)
    bot.sender.slash_command(f"role <@{FINANCE}|x> finance", ADMIN, FINANCE_CHANNEL)
    bot.server.scheduler.pause()
    card = post_coded(bot, slack, xero)
    approve_and_sync(bot, slack, card)
    row = stored(bot, "pay_1")
    assert row.state is PaymentState.SYNCED and row.xero_bank_transaction_id
    next_interval(bot)
    assert stored(bot, "pay_1").xero_status is None
    return card, row.xero_bank_transaction_id


def next_interval(bot: RunningBot) -> None:
    bot.clock.advance(seconds=POLL_EVERY.total_seconds())
    bot.server.run_job("poll_xero_status")


def card_saying(bot: RunningBot, slack: FakeSlack, ts: str, words: str) -> dict[str, Any]:
    """The payment's message once it says `words` and is redrawn at the payment's current version."""

    def current() -> dict[str, Any] | None:
        message = slack.message(FINANCE_CHANNEL, ts)
        version = stored(bot, "pay_1").version
        values = {e.get("value") for b in message.get("blocks", []) for e in b.get("elements", []) if "value" in e}
        fresh = any(str(v).endswith(f":{version}") for v in values)
        return message if words in FakeSlack.rendered_text(message) and fresh else None

    return eventually(current)


def choose_on_home(bot: RunningBot, slack: FakeSlack, reconciliation: str) -> dict[str, Any]:
    """Finance picks the Synced tab's reconciliation filter; the Home as redrawn."""
    view = slack.home_view(FINANCE)
    assert view is not None
    bot.sender.select_in_view(FINANCE, view["id"], "home_filter_reconciled", reconciliation)
    return eventually(lambda: (v := slack.home_view(FINANCE)) and v.get("hash") != view.get("hash") and v)


def action_ids(message: dict[str, Any]) -> set[str]:
    return {e.get("action_id") for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]}


def test_a_transaction_reconciled_in_xero_shows_within_one_interval_and_refuses_edits(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator, synced: tuple[dict[str, Any], str]
) -> None:
    card, xero_id = synced
    bot.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_edit")  # Fiona starts an edit …
    [form] = slack.wait_for(lambda: slack.modals(FINANCE) or None)
    xero.reconcile_in_xero(xero.default_tenant_id, xero_id)  # … while the bank line is matched in Xero
    next_interval(bot)

    message = card_saying(bot, slack, card["ts"], "Reconciled in Xero")
    assert {"payment_edit", "payment_account", "payment_resync"}.isdisjoint(action_ids(message))
    assert bot.sender.submit_view(FINANCE, form["id"], {"edit_description": {"value": "Seats for Q4"}}).status == 200
    told = slack.wait_for(lambda: next((m for m in slack.modals(FINANCE) if m["id"] != form["id"]), None))
    assert "Reconciled in Xero: change it there." in FakeSlack.rendered_text(told)
    assert stored(bot, "pay_1").description != "Seats for Q4"
    assert xero.requests_to("POST", "/api.xro/2.0/BankTransactions") == []  # nothing sent since the sync
    [spend] = spends(xero)
    assert spend["IsReconciled"] is True  # set by the person in Xero; the bot only read it

    open_home(bot, slack, FINANCE)
    click_home(bot, slack, FINANCE, "home_tab_synced")
    choose_on_home(bot, slack, "waiting")  # synced today: not yet a week without reconciliation
    assert "Nothing here." in home_text(slack, FINANCE)
    home = choose_on_home(bot, slack, "reconciled")
    assert "Reconciled in Xero" in home_text(slack, FINANCE) and "Figma Inc" in home_text(slack, FINANCE)
    assert not [v for v in overflow_values(home) if v.startswith(("edit:", "approve:", "resync:"))]


def test_a_change_made_in_xero_shows_what_differs_and_resync_asks_before_overwriting(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator, synced: tuple[dict[str, Any], str]
) -> None:
    card, xero_id = synced
    xero.edit_in_xero(xero.default_tenant_id, xero_id, amount=Decimal("130.00"), account_code="429")
    next_interval(bot)

    message = card_saying(bot, slack, card["ts"], "Changed in Xero")
    assert "amount 120.00 → 130.00, account 463 → 429" in FakeSlack.rendered_text(message)
    resync = element(message, "payment_resync")
    asked = resync["confirm"]["text"]["text"]
    assert asked.startswith("Changed in Xero: amount 120.00 → 130.00") and "Re-sync will overwrite" in asked
    assert Decimal(str(spends(xero)[0]["Total"])) == Decimal("130.00")  # nothing sent before the person confirms

    bot.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_resync")  # Slack asked; the person confirmed
    eventually(lambda: stored(bot, "pay_1").state is PaymentState.APPROVED)
    bot.server.run_job("sync_payments")
    [spend] = spends(xero)
    assert Decimal(str(spend["Total"])) == Decimal("120.00") and spend["LineItems"][0]["AccountCode"] == "463"
    message = card_saying(bot, slack, card["ts"], "Synced")
    assert "Changed in Xero" not in FakeSlack.rendered_text(message)
    next_interval(bot)  # the bot's own update is read back as no change
    assert stored(bot, "pay_1").xero_status is None


def test_a_transaction_deleted_in_xero_returns_the_payment_to_pending_until_someone_approves_it(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator, synced: tuple[dict[str, Any], str]
) -> None:
    card, xero_id = synced
    xero.delete_in_xero(xero.default_tenant_id, xero_id)
    next_interval(bot)

    message = card_saying(bot, slack, card["ts"], "Deleted in Xero")
    assert "Pending" in FakeSlack.rendered_text(message) and "payment_approve" in action_ids(message)
    row = stored(bot, "pay_1")
    assert (row.state, row.xero_bank_transaction_id) == (PaymentState.PENDING, None)
    bot.server.run_job("sync_payments")
    assert [s["Status"] for s in spends(xero)] == ["DELETED"]  # nothing is created again without a click

    approve(bot, slack, message)
    eventually(lambda: stored(bot, "pay_1").state is PaymentState.APPROVED)
    bot.server.run_job("sync_payments")
    assert sorted(s["Status"] for s in spends(xero)) == ["AUTHORISED", "DELETED"]
    row = stored(bot, "pay_1")
    assert row.state is PaymentState.SYNCED and row.xero_bank_transaction_id not in (None, xero_id)
