"""The account search on a payment (Slack asks on every keystroke): an organisation's accounts are kept between
searches, and a refresh of its reference data from Xero, a reconnect or a disconnect is seen at the next search
(another instance's within a second)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event, update

from bot.clock import FrozenClock
from bot.payments.kept_choices import AccountChoices, Marks
from bot.xero.reference import ReferenceDataSync
from bot.xero.types import Organisation, TenantRef, XeroAccount
from storage.models import ConnectionState, XeroConnection
from storage.uow import UnitOfWorkFactory
from tests.services.coding_support import Desk
from tests.services.conftest import Books


class Chart:
    """Xero's side of a reference refresh: the organisation's chart of accounts as it is now."""

    def __init__(self) -> None:
        self.chart: list[XeroAccount] = []

    def add(self, code: str, name: str) -> None:
        self.chart.append(
            XeroAccount(f"acct-{code}", code, name, "EXPENSE", "EXPENSE", "ACTIVE", "INPUT2", None, None, None, None)
        )

    def organisation(self, tenant: TenantRef) -> Organisation:
        return Organisation("Books Ltd", "GBP", "!abc", "GB")

    def accounts(self, tenant: TenantRef, since: datetime | None) -> list[XeroAccount]:
        return self.chart

    def tax_rates(self, tenant: TenantRef) -> list[Any]:
        return []

    def tracking_categories(self, tenant: TenantRef) -> list[Any]:
        return []

    def contacts(self, tenant: TenantRef, page: int, since: datetime | None) -> list[Any]:
        return []


@pytest.fixture
def desk(books: Books, uow: UnitOfWorkFactory, clock: FrozenClock) -> Desk:
    return Desk.open(books, uow, clock)


def offered(desk: Desk) -> list[str]:
    return [f"{choice.code} {choice.name}" for choice in desk.coding.account_choices(desk.finance)]


def statements_during(desk: Desk, search: Any, table: str = "xero_accounts") -> list[str]:
    seen: list[str] = []
    engine = desk.books.uow.sessions.kw["bind"]

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        search()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return [s for s in seen if table in s]


def test_a_second_search_reads_the_kept_accounts_not_the_chart(desk: Desk) -> None:
    first = offered(desk)

    assert first == ["429 General Expenses", "463 IT Software"]
    assert statements_during(desk, lambda: offered(desk)) == []
    assert statements_during(desk, lambda: offered(desk), table="xero_connections") == []  # within its second
    assert offered(desk) == first


def test_accounts_refreshed_from_xero_are_offered_at_the_next_search(desk: Desk, clock: FrozenClock) -> None:
    assert "500 Travel" not in offered(desk)
    chart = Chart()
    chart.add("500", "Travel")
    tenant = TenantRef(desk.books.connection_id, desk.books.workspace_id, "tenant-1", "Books Ltd", 1)

    ReferenceDataSync(gateway=chart, uow=desk.books.uow, clock=clock).refresh(tenant)  # type: ignore[arg-type]

    assert offered(desk) == ["429 General Expenses", "463 IT Software", "500 Travel"]


def test_a_syncs_stamps_on_the_connection_leave_the_kept_mark_alone(desk: Desk, clock: FrozenClock) -> None:
    """Every payment synced stamps its connection (`last_sync_at`): the search must not read the mark each time."""
    offered(desk)
    with desk.books.uow() as work:
        connection = work.session.get(XeroConnection, desk.books.connection_id)
        assert connection is not None
        connection.last_sync_at = clock.now()
        connection.day_limit_remaining = 4_000
        work.commit()

    assert statements_during(desk, lambda: offered(desk), table="xero_connections") == []


def test_a_disconnected_organisation_offers_nothing_at_the_next_search(desk: Desk) -> None:
    assert offered(desk)

    with desk.books.uow() as work:
        connection = work.session.get(XeroConnection, desk.books.connection_id)
        assert connection is not None
        connection.state = ConnectionState.DISCONNECTED
        work.commit()

    assert offered(desk) == []


def test_another_instance_disconnecting_is_seen_by_the_search_within_a_second(desk: Desk) -> None:
    now = [100.0]
    choices = AccountChoices(Marks(monotonic=lambda: now[0]))

    def listed() -> list[str]:
        with desk.books.uow.reading() as work:
            return [choice.code for choice in choices.of(work, desk.books.workspace_id)]

    assert listed() == ["429", "463"]
    with desk.books.uow() as work:  # a statement, not this process's ORM: as another instance writes it
        work.session.execute(
            update(XeroConnection)
            .where(XeroConnection.id == desk.books.connection_id)
            .values(state=ConnectionState.DISCONNECTED)
        )
        work.commit()

    now[0] += 0.9
    assert listed() == ["429", "463"]
    now[0] += 0.1
    assert listed() == []
