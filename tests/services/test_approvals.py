"""Approving a payment: what is still missing is said in words, all of it at once, and nothing is queued for Xero.
(Where the refusal is shown, on the card, the Home tab or the payment window: tests/e2e/test_refusals.py.)"""

from __future__ import annotations

import pytest

from bot.clock import FrozenClock
from bot.errors import DomainError
from storage.models import PaymentState, SourceAccount
from storage.uow import UnitOfWorkFactory
from tests.services.coding_support import Desk
from tests.services.conftest import Books


@pytest.fixture
def desk(books: Books, uow: UnitOfWorkFactory, clock: FrozenClock) -> Desk:
    return Desk.open(books, uow, clock)


def unmap_bank_account(books: Books) -> None:
    with books.uow() as work:
        source = work.session.get(SourceAccount, books.source_account_id)
        assert source is not None
        source.xero_bank_account_id = None
        work.commit()


def test_an_incomplete_payment_says_everything_it_is_missing_and_stays_pending(desk: Desk, books: Books) -> None:
    unmap_bank_account(books)
    payment_id = desk.arrive("pay_raw")

    with pytest.raises(DomainError) as refused:
        desk.approve(payment_id)

    assert str(refused.value) == (
        "This payment can't sync yet: choose a Xero account; choose a tax rate; an admin must map Operating GBP (GBP) "
        "to a Xero bank account in /xero settings."
    )
    assert books.stored(payment_id).state is PaymentState.PENDING


def test_once_coded_and_mapped_the_same_payment_is_approved(desk: Desk, books: Books) -> None:
    payment_id = desk.arrive("pay_raw")
    with pytest.raises(DomainError, match=r"choose a Xero account; choose a tax rate\.$"):
        desk.approve(payment_id)

    desk.code(payment_id, "463", tax="INPUT2")
    desk.approve(payment_id)

    assert books.stored(payment_id).state is PaymentState.APPROVED
