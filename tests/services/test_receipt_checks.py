"""Each stored receipt read (canned readings, no OCR) and checked against its payment: what the card says, what holds
the payment back, and finance's "Keep anyway" and "Remove receipt" (finance only)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from bot.clock import FrozenClock
from bot.coding.rules import RuleActions, RuleConditions
from bot.errors import DomainError, NotAllowed
from bot.payments.cards import ReceiptCheckView
from bot.payments.input import PaymentIn, validate_payment
from bot.receipts import matching_service
from bot.receipts.matching import FX_TOLERANCE, PaymentFacts, ReadFields, check_receipt, implied_tax
from bot.receipts.matching_view import receipt_hold, receipt_mismatch
from storage.models import Payment, PaymentState, Receipt, ReceiptState
from storage.uow import UnitOfWorkFactory
from tests.services.conftest import Books
from tests.services.receipt_support import DAY, Canned, ReceiptDesk


@pytest.fixture
def desk(books: Books, uow: UnitOfWorkFactory, clock: FrozenClock) -> ReceiptDesk:
    return ReceiptDesk.open(books, uow, clock)


SPENDING = {"status": "ACTIVE", "can_apply_to_expenses": True}


def gst(desk: ReceiptDesk) -> None:
    """The organisation's tax rates with their percentages: 20% VAT, and 9% GST on Purchases."""
    with desk.desk.books.uow() as work:
        work.reference.replace_tax_rates(
            desk.desk.books.connection_id,
            [
                {**SPENDING, "tax_type": "INPUT2", "name": "20% (VAT on Expenses)", "effective_rate": Decimal(20)},
                {**SPENDING, "tax_type": "GSTIN", "name": "GST on Purchases", "effective_rate": Decimal(9)},
            ],
        )
        work.commit()


def checks(desk: ReceiptDesk, payment_id: int) -> tuple[ReceiptCheckView, ...]:
    return desk.desk.card(payment_id).card.receipt_checks


def mismatch(desk: ReceiptDesk, payment_id: int) -> str | None:
    with desk.desk.books.uow() as work:
        payment = work.payments.get(desk.desk.books.workspace_id, payment_id)
        assert payment is not None
        return receipt_mismatch(payment)


def test_a_receipt_that_agrees_with_its_payment_matches_once_read(desk: ReceiptDesk) -> None:
    payment = desk.arrive("pay_1", "54.00")
    desk.receipt(payment, Canned(Decimal("54.00"), merchant="FIGMA, INC.", date=DAY - dt.timedelta(days=2)))
    assert checks(desk, payment) == ()  # stored and answered; not read yet

    desk.pool.run()

    [check] = checks(desk, payment)
    assert (check.outcome, check.differences) == ("matches", ())
    assert desk.redrawn == [payment]
    assert mismatch(desk, payment) is None


def test_another_total_is_flagged_with_both_amounts_and_holds_the_payment_back(desk: ReceiptDesk) -> None:
    payment = desk.arrive("pay_1", "54.00")
    desk.read(payment, Canned(Decimal("45.00")))

    [check] = checks(desk, payment)
    assert check.outcome == "differs"
    assert check.differences == ("Receipt total GBP 45.00, payment GBP 54.00",)
    assert mismatch(desk, payment) == "Receipt total GBP 45.00, payment GBP 54.00"


def test_a_date_more_than_five_days_off_and_another_merchant_are_said_plainly(desk: ReceiptDesk) -> None:
    payment = desk.arrive("pay_1", "54.00")
    desk.read(payment, Canned(Decimal("54.00"), date=DAY - dt.timedelta(days=6), merchant="Canva Pty Ltd"))

    assert checks(desk, payment)[0].differences == (
        "Receipt date 14 Nov 2026, payment 20 Nov 2026",
        "Receipt from Canva Pty Ltd, payment to FIGMA.COM SAN FRANCISCO CA",
    )
    other = desk.arrive("pay_2", "54.00", payee="Canva")
    desk.read(other, Canned(Decimal("54.00"), date=DAY - dt.timedelta(days=5), merchant="CANVA PTY LTD"))
    assert checks(desk, other)[0].outcome == "matches"


def test_keep_anyway_is_for_finance_and_releases_the_payment(desk: ReceiptDesk) -> None:
    payment = desk.arrive("pay_1", "54.00")
    receipt = desk.read(payment, Canned(Decimal("45.00")))
    version = desk.desk.card(payment).card.version

    with pytest.raises(NotAllowed):
        desk.checks.keep_anyway(desk.employee, payment, version, receipt)
    changed = desk.checks.keep_anyway(desk.finance, payment, version, receipt)

    [check] = changed.card.receipt_checks
    assert (check.outcome, check.kept_by_user_id) == ("differs", desk.finance.user_id)
    assert mismatch(desk, payment) is None
    with pytest.raises(DomainError, match="not flagged"):
        desk.checks.keep_anyway(desk.finance, payment, changed.card.version, receipt)


def test_remove_receipt_is_for_finance_and_never_for_one_already_in_xero(desk: ReceiptDesk) -> None:
    payment = desk.arrive("pay_1", "54.00")
    wrong = desk.read(payment, Canned(Decimal("45.00")))
    attached = desk.read(payment, Canned(Decimal("12.00")))
    with desk.desk.books.uow() as work:
        row = work.session.get(Receipt, attached)
        assert row is not None
        row.state = ReceiptState.ATTACHED
        work.commit()
    version = desk.desk.card(payment).card.version

    with pytest.raises(NotAllowed):
        desk.checks.remove_receipt(desk.employee, payment, version, wrong)
    changed = desk.checks.remove_receipt(desk.finance, payment, version, wrong)

    assert changed.card.receipts == 1
    assert [c.receipt_id for c in changed.card.receipt_checks] == [attached]
    with pytest.raises(DomainError, match="already attached to the transaction in Xero"):
        desk.checks.remove_receipt(desk.finance, payment, changed.card.version, attached)


def test_a_foreign_receipt_matches_the_charged_amount_within_the_stated_tolerance() -> None:
    paid = PaymentFacts(Decimal("70.00"), "GBP", DAY, "Figma", Decimal("91.00"), "USD")
    near = check_receipt(ReadFields(Decimal("89.00"), "USD", DAY, "Figma"), paid)
    assert Decimal("0.03") == FX_TOLERANCE
    assert near.outcome == "matches"
    assert near.notes == ["Receipt total USD 89.00 is within 3% of the USD 91.00 charged (card FX)"]

    far = check_receipt(ReadFields(Decimal("80.00"), "USD", DAY, "Figma"), paid)
    assert far.differences == ["Receipt total USD 80.00, payment USD 91.00 (GBP 70.00; more than 3% apart)"]
    unknown = check_receipt(
        ReadFields(Decimal("89.00"), "USD", DAY, "Figma"), PaymentFacts(paid.amount, "GBP", DAY, "Figma")
    )
    assert unknown.outcome == "differs" and "no USD amount to compare" in unknown.differences[0]


def test_the_receipts_tax_is_compared_with_what_the_chosen_rate_gives(desk: ReceiptDesk) -> None:
    gst(desk)
    payment = desk.arrive("pay_1", "54.50")
    desk.desk.coding.set_tax(desk.finance, payment, desk.desk.card(payment).card.version, "GSTIN")
    assert implied_tax(Decimal("54.50"), "GBP", Decimal(9)) == Decimal("4.50")

    desk.read(payment, Canned(Decimal("54.50"), tax=Decimal("4.13")))
    assert checks(desk, payment)[0].tax == "Receipt shows GST 4.13; GST on Purchases 9% gives 4.50"

    within_a_cent = desk.arrive("pay_2", "54.50", payee="Figma again")
    desk.desk.coding.set_tax(desk.finance, within_a_cent, desk.desk.card(within_a_cent).card.version, "GSTIN")
    desk.read(within_a_cent, Canned(Decimal("54.50"), tax=Decimal("4.51"), merchant="Figma again"))
    assert checks(desk, within_a_cent)[0].tax is None


def test_a_receipt_that_cannot_be_read_says_why_and_leaves_the_payment_free(desk: ReceiptDesk) -> None:
    payment = desk.arrive("pay_1", "54.00")
    desk.read(payment, Canned(problem="The photo is too dark to read."))

    [check] = checks(desk, payment)
    assert (check.outcome, check.problem) == ("unread", "The photo is too dark to read.")
    assert mismatch(desk, payment) is None


def test_a_receipt_the_pool_had_no_room_for_is_read_by_the_job_later(
    desk: ReceiptDesk, clock: FrozenClock, uow: UnitOfWorkFactory
) -> None:
    payment = desk.arrive("pay_1", "54.00")
    desk.pool.full = True
    desk.receipt(payment, Canned(Decimal("54.00")))
    assert desk.checks.read_due() == 0  # just stored: it may still be in the pool's queue

    with uow() as work:  # stored a while ago, and never read
        work.session.execute(update(Receipt).values(created_at=clock.now() - dt.timedelta(minutes=11)))
        work.commit()
    desk.pool.full = False
    assert desk.checks.read_due() == 1
    desk.pool.run()
    assert checks(desk, payment)[0].outcome == "matches"


def test_a_webhook_payment_with_its_charged_foreign_amount_is_checked_against_a_foreign_receipt(
    desk: ReceiptDesk,
) -> None:
    raw = {
        "id": "pay_fx",
        "account": {"id": "acc-gbp-1", "name": "Operating GBP", "currency": "GBP"},
        "amount": "70.00",
        "currency": "GBP",
        "date": DAY.isoformat(),
        "payee": "FIGMA.COM",
        "original_amount": "91.00",
        "original_currency": "USD",
    }
    payment_in = validate_payment(raw, 0)
    assert isinstance(payment_in, PaymentIn)
    desk.desk.ingest.ingest(desk.desk.books.workspace_id, [payment_in])
    payment = desk.desk.id_of("pay_fx")

    desk.read(payment, Canned(Decimal("89.00"), currency="USD", merchant="Figma"))

    [check] = checks(desk, payment)
    assert check.outcome == "matches"
    assert check.notes == ("Receipt total USD 89.00 is within 3% of the USD 91.00 charged (card FX)",)
    assert desk.desk.card(payment).card.original == "USD 91.00"  # shown on the card


def test_automatic_approval_waits_for_the_reading_and_for_finance_on_a_mismatch(desk: ReceiptDesk) -> None:
    def hold(payment_id: int) -> str | None:
        with desk.desk.books.uow() as work:
            payment = work.payments.get(desk.desk.books.workspace_id, payment_id)
            assert payment is not None
            return receipt_hold(payment)

    agrees, differs = desk.arrive("pay_1", "54.00"), desk.arrive("pay_2", "54.00", payee="Figma two")
    desk.receipt(agrees, Canned(Decimal("54.00")))
    receipt = desk.receipt(differs, Canned(Decimal("45.00"), merchant="Figma two"))
    assert hold(agrees) == hold(differs) == "its receipt is still being read"

    desk.pool.run()

    assert hold(agrees) is None
    assert hold(differs) == "its receipt does not match: Receipt total GBP 45.00, payment GBP 54.00"
    desk.checks.keep_anyway(desk.finance, differs, desk.desk.card(differs).card.version, receipt)
    assert hold(differs) is None


def figma_rule_approving_with_a_receipt(desk: ReceiptDesk) -> None:
    """An admin's rule: Figma coded to 463 at 20% VAT, approved automatically once its receipt is in."""
    auto = RuleActions(account_code="463", tax_type="INPUT2", auto_approve=True, auto_approve_needs_receipt=True)
    with desk.desk.books.uow() as work:
        work.rules.add(
            desk.desk.books.workspace_id,
            name="Figma",
            conditions=RuleConditions(payee_contains="figma"),
            actions=auto,
            by="UADMIN",
        )
        work.commit()


def test_a_rule_that_wants_a_receipt_approves_once_it_is_read_and_agrees_or_finance_keeps_it(
    desk: ReceiptDesk,
) -> None:
    figma_rule_approving_with_a_receipt(desk)
    agrees, differs = desk.arrive("pay_1", "54.00"), desk.arrive("pay_2", "60.00")

    desk.receipt(agrees, Canned(Decimal("54.00")))
    receipt = desk.receipt(differs, Canned(Decimal("45.00")))
    assert desk.desk.card(agrees).card.state is PaymentState.PENDING  # stored, not read yet
    desk.pool.run()

    assert desk.desk.card(agrees).card.state is PaymentState.APPROVED
    assert desk.desk.card(differs).card.state is PaymentState.PENDING
    desk.checks.keep_anyway(desk.finance, differs, desk.desk.card(differs).card.version, receipt)
    assert desk.desk.card(differs).card.state is PaymentState.APPROVED


def test_a_receipt_whose_tax_the_rules_rate_does_not_give_is_left_for_a_person(desk: ReceiptDesk) -> None:
    """The total matches, but the receipt's VAT is not what the rule's 20% rate gives: a person must look."""
    gst(desk)
    figma_rule_approving_with_a_receipt(desk)
    right, wrong = desk.arrive("pay_1", "54.00"), desk.arrive("pay_2", "60.00")
    assert implied_tax(Decimal("54.00"), "GBP", Decimal(20)) == Decimal("9.00")

    desk.read(right, Canned(Decimal("54.00"), tax=Decimal("9.00")))
    desk.read(wrong, Canned(Decimal("60.00"), tax=Decimal("4.13")))

    assert desk.desk.card(right).card.state is PaymentState.APPROVED
    card = desk.desk.card(wrong).card
    assert card.state is PaymentState.PENDING
    assert (card.duplicate_of, card.receipt_checks[0].outcome) == (None, "matches")  # nothing else holds it
    assert card.receipt_checks[0].tax == "Receipt shows VAT 4.13; 20% (VAT on Expenses) gives 10.00"


def bump_version(desk: ReceiptDesk, payment_id: int) -> None:
    with desk.desk.books.uow() as other:
        other.session.execute(update(Payment).where(Payment.id == payment_id).values(version=Payment.version + 1))
        other.commit()


def test_a_reading_is_saved_on_a_payment_another_request_changed_while_it_was_saved(
    desk: ReceiptDesk, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    """A receipt stored, or a coding saved, between the reading's load and its commit: the reading is saved on the
    payment as it is then, not lost with a version conflict."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's writes begin IMMEDIATE, one at a time: no other write can land in between")
    payment = desk.arrive("pay_1", "54.00")
    desk.receipt(payment, Canned(Decimal("54.00"), merchant="FIGMA, INC.", date=DAY))
    real, raced = matching_service.check_receipt, []

    def racing(read: Any, facts: Any) -> Any:
        if not raced:  # once, after the reading loaded the payment: another request's write lands first
            raced.append(payment)
            other = threading.Thread(target=bump_version, args=(desk, payment))
            other.start()
            other.join()
        return real(read, facts)

    monkeypatch.setattr(matching_service, "check_receipt", racing)
    desk.pool.run()

    assert raced == [payment]
    [check] = checks(desk, payment)
    assert check.outcome == "matches"
