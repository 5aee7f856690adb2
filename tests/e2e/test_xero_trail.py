"""What Xero keeps of Slack: the History & Notes entry of a sync, and a foreign-currency spend's original amount."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sandbox.demo.xero_pane import xero_pane
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import PaymentState, SourceAccount
from tests.e2e.conftest import ADMIN, EMPLOYEE, FINANCE, FINANCE_CHANNEL, RunningBot, eventually
from tests.e2e.payments_flow import payment, send, wait_for_cards
from tests.e2e.test_receipts import PDF, jpeg, receipts, reply_with_file
from tests.e2e.test_sync import approve_and_sync, post_coded, ready, select, settled, spends, stored
from tests.e2e.xero_flow import connect

__all__ = ["ready"]


def notes(xero: XeroEmulator, spend: dict[str, Any]) -> list[str]:
    history = xero.history(xero.default_tenant_id, spend["BankTransactionID"])
    return [str(h["Details"]) for h in history if h["Changes"] == "Note"]


def test_the_history_note_lists_the_approver_the_coder_and_the_receipt_senders_with_the_slack_link(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    card = post_coded(ready, slack, xero)  # fiona (finance) codes it
    dm = slack.dm_channel(EMPLOYEE)
    ask = eventually(lambda: next((m for m in slack.messages(dm) if "receipt" in m.get("text", "")), None))
    reply_with_file(ready, slack, EMPLOYEE, dm, ask["ts"], "IMG_2041.JPG", jpeg(), "image/jpeg")
    eventually(lambda: len(receipts(ready)) == 1)
    reply_with_file(ready, slack, FINANCE, FINANCE_CHANNEL, card["ts"], "invoice.pdf", PDF, "application/pdf")
    eventually(lambda: len(receipts(ready)) == 2)
    approve_and_sync(ready, slack, settled(ready, slack, card["ts"]))

    [spend] = eventually(lambda: spends(xero))
    row = stored(ready, "pay_1")
    assert row.message_url and row.approved_at
    when = row.approved_at.strftime("%Y-%m-%d %H:%M")
    written = eventually(lambda: notes(xero, spend))  # an approval also wakes the sync, which may be writing it
    assert written == [
        f"Approved in Slack by fiona on {when} UTC. Coded by fiona. Receipts sent by ana, fiona. {row.message_url}"
    ]
    eventually(lambda: len(xero.attachments(xero.default_tenant_id, spend["BankTransactionID"])) == 2)

    ready.server.run_job("sync_payments")
    assert len(notes(xero, spend)) == 1, "one note per sync"
    assert f'<li class="note">Approved in Slack by fiona on {when} UTC.' in xero_pane(xero, xero.default_tenant_id)


@pytest.mark.parametrize("xero", [{"seed": False}], indirect=True)
def test_a_usd_card_spend_on_an_sgd_account_shows_both_amounts_and_sends_no_currency_rate(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    tenant = xero.add_organisation(name="Demo Company (SG)", base_currency="SGD", country="SG", short_code="!Dm0SG")
    connect(bot, slack)
    bot.sender.slash_command(f"role <@{FINANCE}|x> finance", ADMIN, FINANCE_CHANNEL)
    bot.server.scheduler.pause()
    body = payment("pay_usd", amount="120.00", original_amount="89.00", original_currency="USD")
    assert send(bot, body)[0] == 201
    bot.server.run_job("post_new_payments")
    [card] = wait_for_cards(slack, 1)
    assert "SGD 120.00 (USD 89.00)" in FakeSlack.rendered_text(card)
    with bot.uow() as work:
        source = work.session.query(SourceAccount).filter_by(external_id="acc-sgd-1").one()
        source.xero_bank_account_id = next(a["AccountID"] for a in xero.accounts(tenant) if a.get("Code") == "090")
        work.commit()
    select(bot, slack, card["ts"], "payment_account", "463", "pay_usd")
    eventually(lambda: stored(bot, "pay_usd").account_code == "463")
    bot.sender.click(FINANCE, FINANCE_CHANNEL, settled(bot, slack, card["ts"], "pay_usd")["ts"], "payment_approve")
    eventually(lambda: stored(bot, "pay_usd").state is PaymentState.APPROVED)
    bot.server.run_job("sync_payments")

    eventually(lambda: stored(bot, "pay_usd").state is PaymentState.SYNCED)
    [spend] = [t for t in xero.bank_transactions(tenant) if t.get("Type") == "SPEND"]
    assert spend["CurrencyCode"] == "SGD" and Decimal(str(spend["Total"])) == Decimal("120.00")
    [line] = spend["LineItems"]
    assert line["Description"] == "Design seats — USD 89.00"
    sent = [
        r for r in xero.requests if r.path.startswith("/api.xro/2.0/BankTransactions") and r.method in ("PUT", "POST")
    ]
    assert sent and not any(b"CurrencyRate" in r.body for r in sent)
