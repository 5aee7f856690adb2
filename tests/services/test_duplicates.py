"""The same payment arriving twice: flagged on the later card, kept out of Xero until finance decides, and only
finance decides; never flagged for a source's re-send or for payments that merely look alike."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bot.clock import FrozenClock
from bot.errors import DomainError, NotAllowed
from bot.payments.input import PaymentIn, SourceAccountIn
from storage.models import PaymentState
from storage.uow import UnitOfWorkFactory
from tests.services.coding_support import ACCOUNT, Desk
from tests.services.conftest import Books

DAY = dt.date(2026, 11, 20)


@pytest.fixture
def desk(books: Books, uow: UnitOfWorkFactory, clock: FrozenClock) -> Desk:
    return Desk.open(books, uow, clock)


def exported(external_id: str, payee: str, day: dt.date = DAY, amount: str = "120.00") -> PaymentIn:
    return PaymentIn(external_id, ACCOUNT, Decimal(amount), "GBP", day, payee)


def ready(desk: Desk) -> list[int]:
    with desk.books.uow() as work:
        return work.payments.ready_ids(desk.books.workspace_id, limit=100)


def test_a_csv_line_for_a_payment_the_webhook_brought_is_flagged_and_kept_out_of_xero(desk: Desk) -> None:
    first = desk.arrive("pay_1", "Figma Inc", date=DAY)
    desk.ingest.store(desk.books.workspace_id, [exported("csv-0001", "FIGMA.COM SAN FRANCISCO CA", DAY)])
    second = desk.id_of("csv-0001")

    card = desk.card(second).card
    assert card.duplicate_of is not None and card.duplicate_of.payment_id == first
    assert desk.card(first).card.duplicate_of is None  # the earlier card is left alone
    desk.code(second, "463")
    with pytest.raises(DomainError, match="Not a duplicate, or Exclude this one"):
        desk.approve(second)
    desk.code(first, "463")
    assert ready(desk) == [first]  # "Sync all ready" leaves it out too


def test_not_a_duplicate_lets_it_be_approved(desk: Desk) -> None:
    desk.arrive("pay_1", date=DAY)
    second = desk.arrive("pay_2", "PAYPAL *FIGMA", date=DAY + dt.timedelta(days=3))

    changed = desk.duplicates.not_duplicate(desk.finance, second, desk.card(second).card.version)

    assert changed.card.duplicate_of is None
    desk.code(second, "463")
    assert desk.approve(second).card.state is PaymentState.APPROVED


def test_exclude_this_one_leaves_it_out_of_the_books_as_a_duplicate(desk: Desk) -> None:
    desk.arrive("pay_1", date=DAY)
    second = desk.arrive("pay_2", date=DAY)

    changed = desk.duplicates.exclude(desk.finance, second, desk.card(second).card.version)

    assert (changed.card.state, changed.card.exclusion_reason) == (PaymentState.EXCLUDED, "duplicate")
    assert ready(desk) == []
    undone = desk.coding.undo_exclude(desk.finance, second, changed.card.version)
    assert undone.card.state is PaymentState.PENDING and undone.card.duplicate_of is not None  # still to decide


def test_an_employee_can_neither_clear_nor_exclude_a_flag(desk: Desk) -> None:
    desk.arrive("pay_1", date=DAY)
    second = desk.arrive("pay_2", date=DAY)
    version = desk.card(second).card.version

    with pytest.raises(NotAllowed):
        desk.duplicates.not_duplicate(desk.employee, second, version)
    with pytest.raises(NotAllowed):
        desk.duplicates.exclude(desk.employee, second, version)
    assert desk.card(second).card.duplicate_of is not None


def test_a_re_send_of_the_same_id_is_not_a_second_payment_at_all(desk: Desk) -> None:
    desk.arrive("pay_1", date=DAY)
    result = desk.ingest.ingest(desk.books.workspace_id, [exported("pay_1", "Figma Inc")])
    assert (result.created, result.duplicates) == ([], ["pay_1"])


@pytest.mark.parametrize(
    ("external_id", "payee", "day", "amount", "account"),
    [
        ("other-amount", "Figma Inc", DAY, "120.01", ACCOUNT),
        ("four-days-later", "Figma Inc", DAY + dt.timedelta(days=4), "120.00", ACCOUNT),
        ("other-merchant", "Canva Pty Ltd", DAY, "120.00", ACCOUNT),
        ("other-account", "Figma Inc", DAY, "120.00", SourceAccountIn("acc-gbp-2", "Card GBP", "GBP")),
    ],
)
def test_payments_that_only_look_alike_are_not_flagged(
    desk: Desk, external_id: str, payee: str, day: dt.date, amount: str, account: SourceAccountIn
) -> None:
    desk.arrive("pay_1", date=DAY)
    payment = PaymentIn(external_id, account, Decimal(amount), "GBP", day, payee)
    desk.ingest.ingest(desk.books.workspace_id, [payment])
    assert desk.card(desk.id_of(external_id)).card.duplicate_of is None


def test_two_payments_naming_different_spenders_are_two_payments(desk: Desk) -> None:
    desk.arrive("pay_1", "Heathrow Express", date=DAY, spender_email="ana@example.com")
    second = desk.arrive("pay_2", "HEATHROW EXPRESS", date=DAY, spender_email="bo@example.com")
    from_export = desk.arrive("csv-1", "HEATHROW EXPRESS LONDON GB", date=DAY)  # an export names no spender
    assert desk.card(second).card.duplicate_of is None
    assert desk.card(from_export).card.duplicate_of is not None


def test_an_excluded_payment_is_not_what_a_new_one_repeats(desk: Desk) -> None:
    first = desk.arrive("pay_1", date=DAY)
    desk.coding.exclude(desk.finance, first, desk.card(first).card.version, "personal", None)
    assert desk.card(desk.arrive("pay_2", date=DAY)).card.duplicate_of is None


def test_lines_of_one_export_are_payments_of_their_own_but_another_import_is_checked_against_them(desk: Desk) -> None:
    """Two coffees on one day are two lines of the statement, and stay two payments. The same coffee brought
    again by another export, under another id, is flagged; so is the webhook's copy of it."""
    workspace = desk.books.workspace_id
    coffees = [exported("csv-1", "Pret A Manger", amount="4.50"), exported("csv-2", "Pret A Manger", amount="4.50")]
    desk.ingest.store(workspace, coffees[:1], import_run="a" * 32)
    desk.ingest.store(workspace, coffees[1:], import_run="a" * 32)  # the same export's next batch

    again = desk.ingest.store(
        workspace, [exported("ofx-9", "PRET A MANGER LONDON", amount="4.50")], import_run="b" * 32
    )
    by_webhook = desk.arrive("pay_7", "Pret A Manger", date=DAY, amount=Decimal("4.50"))

    assert [desk.card(desk.id_of(i)).card.duplicate_of for i in ("csv-1", "csv-2")] == [None, None]
    assert again.created == ["ofx-9"]
    assert desk.card(desk.id_of("ofx-9")).card.duplicate_of is not None
    assert desk.card(by_webhook).card.duplicate_of is not None
