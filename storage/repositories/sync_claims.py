"""What the sync engine claims and renews: approved payments, lapsed claims, receipts to upload, bulk runs.

Mirrors the sync half of models/payments.py (SyncAttempt, BulkRun).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import BulkRun, Payment, PaymentState, Receipt, ReceiptState, SyncAttempt, XeroContact
from storage.repositories.base import SessionRepository, skip_locked


class SyncQueries(SessionRepository):
    """Claims for the sync engine, locked so no other instance sends the same payment."""

    def claim_approved(self, workspace_id: int, now: datetime, *, limit: int) -> Sequence[Payment]:
        """Approved payments due for sync, locked so no other instance sends them too."""
        query = select(Payment).where(Payment.workspace_id == workspace_id, *_sync_due(now))
        query = query.order_by(Payment.approved_at, Payment.id).limit(limit)
        return self.session.scalars(query.with_for_update(**skip_locked(self.session))).all()

    def claim_stale_syncing(self, now: datetime) -> Sequence[Payment]:
        """Payments whose sync claim lapsed: the instance syncing them stopped before it finished."""
        query = (
            select(Payment)
            .where(Payment.state == PaymentState.SYNCING, Payment.sync_next_attempt_at <= now)
            .order_by(Payment.id)
        )
        return self.session.scalars(query.with_for_update(**skip_locked(self.session))).all()

    def renew_sync_claims(self, idempotency_keys: Sequence[str], held_until: datetime, until: datetime) -> None:
        """Extend sync claims still held as claimed (`held_until`); one finished, failed or taken over since
        has another deadline, or none, and is left alone."""
        still_syncing = Payment.state == PaymentState.SYNCING
        self._extend(
            Payment.idempotency_key, idempotency_keys, still_syncing, Payment.sync_next_attempt_at, held_until, until
        )

    def renew_upload_claims(self, receipt_ids: Sequence[int], held_until: datetime, until: datetime) -> None:
        still_stored = Receipt.state == ReceiptState.STORED
        self._extend(Receipt.id, receipt_ids, still_stored, Receipt.attach_next_attempt_at, held_until, until)

    def _extend(
        self,
        key: InstrumentedAttribute[Any],
        keys: Sequence[Any],
        claimed: ColumnElement[bool],
        deadline: InstrumentedAttribute[datetime | None],
        held_until: datetime,
        until: datetime,
    ) -> None:
        """Move the `deadline` of the rows named by `keys` from `held_until` to `until`, where still `claimed`."""
        self.session.execute(
            update(key.class_)
            .where(key.in_(list(keys)), claimed, deadline == held_until)
            .values({deadline: until})
            .execution_options(synchronize_session=False)
        )

    def claim_unattached_receipts(self, workspace_id: int, now: datetime, *, limit: int) -> Sequence[Receipt]:
        """Stored receipts of payments already in Xero, due for upload."""
        query = (
            select(Receipt)
            .join(Payment, Receipt.payment_id == Payment.id)
            .where(Payment.workspace_id == workspace_id, *_upload_due(now))
        )
        query = query.order_by(Receipt.id).limit(limit)
        return self.session.scalars(query.with_for_update(of=Receipt, **skip_locked(self.session))).all()

    def sync_attempts(self, payment_id: int, limit: int = 40) -> Sequence[SyncAttempt]:
        return self.session.scalars(
            select(SyncAttempt)
            .where(SyncAttempt.payment_id == payment_id)
            .order_by(SyncAttempt.started_at.desc(), SyncAttempt.id.desc())
            .limit(limit)
        ).all()

    def unattached_count(self, payment_ids: Sequence[int]) -> int:
        """Receipts still to upload: of these payments, stored here and not in Xero yet (a payment Xero
        refused has nothing to attach them to, so its receipts do not count)."""
        if not payment_ids:
            return 0
        query = (
            select(func.count())
            .select_from(Receipt)
            .join(Payment, Receipt.payment_id == Payment.id)
            .where(
                Receipt.payment_id.in_(payment_ids),
                Receipt.state == ReceiptState.STORED,
                Payment.state != PaymentState.SYNC_ERROR,
                (Receipt.attach_next_attempt_at.is_(None)) | (Receipt.attach_attempts < 5),
            )
        )
        return int(self.session.scalar(query) or 0)

    def payees_without_contact(self, connection_id: int, payment_ids: Sequence[int]) -> int:
        """How many of these payments' contacts (one spelling each) our copy of Xero's contacts lacks."""
        if not payment_ids:
            return 0
        names: set[str] = set()
        for start in range(0, len(payment_ids), 1000):
            rows = self.session.execute(
                select(Payment.contact_name, Payment.payee).where(Payment.id.in_(payment_ids[start : start + 1000]))
            )
            names.update((contact or payee)[:255].casefold() for contact, payee in rows)
        known: set[str] = set()
        ordered = sorted(names)
        for start in range(0, len(ordered), 1000):
            known.update(
                self.session.scalars(
                    select(XeroContact.name_key).where(
                        XeroContact.connection_id == connection_id,
                        XeroContact.status == "ACTIVE",
                        XeroContact.name_key.in_(ordered[start : start + 1000]),
                    )
                )
            )
        return len(names - known)

    def transactions_waiting(self, workspace_id: int) -> int:
        """Approved payments not yet sent (or being sent): the transactions the day's last calls are kept for."""
        query = select(func.count()).where(
            Payment.workspace_id == workspace_id,
            Payment.state.in_([PaymentState.APPROVED, PaymentState.SYNCING]),
        )
        return int(self.session.scalar(query) or 0)

    def running_bulk_run(self, workspace_id: int) -> BulkRun | None:
        return self.session.scalar(
            select(BulkRun).where(BulkRun.workspace_id == workspace_id, BulkRun.finished_at.is_(None))
        )

    def unfinished_bulk_runs(self) -> Sequence[BulkRun]:
        return self.session.scalars(select(BulkRun).where(BulkRun.finished_at.is_(None))).all()

    def workspaces_with_due_work(self, now: datetime) -> set[int]:
        """Workspaces with approved payments due for sync, or receipts due for upload."""
        payments = select(Payment.workspace_id).where(*_sync_due(now))
        receipts = select(Payment.workspace_id).join(Receipt, Receipt.payment_id == Payment.id).where(*_upload_due(now))
        return set(self.session.scalars(payments.distinct())) | set(self.session.scalars(receipts.distinct()))


def _sync_due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """An approved payment whose next attempt (none yet, or after a retryable failure) is due."""
    return (
        Payment.state == PaymentState.APPROVED,
        (Payment.sync_next_attempt_at.is_(None)) | (Payment.sync_next_attempt_at <= now),
    )


def _upload_due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """A stored receipt, due for upload, of a payment already in Xero (joined on Receipt.payment_id)."""
    return (
        Payment.xero_bank_transaction_id.is_not(None),
        Payment.state.in_([PaymentState.SYNCED, PaymentState.UPDATED]),
        Receipt.state == ReceiptState.STORED,
        (Receipt.attach_next_attempt_at.is_(None)) | (Receipt.attach_next_attempt_at <= now),
    )
