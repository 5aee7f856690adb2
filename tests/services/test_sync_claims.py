"""Claims and leases: a payment another instance is syncing is left alone while its claim lives (renewed by a
heartbeat), and one whose instance died is settled by the exact marker look-up before anything is sent again."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta

from bot.clock import FrozenClock
from bot.sync.engine import RunReport, SyncEngine
from bot.sync.items import spend_money
from bot.xero.types import SpendAnswer, SpendMoney, TenantRef
from storage.models import PaymentState
from storage.uow import UnitOfWorkFactory
from tests.services.conftest import LEASE, PUBLIC_URL, Books, FakeCards
from tests.services.fakes import FakeXeroGateway


def died_mid_sync(books: Books, sync: SyncEngine, *, committed: bool) -> int:
    """An instance claimed the approved payment and stopped before Xero's answer was stored; Xero created the
    transaction if `committed`. The payment's id."""
    payment_id = books.payment()
    tenant = sync.claims.connected_tenants()[0]
    [item], _ = sync.claims.claim(tenant, limit=50)
    if committed:
        books.xero.add_spend(spend_money(item))
    return payment_id


def test_a_live_claim_is_left_alone_and_a_stale_one_is_found_in_xero_not_sent_again(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = died_mid_sync(books, sync, committed=True)
    sync.run()
    assert books.stored(payment_id).state is PaymentState.SYNCING and xero.calls == [], "its claim still lives"

    books.clock.advance(seconds=LEASE.total_seconds() + 1)
    report = sync.run()

    [spend] = xero.spends()
    row = books.stored(payment_id)
    assert report.synced == [payment_id] and xero.called("create_spend_money") == []
    assert row.state is PaymentState.SYNCED and row.xero_bank_transaction_id == spend.xero_id
    assert [(a.operation, a.outcome) for a in books.attempts(payment_id)] == [("lookup", "ok"), ("note", "ok")]


def test_a_stale_claim_xero_does_not_have_is_sent_again_in_the_same_run(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = died_mid_sync(books, sync, committed=False)
    books.clock.advance(seconds=LEASE.total_seconds() + 1)
    sync.run()
    assert books.stored(payment_id).state is PaymentState.SYNCED and len(xero.spends()) == 1
    log = [(a.operation, a.outcome) for a in books.attempts(payment_id)]
    assert log == [("lookup", "ok"), ("create", "ok"), ("note", "ok")]


class SlowXero(FakeXeroGateway):
    """Xero that takes its time over a create: `during_create` runs while the request is in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.during_create: Callable[[], None] = lambda: None

    def create_spend_money(self, tenant: TenantRef, spends: Sequence[SpendMoney], key: str) -> list[SpendAnswer]:
        self.during_create()
        return super().create_spend_money(tenant, spends, key)


def eventually(check: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_a_sync_slower_than_its_lease_keeps_its_claim_and_another_instance_leaves_it_alone(
    books: Books, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    xero = SlowXero()
    lease = timedelta(seconds=1)  # the heartbeat renews every 0.2 s
    first = SyncEngine(uow=uow, clock=clock, gateway=xero, cards=FakeCards(), public_url=PUBLIC_URL, lease=lease)
    other = SyncEngine(uow=uow, clock=clock, gateway=xero, cards=FakeCards(), public_url=PUBLIC_URL, lease=lease)
    payment_id = books.payment()
    seen: dict[str, object] = {}

    def while_xero_works() -> None:
        xero.during_create = lambda: None
        clock.advance(seconds=30)  # far longer than the lease
        held = lambda: (books.stored(payment_id).sync_next_attempt_at or clock.now()) > clock.now()  # noqa: E731
        seen["renewed"] = eventually(held)
        seen["other"] = other.run()

    xero.during_create = while_xero_works
    syncing = threading.Thread(target=first.run)
    syncing.start()
    syncing.join()

    assert seen["renewed"], "the heartbeat moved the claim past the clock"
    assert seen["other"] == RunReport(), "the other instance found nothing to do"
    [spend] = xero.spends()
    row = books.stored(payment_id)
    assert row.state is PaymentState.SYNCED and row.xero_bank_transaction_id == spend.xero_id
    assert xero.called("spends_with_reference") == []


def test_a_claimed_payment_is_not_claimed_again(books: Books, sync: SyncEngine) -> None:
    ids = [books.payment(f"pay_{n}") for n in range(3)]
    tenant = sync.claims.connected_tenants()[0]
    first, _ = sync.claims.claim(tenant, limit=2)
    second, _ = sync.claims.claim(tenant, limit=50)
    assert sorted(i.payment_id for i in first + second) == ids
    assert {books.stored(i).state for i in ids} == {PaymentState.SYNCING}


def test_two_instances_running_at_once_send_each_payment_once(
    books: Books, uow: UnitOfWorkFactory, clock: FrozenClock, xero: FakeXeroGateway
) -> None:
    ids = [books.payment(f"pay_{n}", payee=f"Payee {n}") for n in range(3)]
    instances = [
        SyncEngine(uow=uow, clock=clock, gateway=xero, cards=FakeCards(), public_url=PUBLIC_URL, lease=LEASE)
        for _ in range(2)
    ]
    runs = [threading.Thread(target=instance.run) for instance in instances * 2]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert len(xero.spends()) == 3 and {books.stored(i).state for i in ids} == {PaymentState.SYNCED}
    assert sum(len(batch) for batch in xero.called("create_spend_money")) == 3, "no payment was sent twice"
