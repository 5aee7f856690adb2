"""The outbox's rows (models/outbox.py): record an intent in the caller's transaction, claim due ones, finish or
reschedule them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from storage.models import OutboxItem
from storage.outbox import record_intent
from storage.repositories.base import SessionRepository


@dataclass(frozen=True)
class Waiting:
    """What Slack has not taken yet in a workspace, for /xero status."""

    count: int
    failing_since: datetime | None
    last_error: str | None


class OutboxRepository(SessionRepository):
    def add(
        self,
        *,
        kind: str,
        key: str,
        workspace_id: int,
        due: datetime,
        payment_id: int | None = None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        self.session.flush()
        record_intent(
            self.session.connection(),
            kind=kind,
            key=key,
            workspace_id=workspace_id,
            payment_id=payment_id,
            payload=payload or {},
            due=due,
        )

    def due_workspaces(self, now: datetime) -> list[int]:
        """Workspaces with rows due that no sender holds, the longest waiting first."""
        query = (
            select(OutboxItem.workspace_id, func.min(OutboxItem.next_attempt_at))
            .where(OutboxItem.next_attempt_at <= now, _free(now))
            .group_by(OutboxItem.workspace_id)
            .order_by(func.min(OutboxItem.next_attempt_at), OutboxItem.workspace_id)
        )
        return [int(row[0]) for row in self.session.execute(query)]

    def claim_due(
        self, now: datetime, lease: timedelta, *, limit: int, workspace_id: int | None = None
    ) -> Sequence[OutboxItem]:
        """Due rows (of one workspace, or any) no sender holds, held for `lease`; another instance skips them
        (SKIP LOCKED)."""
        query = (
            select(OutboxItem)
            .where(OutboxItem.next_attempt_at <= now, _free(now))
            .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
            .limit(limit)
        )
        if workspace_id is not None:
            query = query.where(OutboxItem.workspace_id == workspace_id)
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = self.session.scalars(query.execution_options(populate_existing=True)).all()
        for row in rows:
            _hold(row, now, lease)
        return rows

    def claim_key(self, key: str, now: datetime, lease: timedelta) -> OutboxItem | None:
        """The row for `key`, due or not (someone is waiting for it), unless a sender holds it."""
        query = select(OutboxItem).where(OutboxItem.dedupe_key == key, _free(now))
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        row = self.session.scalars(query.execution_options(populate_existing=True)).first()
        if row is not None:
            _hold(row, now, lease)
        return row

    def finish(self, row_id: int, generation: int, now: datetime) -> bool:
        """Delivered: forget the row, unless the intent was repeated meanwhile (then it is due again now)."""
        deleted = self.session.execute(
            delete(OutboxItem).where(OutboxItem.id == row_id, OutboxItem.generation == generation)
        )
        if int(getattr(deleted, "rowcount", 0) or 0):
            return True
        self.session.execute(
            update(OutboxItem)
            .where(OutboxItem.id == row_id)
            .values(locked_until=None, next_attempt_at=now, attempts=0, last_error=None, failing_since=None)
        )
        return False

    def retry(self, row_id: int, error: str, at: datetime, now: datetime) -> None:
        self.session.execute(
            update(OutboxItem)
            .where(OutboxItem.id == row_id)
            .values(
                locked_until=None,
                next_attempt_at=at,
                last_error=error[:1000],
                failing_since=func.coalesce(OutboxItem.failing_since, now),
            )
        )

    def postpone(self, row_id: int, at: datetime) -> None:
        """Given back unsent and untried (its channel's turn comes at `at`): the claim is not counted as an attempt."""
        self.session.execute(
            update(OutboxItem)
            .where(OutboxItem.id == row_id)
            .values(locked_until=None, next_attempt_at=at, attempts=OutboxItem.attempts - 1)
        )

    def waiting(self, workspace_id: int) -> Waiting:
        """Rows Slack has refused or not answered at least once."""
        failing = select(OutboxItem).where(
            OutboxItem.workspace_id == workspace_id, OutboxItem.failing_since.is_not(None)
        )
        count = int(self.session.scalar(failing.with_only_columns(func.count())) or 0)
        oldest = self.session.scalars(failing.order_by(OutboxItem.failing_since, OutboxItem.id).limit(1)).first()
        return Waiting(count, oldest.failing_since if oldest else None, oldest.last_error if oldest else None)


def _free(now: datetime) -> Any:
    return (OutboxItem.locked_until.is_(None)) | (OutboxItem.locked_until <= now)


def _hold(row: OutboxItem, now: datetime, lease: timedelta) -> None:
    row.locked_until = now + lease
    row.attempts += 1
