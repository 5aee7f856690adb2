"""Organisations take turns: one organisation's long queue does not hold up another's single approval."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.clock import FrozenClock
from bot.sync.engine import SyncEngine
from bot.sync.rounds import take_in_turn
from bot.xero.types import SpendAnswer, SpendMoney, TenantRef
from storage.models import PaymentState
from storage.uow import UnitOfWorkFactory
from tests.services.conftest import LEASE, PUBLIC_URL, Books, FakeCards
from tests.services.fakes import FakeXeroGateway


class ApprovalDuringSync(FakeXeroGateway):
    """Xero as the fake has it; while the first batch of the busy organisation is being sent, someone in the
    other workspace approves a payment."""

    def __init__(self) -> None:
        super().__init__()
        self.meanwhile: Any = None

    def create_spend_money(self, tenant: TenantRef, spends: Sequence[SpendMoney], key: str) -> list[SpendAnswer]:
        if self.meanwhile is not None:
            approve, self.meanwhile = self.meanwhile, None
            approve()
        return super().create_spend_money(tenant, spends, key)


def test_a_single_approval_is_sent_within_a_round_of_another_organisations_backlog(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    xero = ApprovalDuringSync()
    busy = Books(uow, clock, xero).connect("TBUSY", tenant_id="tenant-busy")
    quiet = Books(uow, clock, xero).connect("TQUIET", tenant_id="tenant-quiet")
    for n in range(150):  # three batches of 50
        busy.payment(f"bulk_{n:03d}", reference=f"BULK-{n:03d}")
    single = quiet.payment("single", reference="SINGLE", approved=False)
    xero.meanwhile = lambda: quiet.approve(single)
    engine = SyncEngine(
        uow=uow, clock=clock, gateway=xero, cards=FakeCards(), public_url=PUBLIC_URL, lease=LEASE, at_once=1
    )

    engine.run()

    sent = [[s.reference for s in spends] for call, spends in xero.calls if call == "create_spend_money"]
    assert len(sent) == 4
    assert sent[1] == ["SINGLE"], "the single approval goes right after the batch being sent when it came in"
    assert quiet.stored(single).state is PaymentState.SYNCED
    assert sum(len(batch) for batch in sent) == 151


def test_receipts_of_a_bulk_run_take_turns_with_another_organisations_payment(
    uow: UnitOfWorkFactory, clock: FrozenClock, xero: FakeXeroGateway
) -> None:
    busy = Books(uow, clock, xero).connect("TBUSY", tenant_id="tenant-busy")
    quiet = Books(uow, clock, xero).connect("TQUIET", tenant_id="tenant-quiet")
    payments = [busy.payment(f"bulk_{n:03d}", reference=f"BULK-{n:03d}") for n in range(20)]
    engine = SyncEngine(
        uow=uow, clock=clock, gateway=xero, cards=FakeCards(), public_url=PUBLIC_URL, lease=LEASE, at_once=1
    )
    engine.run()
    for n, payment_id in enumerate(payments):  # receipts arrive after the transactions are in Xero: 4 steps of 5
        busy.receipt(payment_id, f"r{n}.pdf")
    single = quiet.payment("single", reference="SINGLE")
    xero.calls.clear()

    engine.run()

    order = [call for call, _ in xero.calls]
    sent = order.index("create_spend_money")
    assert order[:sent].count("attach_receipt") <= 5, "the single payment waits one step of receipts at most"
    assert order.count("attach_receipt") == 20
    assert quiet.stored(single).state is PaymentState.SYNCED


def test_taking_turns_ends_when_no_key_can_do_anything_more() -> None:
    """Keys take a step each in turn; one whose step does nothing (its day's budget is spent, say) is not taken
    again and again, though it is still named as having work."""
    left = {"a": 3, "b": 1, "stuck": 0}
    taken: list[str] = []

    def step(key: str) -> bool:
        taken.append(key)
        if left[key] == 0:
            return False
        left[key] -= 1
        return True

    take_in_turn(lambda: ["a", "b", "stuck"], step, at_once=1)

    assert taken[:3] == ["a", "b", "stuck"]
    assert taken.count("a") == 4 and taken.count("b") == 2 and taken.count("stuck") == 1


class StopAfterFirstBatch(FakeXeroGateway):
    """Xero as the fake has it; `serve` is told to stop while the first batch is being sent."""

    def __init__(self) -> None:
        super().__init__()
        self.engine: SyncEngine | None = None

    def create_spend_money(self, tenant: TenantRef, spends: Sequence[SpendMoney], key: str) -> list[SpendAnswer]:
        assert self.engine is not None
        self.engine.stop()
        return super().create_spend_money(tenant, spends, key)


def test_a_stopping_bot_finishes_the_batch_in_flight_and_leaves_the_rest_approved_for_later(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    xero = StopAfterFirstBatch()
    busy = Books(uow, clock, xero).connect("TBUSY", tenant_id="tenant-busy")
    payments = [busy.payment(f"bulk_{n:03d}", reference=f"BULK-{n:03d}") for n in range(150)]  # three batches
    engine = xero.engine = SyncEngine(
        uow=uow, clock=clock, gateway=xero, cards=FakeCards(), public_url=PUBLIC_URL, lease=LEASE, at_once=1
    )

    engine.run()

    states = [busy.stored(p).state for p in payments]
    assert [call for call, _ in xero.calls].count("create_spend_money") == 1
    assert states.count(PaymentState.SYNCED) == 50
    assert states.count(PaymentState.APPROVED) == 100, "the rest waits, still approved, for the next start"
