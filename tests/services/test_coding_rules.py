"""Coding rules on arrival: the first matching rule that is not broken codes the payment ahead of history and the
category mapping; a rule that approves automatically sends the payment to Xero once, with no click, unless it may
be a duplicate, is over the rule's amount, or still wants its receipt."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from bot.clock import FrozenClock
from bot.coding.rule_approval import approve_by_rule, blocks_auto_approval
from bot.coding.rules import Rule, RuleActions, RuleConditions, broken_reasons
from bot.payments.card_view import coding_choices
from bot.payments.input import PaymentIn
from bot.sync.engine import SyncEngine
from storage.models import AuditEntry, PaymentState, Receipt, ReceiptReading
from storage.uow import UnitOfWorkFactory
from tests.services.coding_support import ACCOUNT, ENGINEERING, Desk
from tests.services.conftest import Books
from tests.services.fakes import FakeXeroGateway

DAY = dt.date(2026, 11, 20)
FIGMA = RuleConditions(payee_is="Figma")
SOFTWARE = RuleActions(
    account_code="463",
    tax_type="INPUT2",
    tracking=(("dept", "eng"),),
    description_template="{payee} seats {month}",
    contact_name="Figma",
)
AUTO = replace(SOFTWARE, auto_approve=True, auto_approve_under=Decimal("200.00"))


@pytest.fixture
def desk(books: Books, uow: UnitOfWorkFactory, clock: FrozenClock) -> Desk:
    return Desk.open(books, uow, clock)


def rule(desk: Desk, name: str, conditions: RuleConditions, actions: RuleActions) -> Rule:
    with desk.books.uow() as work:
        added = work.rules.add(desk.books.workspace_id, name=name, conditions=conditions, actions=actions, by="UADMIN")
        work.commit()
        return added


def audit(desk: Desk, action: str) -> list[AuditEntry]:
    with desk.books.uow() as work:
        return [e for e in work.audit.recent(desk.books.workspace_id, 200) if e.action == action]


def test_a_matching_rule_codes_the_payment_and_the_card_says_which_rule(desk: Desk) -> None:
    figma = rule(desk, "Figma seats", FIGMA, SOFTWARE)

    payment_id = desk.arrive("pay_1", "SQ *FIGMA #0412 SAN FRANCISCO CA", date=DAY)

    stored = desk.books.stored(payment_id)
    assert (stored.account_code, stored.tax_type, stored.tracking) == ("463", "INPUT2", [ENGINEERING])
    assert (stored.description, stored.contact_name) == ("Figma seats November 2026", "Figma")
    card = desk.card(payment_id).card
    assert card.coded_because == "Coded by rule: Figma seats" and card.state is PaymentState.PENDING
    [entry] = audit(desk, "payment.coded_by_rule")
    assert entry.subject_id == str(payment_id) and entry.details["rule_id"] == figma.id


def test_a_rule_comes_before_history_and_the_category_mapping_and_the_first_match_wins(desk: Desk) -> None:
    desk.map_category("Software", "429")
    desk.coded_and_approved("old_1", "429")
    desk.coded_and_approved("old_2", "429")
    big = RuleConditions(payee_contains="figma", amount_min=Decimal("1000"))
    rule(desk, "Big Figma bills", big, RuleActions("429"))
    rule(desk, "Figma", RuleConditions(payee_contains="FIGMA"), SOFTWARE)
    rule(desk, "Everything", RuleConditions(), RuleActions("429", "NONE"))

    figma = desk.arrive("pay_1", "Figma Inc", category="Software")
    other = desk.arrive("pay_2", "Notion Labs", category="Software")
    small = desk.arrive("pay_3", "Figma Inc", amount=Decimal("999.99"))

    assert desk.card(figma).card.coded_because == "Coded by rule: Figma"
    assert desk.books.stored(figma).account_code == "463"  # not the 429 history and the mapping give
    assert desk.card(other).card.coded_because == "Coded by rule: Everything"
    assert (desk.books.stored(other).account_code, desk.books.stored(other).tax_type) == ("429", "NONE")
    assert desk.card(small).card.coded_because == "Coded by rule: Figma"


def test_conditions_on_category_account_spender_and_amount_must_all_hold(desk: Desk) -> None:
    strict = RuleConditions(
        payee_contains="figma",
        category="software ",
        source_account_id=ACCOUNT.id,
        spender_email="Ana@Example.com",
        amount_max=Decimal("120.00"),
    )
    rule(desk, "Ana's Figma", strict, SOFTWARE)

    held = desk.arrive("pay_1", category="Software", spender_email="ana@example.com")
    other_spender = desk.arrive("pay_2", category="Software", spender_email="bo@example.com")
    too_much = desk.arrive("pay_3", category="Software", spender_email="ana@example.com", amount=Decimal("120.01"))

    assert desk.card(held).card.coded_because == "Coded by rule: Ana's Figma"
    assert desk.books.stored(other_spender).rule_id is None
    assert desk.books.stored(too_much).account_code is None


def test_a_rule_whose_account_is_archived_is_broken_says_why_and_never_applies(desk: Desk) -> None:
    archived = rule(desk, "Ads", FIGMA, RuleActions("400", "INPUT2", tracking=(("dept", "gone"),)))
    rule(desk, "Figma fallback", RuleConditions(payee_contains="figma"), SOFTWARE)

    payment_id = desk.arrive("pay_1")

    assert desk.card(payment_id).card.coded_because == "Coded by rule: Figma fallback"
    with desk.books.uow() as work:
        reasons = broken_reasons(archived, coding_choices(work, desk.books.workspace_id))
    assert reasons == [
        "account 400 is archived or no longer in Xero",
        "an option of Department is archived or no longer in Xero",
    ]


def test_an_auto_approving_rule_sends_exactly_one_spend_money_with_no_click(
    desk: Desk, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    rule(desk, "Figma seats", FIGMA, AUTO)

    payment_id = desk.arrive("pay_1", amount=Decimal("199.99"))

    card = desk.card(payment_id).card
    assert card.state is PaymentState.APPROVED
    assert card.coded_because == "Approved automatically by rule Figma seats"
    [entry] = audit(desk, "payment.auto_approved")
    assert entry.actor_user_id == "rule" and entry.details["rule_name"] == "Figma seats"
    sync.run()
    sync.run()
    [spend] = xero.spends()
    assert (spend.account_code, spend.tax_type, spend.amount) == ("463", "INPUT2", Decimal("199.99"))
    assert desk.books.stored(payment_id).state is PaymentState.SYNCED
    # Edited afterwards, it is Updated and re-synced by a person, into the same transaction.
    desk.code(payment_id, "429")
    assert desk.card(payment_id).card.state is PaymentState.UPDATED
    desk.approve(payment_id)
    sync.run()
    assert [s.account_code for s in xero.spends()] == ["429"]


def test_over_the_rules_amount_it_is_coded_but_waits_for_a_person(desk: Desk) -> None:
    rule(desk, "Figma seats", FIGMA, AUTO)

    payment_id = desk.arrive("pay_1", amount=Decimal("200.00"))

    card = desk.card(payment_id).card
    assert card.state is PaymentState.PENDING and card.coded_because == "Coded by rule: Figma seats"
    assert audit(desk, "payment.auto_approved") == []


def test_a_possible_duplicate_is_never_approved_automatically(
    desk: Desk, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    rule(desk, "Figma seats", FIGMA, AUTO)
    first = desk.arrive("pay_1", date=DAY)
    copy = PaymentIn("csv-0001", ACCOUNT, Decimal("120.00"), "GBP", DAY, "FIGMA.COM SAN FRANCISCO CA")

    desk.ingest.store(desk.books.workspace_id, [copy])

    second = desk.books.stored(desk.id_of("csv-0001"))
    assert second.duplicate_of_id == first and second.state is PaymentState.PENDING
    assert blocks_auto_approval(second) == "it may be a duplicate of an earlier payment"
    assert desk.card(second.id).card.coded_because == "Coded by rule: Figma seats"
    sync.run()
    assert len(xero.spends()) == 1  # the first payment only


def test_a_rule_that_wants_a_receipt_approves_when_it_comes_unless_a_person_recoded_it(
    desk: Desk, clock: FrozenClock
) -> None:
    needs = replace(AUTO, auto_approve_needs_receipt=True, no_receipt_needed_under=Decimal("25"))
    rule(desk, "Figma seats", FIGMA, needs)
    waiting = desk.arrive("pay_1")
    recoded = desk.arrive("pay_2")
    tiny = desk.arrive("pay_3", amount=Decimal("24.99"))

    assert desk.card(waiting).card.state is PaymentState.PENDING
    assert desk.card(tiny).card.state is PaymentState.APPROVED  # under the rule's "no receipt needed" amount
    desk.code(recoded, "429")
    for payment_id in (waiting, recoded):
        with desk.books.uow() as work:
            payment = work.payments.get(desk.books.workspace_id, payment_id)
            assert payment is not None
            receipt = Receipt(file_name="r.pdf", size_bytes=3, content=b"%PD")
            payment.receipts.append(receipt)
            assert not approve_by_rule(work, payment, clock.now())  # stored, not read yet: the rule waits
            receipt.reading = ReceiptReading(
                payment_id=payment.id, workspace_id=payment.workspace_id, outcome="matches", read_at=clock.now()
            )
            approve_by_rule(work, payment, clock.now())  # what reading it does (bot/receipts/matching_service.py)
            work.commit()

    assert desk.card(waiting).card.coded_because == "Approved automatically by rule Figma seats"
    assert desk.card(recoded).card.state is PaymentState.PENDING


def test_an_import_is_coded_and_approved_by_rules_too(desk: Desk) -> None:
    rule(desk, "Figma seats", FIGMA, AUTO)
    days = (DAY, DAY + dt.timedelta(days=9))
    rows = [PaymentIn(f"csv-{n}", ACCOUNT, Decimal("50.00"), "GBP", day, "Figma") for n, day in enumerate(days)]

    desk.ingest.store(desk.books.workspace_id, rows)

    assert [desk.card(desk.id_of(r.id)).card.state for r in rows] == [PaymentState.APPROVED] * 2
