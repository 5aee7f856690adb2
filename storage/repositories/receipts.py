"""Receipts (models/payments.py): the thread a file arrives in, a payment's receipts, whom to ask or remind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from storage.models import Payment, PaymentState, Receipt, ReceiptState
from storage.repositories.base import SessionRepository, skip_locked


class ReceiptQueries(SessionRepository):
    """Payments by their receipts: asked, missing, reminded."""

    def by_thread(self, workspace_id: int, channel: str, thread_ts: str) -> Payment | None:
        """The payment whose channel message or receipt request started this thread."""
        return self.session.scalar(
            select(Payment).where(
                Payment.workspace_id == workspace_id,
                ((Payment.channel_id == channel) & (Payment.message_ts == thread_ts))
                | ((Payment.dm_channel_id == channel) & (Payment.dm_ts == thread_ts)),
            )
        )

    def receipt_by_file(self, payment_id: int, slack_file_id: str) -> Receipt | None:
        return self.session.scalar(
            select(Receipt).where(Receipt.payment_id == payment_id, Receipt.slack_file_id == slack_file_id)
        )

    def receipt_count(self, payment_id: int) -> int:
        query = select(func.count()).where(Receipt.payment_id == payment_id, Receipt.state != ReceiptState.REJECTED)
        return int(self.session.scalar(query) or 0)

    def claim_unasked(self, *, limit: int) -> Sequence[Payment]:
        """Posted payments whose spender has not been asked for the receipt yet."""
        query = (
            select(Payment)
            .where(
                Payment.posted_at.is_not(None),
                Payment.receipt_asked_at.is_(None),
                Payment.state != PaymentState.EXCLUDED,
                (Payment.spender_user_id.is_not(None)) | (Payment.spender_email.is_not(None)),
            )
            .order_by(Payment.id)
            .limit(limit)
            .with_for_update(**skip_locked(self.session))
        )
        return self.session.scalars(query).all()

    def _missing_receipts(self, workspace_id: int) -> Any:
        has_receipt = (
            select(Receipt.id).where(Receipt.payment_id == Payment.id, Receipt.state != ReceiptState.REJECTED).exists()
        )
        return select(Payment).where(
            Payment.workspace_id == workspace_id,
            Payment.state != PaymentState.EXCLUDED,
            Payment.no_receipt_reason.is_(None),
            ~has_receipt,
        )

    def missing_receipts(self, workspace_id: int) -> Sequence[Payment]:
        return self.session.scalars(self._missing_receipts(workspace_id).order_by(Payment.date, Payment.id)).all()

    def claim_reminder_candidates(self, workspace_id: int, today: dt.date) -> Sequence[Payment]:
        """Asked payments still missing a receipt and not reminded today; locked against other instances."""
        query = (
            self._missing_receipts(workspace_id)
            .where(
                Payment.receipt_asked_at.is_not(None),
                Payment.dm_ts.is_not(None),
                (Payment.last_reminded_on.is_(None)) | (Payment.last_reminded_on != today),
            )
            .order_by(Payment.id)
            .with_for_update(**skip_locked(self.session))
        )
        return self.session.scalars(query).all()
