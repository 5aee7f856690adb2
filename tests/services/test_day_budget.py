"""Xero's daily budget: the bulk sync confirmation says when a run finishes (or that it resumes tomorrow), and
receipts never spend the day's last calls while a transaction waits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.connection.roles import Actor, Roles
from bot.errors import DomainError
from bot.sync.bulk import BulkPlan, BulkSyncService
from bot.sync.engine import RunReport, SyncEngine
from bot.xero.errors import XeroUnavailable
from handlers.bulk_messages import finish_words
from storage.models import ReceiptState, Workspace, XeroConnection
from storage.uow import UnitOfWorkFactory
from tests.services.conftest import FINANCE, Books
from tests.services.fakes import FakeXeroGateway


class AdminsOnly:
    """The Slack directory Roles asks: everyone here is a workspace admin."""

    def is_workspace_admin(self, team_id: str, user_id: str) -> bool:
        return True


def bulk_service(uow: UnitOfWorkFactory, clock: FrozenClock, day_limit: int = 5000) -> BulkSyncService:
    roles = Roles(uow=uow, directory=AdminsOnly())  # type: ignore[arg-type]
    return BulkSyncService(
        uow=uow,
        clock=clock,
        roles=roles,
        messenger=None,
        calls_per_minute=60,
        day_limit=day_limit,  # type: ignore[arg-type]
    )


def ready(books: Books, count: int, *, receipts: bool = True) -> list[int]:
    """`count` coded payments not yet approved, each with a stored receipt; payee Figma Inc, new to Xero."""
    ids = []
    for n in range(count):
        payment_id = books.payment(f"pay_{n}", approved=False)
        if receipts:
            books.receipt(payment_id, f"r{n}.pdf")
        ids.append(payment_id)
    return ids


def xero_said(books: Books, remaining: int | None, *, days_ago: int = 0) -> None:
    """What the last answer's X-DayLimit-Remaining said, as the Xero client stores it."""
    with books.uow() as work:
        connection = work.session.get(XeroConnection, books.connection_id)
        assert connection is not None
        connection.day_limit_remaining = remaining
        connection.limits_seen_at = books.clock.now() - timedelta(days=days_ago)
        work.commit()


def in_zone(books: Books, zone: str) -> None:
    with books.uow() as work:
        workspace = work.session.get(Workspace, books.workspace_id)
        assert workspace is not None
        workspace.timezone = zone
        work.commit()


def plan_of(service: BulkSyncService, books: Books) -> BulkPlan:
    return service.plan(Actor(books.workspace_id, "T1", FINANCE), None, {})


# --- the confirmation ---------------------------------------------------------------------------------------


def test_the_confirmation_says_when_the_run_finishes_in_the_workspace_time_zone(
    books: Books, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    ready(books, 61)  # 2 batches + 1 call creating Figma Inc + 61 receipts + 61 notes = 125 calls: 3 minutes at 60
    in_zone(books, "America/New_York")  # 09:00 UTC on 20 November is 04:00 there

    plan = plan_of(bulk_service(uow, clock), books)

    assert (plan.transaction_calls, plan.receipts, plan.notes, plan.calls, plan.minutes) == (3, 61, 61, 125, 3)
    assert finish_words(plan) == " and finishes today at 04:03 (America/New_York)"


def test_without_a_time_zone_the_finish_is_in_utc_and_a_known_payee_costs_no_call(
    books: Books, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    books.contact("Figma Inc", "contact-1")
    ready(books, 3, receipts=False)
    clock.advance(hours=14, minutes=59, seconds=30)  # 23:59:30 UTC: one minute of calls ends tomorrow

    plan = plan_of(bulk_service(uow, clock), books)

    assert plan.calls == 1 + 3  # one batch, and a History & Notes entry for each
    assert finish_words(plan) == " and finishes tomorrow at 00:00 (UTC)"


def test_a_run_beyond_what_xero_says_is_left_today_resumes_tomorrow(
    books: Books, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    ready(books, 61)
    xero_said(books, 40)

    plan = plan_of(bulk_service(uow, clock), books)

    assert plan.finishes_at is None
    assert finish_words(plan) == (
        ", but it needs more than the 40 calls left in this organisation's Xero budget for today: "
        "40 calls today (transactions before receipts and notes), then it resumes tomorrow after 00:00 UTC"
    )


def test_yesterdays_figure_is_not_todays_budget_but_the_day_limit_setting_is(
    books: Books, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    ready(books, 61)
    xero_said(books, 0, days_ago=1)

    assert plan_of(bulk_service(uow, clock), books).day_remaining == 5000
    starter = plan_of(bulk_service(uow, clock, day_limit=50), books)  # XERO_DAY_LIMIT=50
    assert starter.day_remaining == 50 and "resumes tomorrow after 00:00 UTC" in finish_words(starter)


# --- the reserve --------------------------------------------------------------------------------------------


def in_xero_with_receipts_due(books: Books, sync: SyncEngine, count: int) -> list[int]:
    """`count` payments already in Xero whose receipts arrived since: stored here, due for upload."""
    payment_ids = [books.payment(f"sent_{n}") for n in range(count)]
    sync.run()
    return [books.receipt(payment_id, f"r{n}.pdf") for n, payment_id in enumerate(payment_ids)]


def upload_receipts(sync: SyncEngine) -> int:
    """The engine's upload step alone (a run sends due transactions first); how many receipts went up."""
    report = RunReport()
    for tenant in sync.claims.connected_tenants():
        sync.attach_pending(tenant, report)
    return report.attached


def test_receipts_leave_the_days_last_calls_to_a_waiting_transaction(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    receipts = in_xero_with_receipts_due(books, sync, 2)
    books.payment("approved_later")  # waiting: one batch and its contact call are kept back
    xero_said(books, 3)

    assert upload_receipts(sync) == 1
    states = sorted(books.stored_receipt(r).state for r in receipts)
    assert states == [ReceiptState.ATTACHED, ReceiptState.STORED]
    assert len(xero.called("attach_receipt")) == 1

    xero_said(books, 2)  # exactly the reserve left: the receipt waits for tomorrow
    assert upload_receipts(sync) == 0


def test_with_no_transaction_waiting_receipts_may_spend_the_day(books: Books, sync: SyncEngine) -> None:
    receipts = in_xero_with_receipts_due(books, sync, 2)
    xero_said(books, 2)

    assert upload_receipts(sync) == 2
    assert all(books.stored_receipt(r).state is ReceiptState.ATTACHED for r in receipts)


def test_yesterdays_spent_budget_holds_no_receipt_back(books: Books, sync: SyncEngine) -> None:
    in_xero_with_receipts_due(books, sync, 2)
    books.payment("approved_later")
    xero_said(books, 0, days_ago=1)

    assert upload_receipts(sync) == 2


def test_a_bulk_sync_with_nothing_ready_is_refused_with_what_each_payment_needs(
    books: Books, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    with pytest.raises(DomainError, match="No payment here is ready to sync: each needs an account, a tax rate"):
        plan_of(bulk_service(uow, clock), books)


def test_the_budget_every_instance_shares_keeps_the_reserve_when_xero_has_said_nothing(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    """On PostgreSQL the call ledger counts every instance's calls today against XERO_DAY_LIMIT; what it leaves
    bounds the receipts even before any answer from Xero said how much is left."""
    receipts = in_xero_with_receipts_due(books, sync, 2)
    books.payment("approved_later")  # its batch and contact call are kept back
    xero.leave_today(3)

    assert upload_receipts(sync) == 1
    assert sorted(books.stored_receipt(r).state for r in receipts) == [ReceiptState.ATTACHED, ReceiptState.STORED]

    xero_said(books, 100)  # Xero allows more than XERO_DAY_LIMIT leaves: the smaller figure decides
    xero.leave_today(2)
    assert upload_receipts(sync) == 0


def test_history_notes_count_against_the_days_budget_like_receipts(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway, clock: FrozenClock
) -> None:
    """A note written since Xero last gave its figure is a call spent: the receipts after it get what is left."""
    xero.fail_next("history_note", XeroUnavailable("Xero answered 500."), XeroUnavailable("Xero answered 500."))
    receipts = in_xero_with_receipts_due(books, sync, 2)  # both notes failed: due again in a while
    books.payment("approved_later")
    xero_said(books, 4)  # 2 for the waiting transaction, 2 to spend
    clock.advance(minutes=2)

    for tenant in sync.claims.connected_tenants():
        sync.notes.write_some(tenant, RunReport())
    assert len(xero.called("history_note")) == 4  # two failed, then two written

    assert upload_receipts(sync) == 0
    assert all(books.stored_receipt(r).state is ReceiptState.STORED for r in receipts)
