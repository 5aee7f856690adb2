"""Approve & sync: one Spend Money in Xero per payment, whatever fails on the way. (That an employee cannot approve,
and what an incomplete payment still needs, are service tests: tests/bot/test_ownership.py, test_approvals.py in
tests/services/; where refusals are shown: test_refusals.py.)"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest

from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import Payment, PaymentState, ReceiptState, SourceAccount
from tests.e2e.conftest import ADMIN, FINANCE, FINANCE_CHANNEL, RunningBot, both_transports, eventually
from tests.e2e.payments_flow import cards, element, option_value, payment, send
from tests.e2e.test_receipts import PDF, receipts, reply_with_file
from tests.e2e.xero_flow import connect

GBP = {"id": "acc-gbp-1", "name": "Operating GBP", "currency": "GBP"}
SECOND_FINANCE = "UFIN0002"


@pytest.fixture
def ready(bot: RunningBot, slack: FakeSlack, xero: XeroEmulator) -> RunningBot:
    """Connected, Fiona and Fred are finance, and the GBP source account maps to Xero's Business Bank Account."""
    connect(bot, slack)
    slack.add_user(SECOND_FINANCE, "fred", "fred@example.com")
    slack.add_member(FINANCE_CHANNEL, SECOND_FINANCE)
    for user in (FINANCE, SECOND_FINANCE):
        bot.sender.slash_command(f"role <@{user}|x> finance", ADMIN, FINANCE_CHANNEL)
    bot.server.scheduler.pause()
    return bot


def bank_account_id(xero: XeroEmulator, code: str = "090") -> str:
    return str(next(a["AccountID"] for a in xero.accounts(xero.default_tenant_id) if a.get("Code") == code))


def post_coded(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator, payment_id: str = "pay_1", **fields: Any
) -> dict[str, Any]:
    """A GBP payment posted and coded to 463 (default tax INPUT2) and Region/North, its bank account mapped."""
    body = payment(payment_id, account=GBP, currency="GBP", amount="120.00", reference="INV-77", **fields)
    send(bot, body)
    card = posted_card(bot, slack, payment_id)
    with bot.uow() as work:
        source = work.session.query(SourceAccount).filter_by(external_id="acc-gbp-1").one()
        source.xero_bank_account_id = bank_account_id(xero)
        work.commit()
    select(bot, slack, card["ts"], "payment_account", "463", payment_id)
    eventually(lambda: stored(bot, payment_id).account_code == "463")
    tracking = element(settled(bot, slack, card["ts"], payment_id), "payment_tracking_0")
    value = option_value(tracking, "North") if "North" in str(tracking) else option_value(tracking, "Engineering")
    select(bot, slack, card["ts"], "payment_tracking_0", value, payment_id)
    eventually(lambda: stored(bot, payment_id).tracking != [])
    return settled(bot, slack, card["ts"], payment_id)


def settled(bot: RunningBot, slack: FakeSlack, ts: str, external_id: str = "pay_1") -> dict[str, Any]:
    """The payment's message once it shows the payment's current version (redrawn after each change), its receipts
    all read (a reading changes the payment, and a click on the card drawn before it would be a stale one)."""

    def current() -> dict[str, Any] | None:
        if receipts_being_read(bot, external_id):
            return None
        message = slack.message(FINANCE_CHANNEL, ts)
        row = stored(bot, external_id)
        buttons = [e for b in message.get("blocks", []) if b.get("type") == "actions" for e in b.get("elements", [])]
        edit = [e.get("value") for e in buttons if e.get("action_id") == "payment_edit"]
        return message if edit == [f"{row.id}:{row.version}"] else None  # no Edit while the card says Syncing

    return eventually(current)


def receipts_being_read(bot: RunningBot, external_id: str) -> int:
    with bot.uow() as work:
        payment = work.session.query(Payment).filter_by(external_id=external_id).one()
        kept = [r for r in payment.receipts if r.state is not ReceiptState.REJECTED]
        return sum(1 for r in kept if r.reading is None or r.reading.read_at is None)


def stored(bot: RunningBot, external_id: str) -> Payment:
    with bot.uow() as work:
        return work.session.query(Payment).filter_by(external_id=external_id).one()


def posted_card(bot: RunningBot, slack: FakeSlack, external_id: str) -> dict[str, Any]:
    """The payment's card, posted now or by the scheduler's run already under way (on PostgreSQL that run holds
    the payment's row, and this one skips it)."""
    bot.server.run_job("post_new_payments")
    return eventually(lambda: next((c for c in cards(slack) if c["ts"] == stored(bot, external_id).message_ts), None))


def spends(xero: XeroEmulator) -> list[dict[str, Any]]:
    return [t for t in xero.bank_transactions(xero.default_tenant_id) if t.get("Type") == "SPEND"]


def approve(bot: RunningBot, slack: FakeSlack, card: dict[str, Any], user: str = FINANCE) -> None:
    bot.sender.click(user, FINANCE_CHANNEL, card["ts"], "payment_approve")


def approve_and_sync(bot: RunningBot, slack: FakeSlack, card: dict[str, Any]) -> None:
    """A finance user approves pay_1, then the sync job runs once."""
    approve(bot, slack, card)
    eventually(lambda: stored(bot, "pay_1").state is PaymentState.APPROVED)
    bot.server.run_job("sync_payments")


def select(bot: RunningBot, slack: FakeSlack, ts: str, action_id: str, value: str, external_id: str = "pay_1") -> None:
    settled(bot, slack, ts, external_id)
    bot.sender.select(FINANCE, FINANCE_CHANNEL, ts, action_id, value)


def click(bot: RunningBot, slack: FakeSlack, ts: str, action_id: str) -> None:
    settled(bot, slack, ts)
    bot.sender.click(FINANCE, FINANCE_CHANNEL, ts, action_id)


@both_transports
def test_a_finance_approval_creates_one_spend_money_with_the_coding_and_the_receipt(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    card = post_coded(ready, slack, xero)
    reply_with_file(ready, slack, FINANCE, FINANCE_CHANNEL, card["ts"], "invoice.pdf", PDF, "application/pdf")
    eventually(lambda: len(receipts(ready)) == 1)
    card = settled(ready, slack, card["ts"])
    assert element(card, "payment_approve")["text"]["text"] == "Approve & sync"
    approve_and_sync(ready, slack, card)

    [spend] = spends(xero)
    payment_row = stored(ready, "pay_1")
    assert (
        payment_row.state is PaymentState.SYNCED and payment_row.xero_bank_transaction_id == spend["BankTransactionID"]
    )
    assert spend["BankAccount"]["AccountID"] == bank_account_id(xero)
    assert spend["LineAmountTypes"] == "Inclusive" and spend["Status"] == "AUTHORISED"
    assert spend["Reference"] == "INV-77" and spend["Contact"]["Name"] == "Figma Inc"
    assert spend.get("DateString", "").startswith("2026-11-20")
    [line] = spend["LineItems"]
    assert (line["AccountCode"], line["TaxType"]) == ("463", "INPUT2")
    assert Decimal(str(spend["Total"])) == Decimal("120.00") and Decimal(str(spend["TotalTax"])) == Decimal("20.00")
    assert len(line["Tracking"]) == 1
    assert f"xeb={payment_row.workspace_id}-{payment_row.id}" in spend["Url"]
    assert [name for name, _ in xero.attachments(xero.default_tenant_id, spend["BankTransactionID"])] == ["invoice.pdf"]
    shown = eventually(
        lambda: (m := slack.message(FINANCE_CHANNEL, card["ts"])) and "Synced" in FakeSlack.rendered_text(m) and m
    )
    assert "View in Xero" in FakeSlack.rendered_text(shown)
    assert [r.state.value for r in receipts(ready)] == ["attached"]


def test_a_double_click_and_two_finance_users_at_once_give_one_transaction(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    card = post_coded(ready, slack, xero)
    clicks = [
        threading.Thread(target=approve, args=(ready, slack, card, user))
        for user in (FINANCE, FINANCE, SECOND_FINANCE, SECOND_FINANCE)
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    eventually(lambda: stored(ready, "pay_1").state is PaymentState.APPROVED)
    runs = [threading.Thread(target=ready.server.run_job, args=("sync_payments",)) for _ in range(3)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert len(spends(xero)) == 1
    assert stored(ready, "pay_1").state is PaymentState.SYNCED


def test_a_dropped_connection_after_xero_committed_still_gives_one_transaction(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    card = post_coded(ready, slack, xero)
    xero.inject_fault(method="PUT", path_prefix="/api.xro/2.0/BankTransactions", kind="commit_then_drop", count=1)
    approve_and_sync(ready, slack, card)
    ready.server.run_job("sync_payments")
    [spend] = spends(xero)
    assert stored(ready, "pay_1").xero_bank_transaction_id == spend["BankTransactionID"]
    assert stored(ready, "pay_1").state is PaymentState.SYNCED


def test_a_validation_error_shows_in_words_and_retry_after_fixing_succeeds(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    card = post_coded(ready, slack, xero)
    xero.archive_account(xero.default_tenant_id, "463")
    approve_and_sync(ready, slack, card)
    failed = stored(ready, "pay_1")
    assert failed.state is PaymentState.SYNC_ERROR
    assert "463" in (failed.sync_last_error or "") and "archived" in (failed.sync_last_error or "")
    shown = eventually(
        lambda: (m := slack.message(FINANCE_CHANNEL, card["ts"])) and "Sync error" in FakeSlack.rendered_text(m) and m
    )
    assert "archived" in FakeSlack.rendered_text(shown)
    assert element(shown, "payment_retry")["text"]["text"] == "Retry"
    select(ready, slack, card["ts"], "payment_account", "429")
    eventually(lambda: stored(ready, "pay_1").account_code == "429")
    click(ready, slack, card["ts"], "payment_retry")
    eventually(lambda: stored(ready, "pay_1").state is PaymentState.APPROVED)
    ready.server.run_job("sync_payments")
    [spend] = spends(xero)
    assert spend["LineItems"][0]["AccountCode"] == "429"
    assert stored(ready, "pay_1").state is PaymentState.SYNCED


def test_a_429_with_retry_after_is_waited_out_without_an_error(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    card = post_coded(ready, slack, xero)
    xero.inject_rate_limit(problem="minute", retry_after=1, count=1)
    approve_and_sync(ready, slack, card)
    assert xero.stats.rate_limited >= 1
    assert len(spends(xero)) == 1 and stored(ready, "pay_1").state is PaymentState.SYNCED


def test_editing_after_sync_shows_updated_and_resync_updates_the_same_transaction(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    card = post_coded(ready, slack, xero)
    approve_and_sync(ready, slack, card)
    [first] = spends(xero)
    select(ready, slack, card["ts"], "payment_account", "429")
    updated = eventually(
        lambda: (m := slack.message(FINANCE_CHANNEL, card["ts"])) and "Updated" in FakeSlack.rendered_text(m) and m
    )
    assert stored(ready, "pay_1").state is PaymentState.UPDATED
    click(ready, slack, updated["ts"], "payment_resync")
    eventually(lambda: stored(ready, "pay_1").state is PaymentState.APPROVED)
    ready.server.run_job("sync_payments")
    [after] = spends(xero)
    assert after["BankTransactionID"] == first["BankTransactionID"]
    assert after["LineItems"][0]["AccountCode"] == "429"
    assert stored(ready, "pay_1").state is PaymentState.SYNCED


def test_the_sync_log_lists_the_attempts(ready: RunningBot, slack: FakeSlack, xero: XeroEmulator) -> None:
    card = post_coded(ready, slack, xero)
    reply_with_file(ready, slack, FINANCE, FINANCE_CHANNEL, card["ts"], "invoice.pdf", PDF, "application/pdf")
    eventually(lambda: len(receipts(ready)) == 1)
    card = settled(ready, slack, card["ts"])
    xero.inject_fault(method="PUT", path_prefix="/api.xro/2.0/BankTransactions", kind="500", count=1)
    approve_and_sync(ready, slack, card)
    ready.clock.advance(minutes=5)
    ready.server.run_job("sync_payments")
    assert stored(ready, "pay_1").state is PaymentState.SYNCED
    click(ready, slack, card["ts"], "payment_sync_log")
    [modal] = slack.wait_for(lambda: slack.modals(FINANCE) or None)
    shown = FakeSlack.rendered_text(modal)
    assert "Create Spend Money" in shown and "Look up in Xero" in shown and "Attach receipt" in shown
    assert "Xero said" in shown


def test_the_daily_limit_shows_when_sync_resumes(ready: RunningBot, slack: FakeSlack, xero: XeroEmulator) -> None:
    card = post_coded(ready, slack, xero)
    approve(ready, slack, card)
    eventually(lambda: stored(ready, "pay_1").state is PaymentState.APPROVED)
    xero.inject_rate_limit(problem="day", retry_after=3600, count=1)
    ready.server.run_job("sync_payments")
    waiting = stored(ready, "pay_1")
    assert waiting.state is PaymentState.APPROVED and spends(xero) == []
    assert "daily" in (waiting.sync_last_error or "").lower() or "day" in (waiting.sync_last_error or "")
    assert "UTC" in (waiting.sync_last_error or "")
    eventually(lambda: "UTC" in FakeSlack.rendered_text(slack.message(FINANCE_CHANNEL, card["ts"])))
    ready.clock.advance(hours=1, minutes=1)
    ready.server.run_job("sync_payments")
    assert len(spends(xero)) == 1 and stored(ready, "pay_1").state is PaymentState.SYNCED


def test_a_revoked_connection_makes_payments_wait_not_fail(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    card = post_coded(ready, slack, xero)
    approve(ready, slack, card)
    eventually(lambda: stored(ready, "pay_1").state is PaymentState.APPROVED)
    xero.disconnect_tenant(xero.default_tenant_id)
    ready.server.run_job("sync_payments")
    waiting = stored(ready, "pay_1")
    assert waiting.state is PaymentState.APPROVED, "waits for the reconnect instead of failing"
    assert spends(xero) == []
    from storage.models import ConnectionState, XeroConnection

    with ready.uow() as work:
        assert work.session.query(XeroConnection).one().state is ConnectionState.NEEDS_RECONNECT
