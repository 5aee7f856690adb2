"""What the poll of Xero's changes reads and claims: the organisations due a look, the payments behind the
transactions Xero lists, what the bot last sent for each, and the App Home's reconciliation lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from storage.models import ConnectionState, Payment, PaymentState, SyncAttempt, XeroConnection
from storage.repositories.base import skip_locked
from storage.repositories.payment_views import ViewQueries

SENT_OPERATIONS = ("create", "update", "lookup")  # a lookup that found the transaction records what was created
IN_CLAUSE_MAX = 500


class XeroStatusQueries(ViewQueries):
    def claim_due_polls(self, now: datetime, every: timedelta, limit: int = 50) -> list[int]:
        """Connected organisations not asked for `every`; marked asked now, so other instances skip them."""
        query = (
            select(XeroConnection)
            .where(
                XeroConnection.state == ConnectionState.CONNECTED,
                XeroConnection.token_set_id.is_not(None),
                (XeroConnection.status_polled_at.is_(None)) | (XeroConnection.status_polled_at <= now - every),
            )
            .order_by(XeroConnection.status_polled_at.is_not(None), XeroConnection.status_polled_at)
            .limit(limit)
            .with_for_update(**skip_locked(self.session))
        )
        due = list(self.session.scalars(query))
        for connection in due:
            connection.status_polled_at = now
        return [connection.id for connection in due]

    def first_synced_at(self, workspace_id: int) -> datetime | None:
        """When the workspace's earliest payment still in Xero was synced: where a first poll starts."""
        return self.session.scalar(
            select(func.min(Payment.synced_at)).where(
                Payment.workspace_id == workspace_id, Payment.xero_bank_transaction_id.is_not(None)
            )
        )

    def with_xero_ids(self, workspace_id: int, xero_ids: Sequence[str]) -> dict[str, Payment]:
        """The workspace's payments behind these transactions, by transaction id."""
        found: dict[str, Payment] = {}
        ids = list(dict.fromkeys(xero_ids))
        for start in range(0, len(ids), IN_CLAUSE_MAX):
            rows = self.session.scalars(
                select(Payment).where(
                    Payment.workspace_id == workspace_id,
                    Payment.xero_bank_transaction_id.in_(ids[start : start + IN_CLAUSE_MAX]),
                )
            )
            found.update({str(row.xero_bank_transaction_id): row for row in rows})
        return found

    def last_sent(self, payment_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """What the bot last sent to Xero for each payment (the sync log's summary of its last good request)."""
        sent: dict[int, dict[str, Any]] = {}
        ids = list(dict.fromkeys(payment_ids))
        for start in range(0, len(ids), IN_CLAUSE_MAX):
            rows = self.session.execute(
                select(SyncAttempt.payment_id, SyncAttempt.request_summary)
                .where(
                    SyncAttempt.payment_id.in_(ids[start : start + IN_CLAUSE_MAX]),
                    SyncAttempt.operation.in_(SENT_OPERATIONS),
                    SyncAttempt.outcome == "ok",
                    SyncAttempt.xero_id.is_not(None),
                )
                .order_by(SyncAttempt.started_at, SyncAttempt.id)
            )
            sent.update({payment_id: dict(summary or {}) for payment_id, summary in rows})  # the newest wins
        return sent

    def reconciliation_page(
        self,
        workspace_id: int,
        *,
        reconciled: bool,
        synced_before: datetime | None = None,
        offset: int = 0,
        limit: int = 20,
        **filters: Any,
    ) -> tuple[int, Sequence[Payment]]:
        """Payments reconciled in Xero, or synced before `synced_before` and not reconciled, with the App Home's
        other filters: how many, and one page of them, newest first."""
        if reconciled:
            query = self._in_view(workspace_id, [PaymentState.SYNCED, PaymentState.UPDATED], **filters)
            query = query.where(Payment.xero_reconciled_at.is_not(None))
        else:
            query = self._in_view(workspace_id, [PaymentState.SYNCED], **filters)
            query = query.where(Payment.xero_reconciled_at.is_(None), Payment.synced_at <= synced_before)
        total = int(self.session.scalar(query.with_only_columns(func.count())) or 0)
        rows = self.session.scalars(
            query.options(selectinload(Payment.receipts), selectinload(Payment.source_account))
            .order_by(Payment.date.desc(), Payment.id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        return total, rows
