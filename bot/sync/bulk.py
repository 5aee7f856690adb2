"""Bulk sync from the App Home: up to 1000 ready payments in one run, with a progress message.

A run only approves its payments and records them; the sync engine sends them (transactions first,
in batches of 50, then receipts) within Xero's limits. Progress is read back from the payments, so a
run survives a restart of the bot and simply continues.

The confirmation says when a run finishes: its calls (transaction batches, contacts to create, one per
receipt, one History & Notes entry per transaction) at Xero's per-minute limit, or, when they exceed what is
left of the organisation's daily budget (XERO_DAY_LIMIT, or less when Xero's X-DayLimit-Remaining says so), that
the rest waits for tomorrow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import Clock
from bot.connection.roles import Access, Actor, Roles
from bot.errors import DomainError
from bot.payments import lifecycle
from storage.models import BulkRun, PaymentState, XeroConnection
from storage.repositories.history_notes import HistoryNotes
from storage.uow import UnitOfWorkFactory

MAX_PER_RUN = 1000
BATCH = 50
CALLS_PER_MINUTE = 60
DAY_LIMIT = 5000  # Xero's calls a day per organisation (the Starter tier allows far fewer: see XERO_DAY_LIMIT)
PROGRESS_EVERY = timedelta(seconds=3)


@dataclass(frozen=True)
class BulkPlan:
    payment_ids: list[int]
    receipts: int
    calls_per_minute: int = CALLS_PER_MINUTE
    contacts: int = 0  # calls to create payees Xero does not have yet (at most one per batch)
    notes: int = 0  # the History & Notes entry each synced transaction gets (bot/sync/history_writer.py)
    starts_at: datetime | None = None
    day_remaining: int | None = None  # calls left in today's budget; None when not known
    zone: str = "UTC"  # the workspace's time zone, for the finish time

    @property
    def transaction_calls(self) -> int:
        return math.ceil(len(self.payment_ids) / BATCH) + self.contacts

    @property
    def calls(self) -> int:
        return self.transaction_calls + self.receipts + self.notes

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.calls / self.calls_per_minute))

    @property
    def fits_today(self) -> bool:
        return self.day_remaining is None or self.calls <= self.day_remaining

    @property
    def finishes_at(self) -> datetime | None:
        """When the last call is made, in the workspace's time zone; None when the run outlasts today's budget."""
        if self.starts_at is None or not self.fits_today:
            return None
        return (self.starts_at + timedelta(minutes=self.minutes)).astimezone(zone_of(self.zone))


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


NOTHING_READY = "No payment here is ready to sync: each needs an account, a tax rate and a mapped bank account."


def day_remaining(connection: XeroConnection | None, day_limit: int, now: datetime) -> int:
    """Calls left today: the budget, or less when Xero said so today (its day ends at 00:00 UTC)."""
    if connection is None or connection.day_limit_remaining is None or connection.limits_seen_at is None:
        return day_limit
    if connection.limits_seen_at.astimezone(UTC).date() != now.astimezone(UTC).date():
        return day_limit
    return max(0, min(day_limit, connection.day_limit_remaining))


@dataclass(frozen=True)
class BulkStatus:
    run_id: int
    total: int
    synced: int
    errors: list[tuple[int, str, str | None, str]]  # payment id, what, permalink, Xero's words
    waiting: int
    attachments_left: int
    finished: bool
    minutes_left: int
    started_by: str


class ProgressMessenger(Protocol):
    def post(self, team_id: str, user_id: str, status: BulkStatus) -> tuple[str, str]: ...

    def update(self, team_id: str, channel: str, ts: str, status: BulkStatus) -> str: ...


class BulkSyncService:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        roles: Roles,
        messenger: ProgressMessenger,
        calls_per_minute: int = CALLS_PER_MINUTE,
        day_limit: int = DAY_LIMIT,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._roles = roles
        self._per_minute = calls_per_minute
        self._day_limit = day_limit
        self._messenger = messenger

    def plan(self, actor: Actor, selected: list[int] | None, filters: dict[str, Any]) -> BulkPlan:
        """Which payments a "Sync all ready" (or "Sync selected") would send, and how many calls that takes."""
        self._roles.require(actor, Access.FINANCE, "sync payments to Xero")
        with self._uow() as work:
            ready = work.payments.ready_ids(
                actor.workspace_id, limit=MAX_PER_RUN if selected is None else 100_000, **filters
            )
            ids = ready if selected is None else [p for p in ready if p in set(selected)][:MAX_PER_RUN]
            if not ids:
                raise DomainError(NOTHING_READY)
            connection = work.connections.active_for(actor.workspace_id)
            workspace = work.workspaces.get(actor.workspace_id)
            now = self._clock.now()
            new_payees = 0 if connection is None else work.payments.payees_without_contact(connection.id, ids)
            return BulkPlan(
                ids,
                work.payments.unattached_count(ids),
                self._per_minute,
                contacts=min(new_payees, math.ceil(len(ids) / BATCH)),
                notes=len(ids),
                starts_at=now,
                day_remaining=day_remaining(connection, self._day_limit, now),
                zone=workspace.timezone if workspace is not None else "UTC",
            )

    def start(self, actor: Actor, payment_ids: list[int]) -> tuple[int, bool]:
        """Approve the payments and start a run, or join the run already going. (run id, joined)."""
        self._roles.require(actor, Access.FINANCE, "sync payments to Xero")
        if not payment_ids:
            raise DomainError(NOTHING_READY)
        now = self._clock.now()
        with self._uow() as work:
            work.workspaces.lock(actor.workspace_id)
            ready = set(work.payments.ready_ids(actor.workspace_id, limit=100_000))
            chosen = [p for p in payment_ids if p in ready]
            run = work.payments.running_bulk_run(actor.workspace_id)
            joined = run is not None
            if run is None:
                run = BulkRun(workspace_id=actor.workspace_id, started_by_user_id=actor.user_id, payment_ids=[])
                work.session.add(run)
            room = MAX_PER_RUN - len(run.payment_ids)
            added = [p for p in chosen if p not in set(run.payment_ids)][: max(room, 0)]
            if not added and not joined:
                raise DomainError("Those payments are no longer ready to sync (someone else approved or changed them).")
            run.payment_ids = list(run.payment_ids) + added
            for payment_id in added:
                payment = work.payments.get(actor.workspace_id, payment_id)
                if payment is None or payment.state is not PaymentState.PENDING:
                    continue
                lifecycle.approve(payment, actor.user_id, now)
            work.audit.record(
                workspace_id=actor.workspace_id,
                actor_user_id=actor.user_id,
                action="bulk_sync.joined" if joined else "bulk_sync.started",
                subject_type="bulk_run",
                subject_id=None,
                payments=len(added),
            )
            work.commit()
            return run.id, joined

    def status(self, run_id: int) -> BulkStatus | None:
        with self._uow() as work:
            run = work.session.get(BulkRun, run_id)
            if run is None:
                return None
            return self._status(work, run)

    def _status(self, work: Any, run: BulkRun) -> BulkStatus:
        states = work.payments.states_of(run.payment_ids)
        errors = []
        for payment_id, state in states.items():
            if state is PaymentState.SYNC_ERROR:
                payment = work.payments.get(run.workspace_id, payment_id)
                what = f"{payment.currency} {payment.amount} to {payment.payee}"
                errors.append((payment_id, what, payment.message_url, payment.sync_last_error or "Xero refused it"))
        synced = sum(1 for s in states.values() if s is PaymentState.SYNCED)
        waiting = len(run.payment_ids) - synced - len(errors)
        attachments = work.payments.unattached_count(run.payment_ids)
        notes = HistoryNotes(work.session).unwritten_count(run.payment_ids) + max(waiting, 0)
        calls_left = math.ceil(max(waiting, 0) / BATCH) + attachments + notes
        connection = work.connections.active_for(run.workspace_id)
        per_minute = self._per_minute
        if connection is not None and connection.day_limit_remaining is not None:
            per_minute = max(1, min(per_minute, connection.day_limit_remaining))  # what is left today bounds it
        return BulkStatus(
            run_id=run.id,
            total=len(run.payment_ids),
            synced=synced,
            errors=sorted(errors),
            waiting=waiting,
            attachments_left=attachments,
            finished=waiting == 0 and attachments == 0,
            minutes_left=math.ceil(calls_left / per_minute) if calls_left else 0,
            started_by=run.started_by_user_id,
        )

    def report_progress(self) -> int:
        """Post or refresh each run's progress message, at most every few seconds; finish runs that are done."""
        touched = 0
        now = self._clock.now()
        with self._uow() as work:
            runs = [(r.id, r.workspace_id) for r in work.payments.unfinished_bulk_runs()]
        for run_id, workspace_id in runs:
            with self._uow() as work:
                run = work.session.get(BulkRun, run_id)
                workspace = work.workspaces.get(workspace_id)
                if run is None or workspace is None or run.finished_at is not None:
                    continue
                status = self._status(work, run)
                due = run.progress_updated_at is None or now - run.progress_updated_at >= PROGRESS_EVERY
                if not (due or status.finished):
                    continue
                if run.progress_ts is None or run.progress_channel_id is None:
                    run.progress_channel_id, run.progress_ts = self._messenger.post(
                        workspace.team_id, run.started_by_user_id, status
                    )
                    run.progress_text = None
                text = self._messenger.update(workspace.team_id, run.progress_channel_id, run.progress_ts, status)
                run.progress_text = text
                run.progress_updated_at = now
                if status.finished:
                    run.finished_at = now
                work.commit()
                touched += 1
        return touched
