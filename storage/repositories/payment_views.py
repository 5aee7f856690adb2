"""Pages of payments as the App Home shows them: by state, spender, account and dates (models/payments.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from storage.models import Payment, PaymentState, SourceAccount
from storage.repositories.base import SessionRepository


class ViewQueries(SessionRepository):
    """The App Home's filtered pages, counts and ready payments."""

    def _in_view(
        self,
        workspace_id: int,
        states: Sequence[PaymentState],
        *,
        spender: str | None = None,
        source_account_id: int | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
    ) -> Any:
        query = select(Payment).where(Payment.workspace_id == workspace_id, Payment.state.in_(states))
        if spender:
            query = query.where(Payment.spender_user_id == spender)
        if source_account_id:
            query = query.where(Payment.source_account_id == source_account_id)
        if date_from:
            query = query.where(Payment.date >= date_from)
        if date_to:
            query = query.where(Payment.date <= date_to)
        return query

    def page(
        self, workspace_id: int, states: Sequence[PaymentState], *, offset: int, limit: int, **filters: Any
    ) -> Sequence[Payment]:
        query = (
            self._in_view(workspace_id, states, **filters)
            .options(selectinload(Payment.receipts), selectinload(Payment.source_account))
            .order_by(Payment.date.desc(), Payment.id.desc())
        )
        return self.session.scalars(query.offset(offset).limit(limit)).all()

    def count(self, workspace_id: int, states: Sequence[PaymentState], **filters: Any) -> int:
        query = self._in_view(workspace_id, states, **filters).with_only_columns(func.count())
        return int(self.session.scalar(query) or 0)

    def _ready(self, workspace_id: int, **filters: Any) -> Any:
        """Pending payments with complete coding and a mapped bank account, not flagged as a possible duplicate."""
        return (
            self._in_view(workspace_id, [PaymentState.PENDING], **filters)
            .join(SourceAccount, Payment.source_account_id == SourceAccount.id)
            .where(
                Payment.account_code.is_not(None),
                Payment.tax_type.is_not(None),
                Payment.duplicate_of_id.is_(None),
                SourceAccount.xero_bank_account_id.is_not(None),
            )
            .with_only_columns(Payment.id)
        )

    def ready_ids(self, workspace_id: int, *, limit: int, **filters: Any) -> list[int]:
        """Pending payments with complete coding and a mapped bank account, oldest first."""
        query = self._ready(workspace_id, **filters).order_by(Payment.date, Payment.id).limit(limit)
        return [int(row) for row in self.session.scalars(query)]

    def ready_count(self, workspace_id: int, *, limit: int, **filters: Any) -> int:
        """How many payments `ready_ids` would give, counted without ordering them (the App Home's button)."""
        found = self._ready(workspace_id, **filters).limit(limit).subquery()
        return int(self.session.scalar(select(func.count()).select_from(found)) or 0)

    def states_of(self, payment_ids: Sequence[int]) -> dict[int, PaymentState]:
        if not payment_ids:
            return {}
        rows = self.session.execute(select(Payment.id, Payment.state).where(Payment.id.in_(payment_ids))).all()
        return {int(payment_id): state for payment_id, state in rows}
