"""Receipts sent before anyone asked: tied to the one open payment they fit, offered when several fit, kept until
their payment arrives; only the sender or finance choose; an employee's receipt never lands on someone else's
payment; finance sees what a receipt holds back and what has waited a month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import update

from bot.clock import FrozenClock
from bot.connection.roles import Actor
from bot.errors import DomainError, NotAllowed
from bot.home.service import HomeService
from bot.home.view import HomeFilter
from bot.payments.input import PaymentIn
from bot.receipts.ports import SharedFile
from storage.models import WaitingReceipt
from storage.uow import UnitOfWorkFactory
from tests.services.coding_support import ACCOUNT
from tests.services.conftest import Books
from tests.services.receipt_support import DAY, EMPLOYEE, OTHER, Canned, ReceiptDesk

ANA = "ana@example.com"


@pytest.fixture
def desk(books: Books, uow: UnitOfWorkFactory, clock: FrozenClock) -> ReceiptDesk:
    return ReceiptDesk.open(books, uow, clock)


def receipts_of(desk: ReceiptDesk, payment_id: int) -> int:
    return desk.desk.card(payment_id).card.receipts


def test_one_fitting_payment_gets_the_receipt_and_its_sender_is_told(desk: ReceiptDesk) -> None:
    mine = desk.arrive("pay_1", "45.00", spender_email=ANA)
    desk.arrive("pay_2", "99.00", spender_email=ANA)

    waiting = desk.waiting(Canned(Decimal("45.00"), merchant="Figma, Inc.", date=DAY - dt.timedelta(days=1)))

    assert desk.said.lines == [("attached", [mine])]
    assert receipts_of(desk, mine) == 1
    [check] = desk.desk.card(mine).card.receipt_checks
    assert check.outcome == "matches"  # its reading came with it
    row = desk.stored_waiting(waiting)
    assert (row.status, row.payment_id, row.content) == ("attached", mine, None)


def test_several_fitting_payments_are_offered_and_only_the_sender_or_finance_choose(desk: ReceiptDesk) -> None:
    first = desk.arrive("pay_1", "45.00", spender_email=ANA)
    second = desk.arrive("pay_2", "45.00", day=DAY + dt.timedelta(days=2), spender_email=ANA)

    waiting = desk.waiting(Canned(Decimal("45.00")))

    assert desk.said.lines == [("choose", [first, second])]
    with pytest.raises(NotAllowed):
        desk.first.choose(Actor(desk.desk.books.workspace_id, "T1", OTHER), waiting, second)
    with pytest.raises(DomainError):
        desk.first.choose(desk.employee, waiting, 999999)  # not one of those offered
    chosen = desk.first.choose(desk.employee, waiting, second)
    assert chosen.payment_id == second
    assert (receipts_of(desk, first), receipts_of(desk, second)) == (0, 1)
    with pytest.raises(DomainError, match="no longer waiting"):
        desk.first.choose(desk.finance, waiting, first)  # the same button clicked twice


def test_the_senders_own_payment_is_preferred_to_another_persons(desk: ReceiptDesk) -> None:
    desk.arrive("pay_1", "45.00", spender_email="bo@example.com")
    mine = desk.arrive("pay_2", "45.00", spender_email=ANA)

    desk.waiting(Canned(Decimal("45.00")))

    assert desk.said.lines == [("attached", [mine])]


def test_an_employees_receipt_never_lands_on_someone_elses_payment(desk: ReceiptDesk) -> None:
    theirs = desk.arrive("pay_1", "45.00", spender_email="bo@example.com")

    desk.waiting(Canned(Decimal("45.00")), sender=EMPLOYEE)

    assert desk.said.lines == [("not yet", [])]
    assert receipts_of(desk, theirs) == 0
    desk.waiting(Canned(Decimal("45.00")), sender=desk.finance.user_id, email=None)  # finance may place it
    assert desk.said.lines[-1] == ("attached", [theirs])


def test_a_receipt_sent_before_its_payment_is_attached_when_the_payment_arrives(desk: ReceiptDesk) -> None:
    waiting = desk.waiting(Canned(Decimal("45.00"), date=DAY))
    assert desk.said.lines == [("not yet", [])]
    assert desk.stored_waiting(waiting).status == "waiting"

    desk.arrive("pay_other", "12.00", spender_email=ANA)  # another amount: still waiting
    assert desk.stored_waiting(waiting).status == "waiting"
    payment = desk.arrive("pay_1", "45.00", day=DAY + dt.timedelta(days=3), spender_email=ANA)

    desk.first._workers.shutdown()  # the matching ran on a receipt worker
    assert desk.said.lines[-1] == ("attached", [payment])
    assert receipts_of(desk, payment) == 1


def test_a_receipt_whose_total_cannot_be_read_waits_and_says_why(desk: ReceiptDesk) -> None:
    desk.arrive("pay_1", "45.00", spender_email=ANA)

    desk.waiting(Canned(None, problem="The photo is too blurred to read."))

    assert desk.said.lines == [("unread", [])]


def test_finance_sees_mismatches_and_receipts_a_month_without_a_payment(
    desk: ReceiptDesk, uow: UnitOfWorkFactory
) -> None:
    held = desk.arrive("pay_1", "54.00")
    desk.read(held, Canned(Decimal("45.00")))
    waiting = desk.waiting(Canned(Decimal("77.00")))
    with uow() as work:
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
        work.session.execute(update(WaitingReceipt).where(WaitingReceipt.id == waiting).values(created_at=long_ago))
        work.commit()
    home = HomeService(uow=uow, roles=desk.checks._roles, coding=desk.desk.coding)

    notes = home.view(desk.finance, HomeFilter()).receipt_notes
    assert notes is not None
    assert notes.mismatches == 1
    [(card, what, _)] = notes.mismatch_lines
    assert (card.payment_id, what) == (held, "Receipt total GBP 45.00, payment GBP 54.00")
    assert (notes.stale, [name for _, name, _ in notes.stale_lines]) == (1, ["photo.jpg"])
    row = next(r for r in home.view(desk.finance, HomeFilter()).rows if r.card.payment_id == held)
    assert "Receipt mismatch" in row.labels
    assert home.view(desk.employee, HomeFilter()).receipt_notes is None


def test_files_in_other_channels_are_not_taken_for_receipts(desk: ReceiptDesk) -> None:
    shared = SharedFile("T1", desk.desk.books.workspace_id, EMPLOYEE, "C0RANDOM", "1.2", "1.2", [{"id": "F1"}])

    desk.first.receive(shared, direct=False)  # no finance channel is set, and this is no direct message

    desk.first._workers.shutdown()
    assert desk.said.lines == []


def test_a_busy_week_of_payments_does_not_hide_the_one_a_receipt_fits(desk: ReceiptDesk) -> None:
    waiting = desk.waiting(Canned(Decimal("299.00"), merchant="Shop 299"))
    week = [PaymentIn(f"p{n}", ACCOUNT, Decimal(n), "GBP", DAY, f"Shop {n}", spender_email=ANA) for n in range(1, 300)]
    desk.desk.ingest.ingest(desk.desk.books.workspace_id, week)  # an import's batch, the one it fits last

    desk.first._workers.shutdown()
    assert desk.stored_waiting(waiting).payment_id == desk.desk.id_of("p299")


def test_a_receipt_sent_while_the_pool_was_full_is_read_by_the_job(desk: ReceiptDesk, uow: UnitOfWorkFactory) -> None:
    mine = desk.arrive("pay_1", "45.00", spender_email=ANA)
    desk.pool.full = True
    waiting = desk.waiting(Canned(Decimal("45.00")))
    assert desk.said.lines == [] and desk.stored_waiting(waiting).read_at is None

    desk.pool.full = False
    assert desk.first.read_due() == 0  # just sent: it may still be in the pool's queue
    with uow() as work:
        sent_earlier = desk.desk.books.clock.now() - dt.timedelta(minutes=11)
        work.session.execute(update(WaitingReceipt).values(created_at=sent_earlier))
        work.commit()
    assert desk.first.read_due() == 1
    desk.pool.run()

    assert desk.said.lines == [("attached", [mine])]
