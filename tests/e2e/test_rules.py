"""Coding rules over HTTP (issue 16): a webhook payment a rule codes and approves becomes one Spend Money in Xero
with no click, and its card says which rule approved it; over the rule's amount it is coded but waits; a rule that
wants a receipt approves when the receipt is posted in the thread; an account archived in Xero breaks the rule once
reference data is refreshed, and a broken rule codes nothing. (That a possible duplicate is coded by a rule but never
approved by one is a service test: tests/services/test_coding_rules.py.)"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from bot.coding.rules import Rule, RuleActions, RuleConditions
from bot.connection.tenants import tenant_ref
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import AuditEntry, PaymentState, SourceAccount, Workspace
from tests.e2e.conftest import ADMIN, FINANCE, FINANCE_CHANNEL, RunningBot, eventually
from tests.e2e.payments_flow import element, payment, send
from tests.e2e.test_receipts import PDF, reply_with_file
from tests.e2e.test_sync import GBP, bank_account_id, posted_card, settled, spends, stored
from tests.e2e.test_sync import ready as ready  # the fixture

FIGMA_SEATS = RuleActions(
    account_code="463", tax_type="INPUT2", auto_approve=True, auto_approve_under=Decimal("200.00")
)


def with_rule(bot: RunningBot, xero: XeroEmulator, actions: RuleActions = FIGMA_SEATS) -> Rule:
    """The GBP account mapped to Xero's bank account, and an admin's rule for Figma (as the rules modal saves it)."""
    with bot.uow() as work:
        workspace = work.session.query(Workspace).one()
        source = SourceAccount(
            workspace_id=workspace.id,
            external_id=GBP["id"],
            name=GBP["name"],
            currency="GBP",
            xero_bank_account_id=bank_account_id(xero),
        )
        work.session.add(source)
        rule = work.rules.add(
            workspace.id, name="Figma seats", conditions=RuleConditions(payee_is="Figma"), actions=actions, by=ADMIN
        )
        work.commit()
        return rule


def arrive(bot: RunningBot, external_id: str, amount: str, spelt: str = "FIGMA.COM", **fields: Any) -> None:
    send(bot, payment(external_id, account=GBP, currency="GBP", amount=amount, payee=spelt, **fields))


def shows(slack: FakeSlack, card: dict[str, Any], words: str) -> str:
    """The card's text once it shows `words` (it is redrawn after each change)."""
    return eventually(
        lambda: (text := FakeSlack.rendered_text(slack.message(FINANCE_CHANNEL, card["ts"]))) and words in text and text
    )


def test_a_rule_codes_and_approves_a_matching_payment_into_one_spend_money_and_not_one_over_its_amount(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    with_rule(ready, xero)

    arrive(ready, "pay_1", "120.00")
    arrive(ready, "pay_2", "250.00", date="2026-11-10")

    assert stored(ready, "pay_1").state is PaymentState.APPROVED  # no click
    approved = posted_card(ready, slack, "pay_1")
    assert "Approved automatically by rule Figma seats" in FakeSlack.rendered_text(approved)
    ready.server.run_job("sync_payments")
    ready.server.run_job("sync_payments")
    shows(slack, approved, "Synced")
    [spend] = spends(xero)
    assert spend["LineItems"][0]["AccountCode"] == "463" and spend["LineItems"][0]["TaxType"] == "INPUT2"
    assert stored(ready, "pay_1").state is PaymentState.SYNCED
    assert stored(ready, "pay_1").xero_bank_transaction_id == spend["BankTransactionID"]

    waiting = settled(ready, slack, posted_card(ready, slack, "pay_2")["ts"], "pay_2")
    shown = FakeSlack.rendered_text(waiting)
    assert "Coded by rule: Figma seats" in shown and "Approved automatically" not in shown
    assert element(waiting, "payment_account")["initial_option"]["value"] == "463"
    assert element(waiting, "payment_approve")["text"]["text"] == "Approve & sync"
    with ready.uow() as work:
        actors = {(e.action, e.actor_user_id) for e in work.session.query(AuditEntry)}
    assert ("payment.auto_approved", "rule") in actors and ("payment.coded_by_rule", "rule") in actors


def test_a_rule_that_wants_a_receipt_approves_the_payment_when_the_receipt_comes(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    with_rule(ready, xero, replace(FIGMA_SEATS, auto_approve_needs_receipt=True))
    arrive(ready, "pay_1", "120.00")
    card = posted_card(ready, slack, "pay_1")
    assert "Coded by rule: Figma seats" in FakeSlack.rendered_text(card)
    assert stored(ready, "pay_1").state is PaymentState.PENDING

    reply_with_file(ready, slack, FINANCE, FINANCE_CHANNEL, card["ts"], "invoice.pdf", PDF, "application/pdf")

    shows(slack, card, "Approved automatically by rule Figma seats")
    ready.server.run_job("sync_payments")
    [spend] = spends(xero)
    assert stored(ready, "pay_1").state is PaymentState.SYNCED
    assert xero.attachments(xero.default_tenant_id, spend["BankTransactionID"]) == [("invoice.pdf", PDF)]


def test_an_account_archived_in_xero_breaks_the_rule_once_reference_data_is_refreshed(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    with_rule(ready, xero)
    xero.archive_account(xero.default_tenant_id, "463")
    arrive(ready, "pay_1", "120.00")
    assert stored(ready, "pay_1").rule_id is not None  # our copy of the chart does not know yet

    with ready.uow() as work:
        connection = work.connections.active_for(work.session.query(Workspace).one().id)
        assert connection is not None
        ref = tenant_ref(connection)
    ready.server.services.reference.refresh(ref)
    arrive(ready, "pay_2", "80.00", date="2026-10-20")

    later = stored(ready, "pay_2")
    assert (later.rule_id, later.coded_by, later.state) == (None, None, PaymentState.PENDING)
    assert "Coded by rule" not in FakeSlack.rendered_text(posted_card(ready, slack, "pay_2"))
