"""What Xero says of synced payments: the poll reads it back (reconciled, changed, deleted in Xero) at a bounded
cost, and a reconciled payment refuses every change in the service, whatever surface asked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import SecretStr

from bot.clock import FrozenClock
from bot.connection.roles import Roles
from bot.errors import DomainError
from bot.home.service import HomeService
from bot.home.view import HomeFilter
from bot.payments.lifecycle import PaymentState
from bot.sync.engine import SyncEngine
from bot.sync.items import SyncItem, summary
from bot.sync.xero_differences import differences
from bot.sync.xero_status import POLL_EVERY, XeroStatusPoll
from bot.xero.gateway import XeroGateway
from bot.xero.types import SpendInXero, SpendLine, SpendPage, TenantRef
from sandbox.xero import XeroEmulator
from sandbox.xero.consent import connect
from storage.models import Payment, SyncAttempt
from storage.uow import UnitOfWorkFactory
from tests.services.coding_support import Desk, FinanceIsAdmin
from tests.services.conftest import FINANCE, Books, FakeCards
from tests.services.fakes import FakeXeroGateway
from tests.services.test_xero_gateway import IssuedTokens, spend

REFUSAL = "Reconciled in Xero: change it there."


class XeroSays:
    """Xero's answer to the poll: the transactions changed since the time asked, one page; every call counted."""

    def __init__(self) -> None:
        self.spends: list[SpendInXero] = []
        self.asked: list[tuple[datetime | None, int]] = []

    def spends_changed_since(
        self, tenant: TenantRef, since: datetime | None, *, page: int, page_size: int
    ) -> SpendPage:
        self.asked.append((since, page))
        return SpendPage(list(self.spends), more=False)


def as_xero_has_it(xero_id: str, **fields: Any) -> SpendInXero:
    values: dict[str, Any] = {
        "xero_id": xero_id,
        "status": "AUTHORISED",
        "reconciled": False,
        "updated_utc": datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        "date": dt.date(2026, 7, 2),
        "total": Decimal("120.00"),
        "lines": (("463", "INPUT2"),),
        "contact_name": "Figma Inc",
    } | fields
    return SpendInXero(**values)


@pytest.fixture
def desk(books: Books, uow: UnitOfWorkFactory, clock: FrozenClock) -> Desk:
    return Desk.open(books, uow, clock)


@pytest.fixture
def says() -> XeroSays:
    return XeroSays()


@pytest.fixture
def poll(uow: UnitOfWorkFactory, clock: FrozenClock, says: XeroSays, cards: FakeCards) -> XeroStatusPoll:
    return XeroStatusPoll(uow=uow, clock=clock, gateway=says, cards=cards)


def synced(desk: Desk, sync: SyncEngine, xero: FakeXeroGateway) -> tuple[int, str]:
    """A payment coded to 463 and INPUT2, approved and synced (to the fake gateway): its id and Xero's."""
    payment_id = desk.coded_and_approved("pay_1", "463")
    sync.run()
    row = desk.books.stored(payment_id)
    assert row.state is PaymentState.SYNCED and row.xero_bank_transaction_id
    return payment_id, row.xero_bank_transaction_id


def polled(poll: XeroStatusPoll, clock: FrozenClock, says: XeroSays, *spends: SpendInXero) -> None:
    """One polling interval later, Xero answers with `spends`."""
    clock.advance(seconds=POLL_EVERY.total_seconds())
    says.spends = list(spends)
    poll.run()


def test_a_transaction_reconciled_in_xero_shows_on_the_card_and_refuses_every_change(
    desk: Desk, sync: SyncEngine, xero: FakeXeroGateway, poll: XeroStatusPoll, clock: FrozenClock, says: XeroSays
) -> None:
    payment_id, xero_id = synced(desk, sync, xero)
    reconciled_at = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    polled(poll, clock, says, as_xero_has_it(xero_id, reconciled=True, updated_utc=reconciled_at))

    card = desk.card(payment_id).card
    assert (card.xero_status, card.xero_reconciled_on) == ("reconciled", dt.date(2026, 11, 21))
    version = card.version
    refusals = [
        lambda: desk.coding.set_tax(desk.finance, payment_id, version, "NONE"),
        lambda: desk.coding.set_account(desk.finance, payment_id, version, "429"),
        lambda: desk.coding.edit(desk.finance, payment_id, version, description="Seats"),
        lambda: desk.coding.view_for(desk.finance, payment_id, doing="edit"),
        lambda: desk.approvals.approve(desk.finance, payment_id, version),
    ]
    for refused in refusals:
        with pytest.raises(DomainError) as told:
            refused()
        assert told.value.message == REFUSAL
    assert desk.card(payment_id).card.version == version and xero.called("update_spend_money") == []

    polled(poll, clock, says, as_xero_has_it(xero_id, updated_utc=reconciled_at + timedelta(hours=1)))  # unmatched
    card = desk.card(payment_id).card
    assert card.xero_status is None
    desk.coding.set_tax(desk.finance, payment_id, card.version, "NONE")
    assert desk.books.stored(payment_id).state is PaymentState.UPDATED


def test_a_change_made_in_xero_lists_what_differs_and_a_resync_puts_the_bots_version_back(
    desk: Desk, sync: SyncEngine, xero: FakeXeroGateway, poll: XeroStatusPoll, clock: FrozenClock, says: XeroSays
) -> None:
    payment_id, xero_id = synced(desk, sync, xero)
    sent_day = desk.books.stored(payment_id).date
    edited = as_xero_has_it(
        xero_id, date=sent_day, total=Decimal("130.00"), lines=(("429", "INPUT2"),), contact_name="figma inc "
    )
    polled(poll, clock, says, edited)

    card = desk.card(payment_id).card
    assert card.xero_status == "changed"
    # The contact differs only in case and spacing: no change.
    assert card.xero_changes == (("amount", "120.00", "130.00"), ("account", "463", "429"))
    polled(poll, clock, says, edited)  # read again: nothing new to show
    assert desk.card(payment_id).card.version == card.version

    desk.approvals.approve(desk.finance, payment_id, card.version)  # the card's Re-sync, after Slack asked
    sync.run()
    row = desk.books.stored(payment_id)
    assert row.state is PaymentState.SYNCED and row.xero_status is None
    assert [s.amount for s in xero.called("update_spend_money")[0]] == [Decimal("120.00")]


def test_a_transaction_deleted_in_xero_returns_the_payment_to_pending_and_only_an_approve_creates_another(
    desk: Desk, sync: SyncEngine, xero: FakeXeroGateway, poll: XeroStatusPoll, clock: FrozenClock, says: XeroSays
) -> None:
    payment_id, xero_id = synced(desk, sync, xero)
    polled(poll, clock, says, as_xero_has_it(xero_id, status="DELETED"))

    row = desk.books.stored(payment_id)
    assert (row.state, row.xero_status, row.xero_bank_transaction_id) == (PaymentState.PENDING, "deleted", None)
    sync.run()
    assert len(xero.called("create_spend_money")) == 1  # nothing re-created on its own

    desk.approve(payment_id)
    sync.run()
    row = desk.books.stored(payment_id)
    assert len(xero.called("create_spend_money")) == 2
    assert row.state is PaymentState.SYNCED and row.xero_bank_transaction_id not in (None, xero_id)
    assert row.xero_status is None


def test_a_payment_being_sent_is_left_for_the_next_poll(
    desk: Desk, sync: SyncEngine, xero: FakeXeroGateway, poll: XeroStatusPoll, clock: FrozenClock, says: XeroSays
) -> None:
    payment_id, xero_id = synced(desk, sync, xero)
    desk.code(payment_id, "429")
    desk.approve(payment_id)  # a Re-sync queued: what Xero has now is about to be replaced
    polled(poll, clock, says, as_xero_has_it(xero_id, lines=(("400", "INPUT2"),)))
    assert desk.books.stored(payment_id).xero_status is None

    sync.run()
    polled(poll, clock, says, as_xero_has_it(xero_id, lines=(("429", "INPUT2"),)))
    first, second = (since for since, _ in says.asked[-2:])
    assert second is not None and first is not None and second <= datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    assert desk.books.stored(payment_id).xero_status is None


def test_an_organisation_whose_day_budget_is_nearly_spent_is_not_polled(
    desk: Desk, sync: SyncEngine, xero: FakeXeroGateway, poll: XeroStatusPoll, clock: FrozenClock, says: XeroSays
) -> None:
    synced(desk, sync, xero)
    with desk.books.uow() as work:
        connection = work.connections.get(desk.books.connection_id)
        assert connection is not None
        connection.day_limit_remaining, connection.limits_seen_at = 120, clock.now()
        work.commit()
    polled(poll, clock, says)
    assert says.asked == []  # what is left of the day is syncing's

    clock.advance(days=1)  # a new day at Xero: yesterday's count says nothing
    polled(poll, clock, says)
    assert len(says.asked) == 1


def test_the_home_lists_this_months_payments_synced_a_week_ago_and_not_reconciled(
    desk: Desk, books: Books, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    today = clock.now()  # 20 Nov 2026
    synced_on = {"late": 9, "recent": 2, "reconciled": 12, "last_month": 30}
    ids = {}
    for name, days in synced_on.items():
        day = (today - timedelta(days=days)).date() if name == "last_month" else today.date().replace(day=3)
        ids[name] = books.payment(name, approved=False, date=day)
        with uow() as work:
            row = work.payments.get(books.workspace_id, ids[name])
            assert row is not None
            row.state, row.xero_bank_transaction_id = PaymentState.SYNCED, f"xero-{name}"
            row.synced_at = today - timedelta(days=days)
            row.xero_reconciled_at = today if name == "reconciled" else None
            work.commit()
    roles = Roles(uow=uow, directory=FinanceIsAdmin())  # type: ignore[arg-type]
    home = HomeService(uow=uow, roles=roles, coding=desk.coding, clock=clock)

    def listed(reconciliation: str) -> list[int]:
        view = home.view(desk.finance, HomeFilter(tab="synced", reconciliation=reconciliation))
        assert view.total == len(view.rows)
        return [row.card.payment_id for row in view.rows]

    assert listed("waiting") == [ids["late"]]
    assert listed("reconciled") == [ids["reconciled"]]


def test_a_split_payment_is_compared_line_by_line_with_what_was_sent() -> None:
    lines = (
        SpendLine("Seats", Decimal("70.00"), "463", "INPUT2"),
        SpendLine("Travel", Decimal("50.00"), "493", "NONE"),
    )
    item = SyncItem(
        1, 1, "key", "xero-1", "bank-090", dt.date(2026, 7, 2), "INV-77", "Seats", Decimal("120.00"), "463", "INPUT2",
        [], None, "Figma Inc", "https://bot.example.com/?xeb=1-1", None, split=lines,
    )  # fmt: skip
    sent = summary(item)
    as_sent = as_xero_has_it("xero-1", lines=(("463", "INPUT2"), ("493", "NONE")))
    assert differences(sent, as_sent) == []
    moved = as_xero_has_it("xero-1", lines=(("463", "INPUT2"), ("429", "NONE")))
    assert differences(sent, moved) == [{"field": "account", "sent": "463, 493", "xero": "429, 463"}]


# --- against the Xero emulator: what polling a thousand synced transactions costs -------------------------------


@pytest.fixture
def emulator() -> Iterator[XeroEmulator]:
    with XeroEmulator(validate=False) as running:
        yield running


def emulator_books(emulator: XeroEmulator, uow: UnitOfWorkFactory, clock: FrozenClock) -> tuple[Books, XeroGateway]:
    issued = connect(emulator.url, client_id=emulator.client_id, client_secret=emulator.client_secret)
    settings: Any = SimpleNamespace(
        xero_api_url=emulator.url,
        xero_client_id=emulator.client_id,
        xero_client_secret=SecretStr(emulator.client_secret),
    )
    gateway = XeroGateway(settings=settings, tokens=IssuedTokens(issued["access_token"]), uow=uow, clock=clock)  # type: ignore[arg-type]
    return Books(uow, clock, FakeXeroGateway()).connect(tenant_id=emulator.default_tenant_id), gateway


def thousand_synced(emulator: XeroEmulator, books: Books, gateway: XeroGateway, clock: FrozenClock) -> list[str]:
    """1,000 Spend Money transactions in Xero, each the transaction of a synced payment; their ids."""
    tenant = TenantRef(books.connection_id, books.workspace_id, emulator.default_tenant_id, "Demo", 1)
    contact = emulator.add_contact(emulator.default_tenant_id, "Figma Inc")
    ids: list[str] = []
    for batch in range(20):
        spends = [spend(emulator, contact, reference=f"PAY-{batch * 50 + n}") for n in range(50)]
        ids += [str(a.xero_id) for a in gateway.create_spend_money(tenant, spends, f"key-{batch}")]
    sent = {"date": "2026-01-01", "amount": "120.00", "account": "463", "tax": "INPUT2", "contact": "Figma Inc"}
    with books.uow() as work:
        for n, xero_id in enumerate(ids):
            row = Payment(
                workspace_id=books.workspace_id,
                source_account_id=books.source_account_id,
                external_id=f"pay_{n}",
                amount=Decimal("120.00"),
                currency="GBP",
                date=dt.date(2026, 1, 1),
                payee="Figma Inc",
                account_code="463",
                tax_type="INPUT2",
                state=PaymentState.SYNCED,
                xero_bank_transaction_id=xero_id,
                synced_at=clock.now() - timedelta(minutes=1),
            )
            work.session.add(row)
            work.session.flush()
            work.session.add(
                SyncAttempt(
                    payment_id=row.id,
                    operation="create",
                    request_summary=sent,
                    outcome="ok",
                    xero_id=xero_id,
                    actor_user_id=FINANCE,
                )
            )
        work.commit()
    return ids


def test_polling_a_thousand_synced_transactions_costs_at_most_two_calls_and_reads_back_each_change(
    emulator: XeroEmulator, uow: UnitOfWorkFactory, cards: FakeCards
) -> None:
    clock = FrozenClock(emulator.clock.now())
    books, gateway = emulator_books(emulator, uow, clock)
    ids = thousand_synced(emulator, books, gateway, clock)
    poll = XeroStatusPoll(uow=uow, clock=clock, gateway=gateway, cards=cards)
    listed = "/api.xro/2.0/BankTransactions"

    first = poll.run()
    assert (first.seen, first.changed) == (1000, []) and len(emulator.requests_to("GET", listed)) == first.calls <= 2

    tenant_id = emulator.default_tenant_id
    emulator.clock.advance(1)
    emulator.reconcile_in_xero(tenant_id, ids[10])
    emulator.edit_in_xero(tenant_id, ids[20], amount=Decimal("99.00"), account_code="429")
    emulator.delete_in_xero(tenant_id, ids[30])
    clock.advance(seconds=POLL_EVERY.total_seconds())
    calls_before = len(emulator.requests_to("GET", listed))
    second = poll.run()

    assert second.calls == len(emulator.requests_to("GET", listed)) - calls_before <= 2
    assert second.seen <= 3 + 50  # what changed since, and the newest change seen before (its batch) again
    with uow() as work:
        rows = {p.xero_bank_transaction_id: p for p in work.session.query(Payment)}
        deleted = work.session.query(Payment).filter_by(external_id="pay_30").one()
    assert rows[ids[10]].xero_status == "reconciled"
    assert rows[ids[20]].xero_changes == [
        {"field": "amount", "sent": "120.00", "xero": "99.00"},
        {"field": "account", "sent": "463", "xero": "429"},
    ]
    assert (deleted.state, deleted.xero_status, deleted.xero_bank_transaction_id) == (
        PaymentState.PENDING,
        "deleted",
        None,
    )
    assert sorted(p.xero_status for p in rows.values() if p.xero_status) == ["changed", "deleted", "reconciled"]
    assert all(
        t["IsReconciled"] is False for t in emulator.bank_transactions(tenant_id) if t["BankTransactionID"] != ids[10]
    )
