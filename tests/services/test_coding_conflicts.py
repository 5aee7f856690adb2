"""Two people changing one payment at the same moment: the second write is refused with the Conflict message the
card shows, never an unexpected error, and the first one's change is what the payment keeps."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from bot.clock import FrozenClock
from bot.payments.coding import Conflict
from storage.models import Payment
from storage.uow import UnitOfWork, UnitOfWorkFactory
from tests.services.coding_support import Desk
from tests.services.conftest import Books


@pytest.fixture
def desk(books: Books, uow: UnitOfWorkFactory, clock: FrozenClock) -> Desk:
    return Desk.open(books, uow, clock)


def test_a_tax_change_racing_another_write_is_refused_as_a_conflict(desk: Desk, monkeypatch: Any) -> None:
    payment_id = desk.arrive("pay_race")
    seen = desk.card(payment_id).card.version
    editable = desk.coding._editable

    def read_then_someone_else_writes(work: UnitOfWork, *args: Any) -> Payment:
        payment = editable(work, *args)
        # Another request commits its change after this one read the payment and before it writes.
        someone_else = update(Payment).where(Payment.id == payment_id).values(version=Payment.version + 1)
        work.session.execute(someone_else, execution_options={"synchronize_session": False})
        return payment

    monkeypatch.setattr(desk.coding, "_editable", read_then_someone_else_writes)

    with pytest.raises(Conflict) as refused:
        desk.coding.set_tax(desk.finance, payment_id, seen, "INPUT2")

    assert "Someone else changed this payment" in str(refused.value)
    monkeypatch.undo()
    assert desk.card(payment_id).card.version == seen  # nothing of the refused request was kept
