"""The History & Notes entries queued for Xero (models/history.py): queued with a sync, claimed to be written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update

from storage.models import AuditEntry, NoteState, XeroNote
from storage.repositories.base import SessionRepository, skip_locked


class HistoryNotes(SessionRepository):
    def for_sync(self, payment_id: int, synced_version: int) -> XeroNote | None:
        return self.session.scalar(
            select(XeroNote).where(XeroNote.payment_id == payment_id, XeroNote.synced_version == synced_version)
        )

    def previous(self, payment_id: int, synced_version: int) -> XeroNote | None:
        """The note of the sync before this one: what Xero was given then."""
        return self.session.scalar(
            select(XeroNote)
            .where(XeroNote.payment_id == payment_id, XeroNote.synced_version < synced_version)
            .order_by(XeroNote.synced_version.desc())
            .limit(1)
        )

    def unwritten_count(self, payment_ids: Sequence[int]) -> int:
        """Notes of these payments still to be written (each one call to Xero)."""
        if not payment_ids:
            return 0
        query = select(func.count()).where(
            XeroNote.payment_id.in_(payment_ids), XeroNote.state == NoteState.PENDING.value
        )
        return int(self.session.scalar(query) or 0)

    def of_payment(self, payment_id: int) -> Sequence[XeroNote]:
        return self.session.scalars(
            select(XeroNote).where(XeroNote.payment_id == payment_id).order_by(XeroNote.synced_version)
        ).all()

    def claim_due(self, workspace_id: int, now: datetime, *, limit: int) -> Sequence[XeroNote]:
        """Notes due to be written, oldest first, locked so no other instance writes them too."""
        query = select(XeroNote).where(XeroNote.workspace_id == workspace_id, *_due(now))
        query = query.order_by(XeroNote.id).limit(limit)
        return self.session.scalars(query.with_for_update(**skip_locked(self.session))).all()

    def workspaces_due(self, now: datetime) -> set[int]:
        query = select(XeroNote.workspace_id).where(*_due(now))
        return set(self.session.scalars(query.distinct()).all())

    def renew_claims(self, note_ids: list[int], old: datetime, new: datetime) -> None:
        self.session.execute(
            update(XeroNote)
            .where(XeroNote.id.in_(note_ids), XeroNote.state == NoteState.PENDING.value)
            .where(XeroNote.next_attempt_at == old)
            .values(next_attempt_at=new)
        )

    def payment_events(
        self, workspace_id: int, payment_id: int, actions: Sequence[str], *, after_id: int | None
    ) -> Sequence[AuditEntry]:
        """The audit entries of these kinds about one payment, oldest first (after entry `after_id`, if given)."""
        query = select(AuditEntry).where(
            AuditEntry.workspace_id == workspace_id,
            AuditEntry.subject_type == "payment",
            AuditEntry.subject_id == str(payment_id),
            AuditEntry.action.in_(list(actions)),
        )
        if after_id is not None:
            query = query.where(AuditEntry.id > after_id)
        return self.session.scalars(query.order_by(AuditEntry.at, AuditEntry.id)).all()


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """A note not yet written whose next try (none yet, or after a failure or a lease) is due."""
    return (
        XeroNote.state == NoteState.PENDING.value,
        (XeroNote.next_attempt_at.is_(None)) | (XeroNote.next_attempt_at <= now),
    )
