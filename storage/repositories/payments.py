"""Payments: adding, finding, counting, and claiming the ones still to be posted (models/payments.py)."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, String, any_, bindparam, func, literal_column, select, text, update

from storage.models import Payment, PaymentState
from storage.repositories.accounts import AccountQueries
from storage.repositories.base import skip_locked
from storage.repositories.coding_history import CodingQueries
from storage.repositories.outbox import Waiting
from storage.repositories.payment_views import ViewQueries
from storage.repositories.receipts import ReceiptQueries
from storage.repositories.sync_claims import SyncQueries


class PaymentRepository(AccountQueries, CodingQueries, ReceiptQueries, SyncQueries, ViewQueries):
    """Payments of a workspace; the queries of each role are in the base classes, so callers use one object."""

    def add(self, payment: Payment) -> Payment:
        self.session.add(payment)
        self.session.flush()
        return payment

    def get(self, workspace_id: int, payment_id: int) -> Payment | None:
        """A payment of this workspace only: ids from Slack payloads are never trusted across workspaces."""
        return self.session.scalar(
            select(Payment).where(Payment.workspace_id == workspace_id, Payment.id == payment_id)
        )

    def by_ids(self, workspace_id: int, payment_ids: Sequence[int]) -> Sequence[Payment]:
        return self.session.scalars(
            select(Payment).where(Payment.workspace_id == workspace_id, Payment.id.in_(list(payment_ids)))
        ).all()

    def count_by_state(self, workspace_id: int) -> dict[PaymentState, int]:
        rows = self.session.execute(
            select(Payment.state, func.count()).where(Payment.workspace_id == workspace_id).group_by(Payment.state)
        ).all()
        return {state: count for state, count in rows}

    def _unposted_at_all(self, workspace_id: int) -> Any:
        """Pending payments not announced yet, and those a coding rule approved as they arrived (no person has)."""
        by_rule = Payment.approved_at.is_not(None) & Payment.approved_by_user_id.is_(None)
        return select(Payment).where(
            Payment.workspace_id == workspace_id,
            Payment.message_ts.is_(None),
            Payment.summary_ts.is_(None),
            Payment.state != PaymentState.EXCLUDED,
            (Payment.state == PaymentState.PENDING) | by_rule,
        )

    def _unposted(self, workspace_id: int, now: datetime) -> Any:
        return self._unposted_at_all(workspace_id).where(
            (Payment.post_next_attempt_at.is_(None)) | (Payment.post_next_attempt_at <= now)
        )

    def count_unposted(self, workspace_id: int, now: datetime) -> int:
        query = self._unposted(workspace_id, now).with_only_columns(func.count())
        return int(self.session.scalar(query) or 0)

    def claim_unposted(self, workspace_id: int, now: datetime, *, limit: int | None) -> Sequence[Payment]:
        """Lock payments waiting to be announced; another instance skips the locked ones."""
        query = self._unposted(workspace_id, now).order_by(Payment.date, Payment.id)
        if limit is not None:
            query = query.limit(limit)
        return self.session.scalars(query.with_for_update(**skip_locked(self.session))).all()

    def failed_posts(self, workspace_id: int) -> Waiting:
        """Payments whose message Slack has refused or not answered, still to be posted."""
        failing = self._unposted_at_all(workspace_id).where(Payment.post_last_error.is_not(None))
        count = int(self.session.scalar(failing.with_only_columns(func.count())) or 0)
        oldest = self.session.scalars(failing.order_by(Payment.created_at, Payment.id).limit(1)).first()
        return Waiting(count, oldest.created_at if oldest else None, oldest.post_last_error if oldest else None)

    def existing_external_ids(
        self, workspace_id: int, source_account_id: int, external_ids: Collection[str]
    ) -> set[str]:
        """Which of these ids the account already has: one query on the (workspace, account, id) unique index."""
        if not external_ids:
            return set()
        ids = list(external_ids)
        if self.session.get_bind().dialect.name == "postgresql":
            # One array parameter, not thousands of scalars: PostgreSQL then probes the index per id.
            matches = Payment.external_id == any_(bindparam("ids", ids, type_=ARRAY(String)))
        else:  # one JSON parameter too: thousands of bound scalars cost more to send than the look-up itself
            listed = func.json_each(bindparam("ids", json.dumps(ids)))
            matches = Payment.external_id.in_(select(literal_column("value")).select_from(listed).scalar_subquery())
        return set(
            self.session.scalars(
                select(Payment.external_id).where(
                    Payment.workspace_id == workspace_id, Payment.source_account_id == source_account_id, matches
                )
            )
        )

    def record_delivery(self, workspace_id: int, payment_ids: Sequence[int], **values: Any) -> None:
        """Write how the payments' Slack message fared (where it was posted, its link, why a post failed), whatever
        their version: a sync or an edit landing meanwhile does not change what Slack did, so it must not make this
        write fail as a version-checked update would."""
        self.session.execute(
            update(Payment)
            .where(Payment.workspace_id == workspace_id, Payment.id.in_(list(payment_ids)))
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def refresh_statistics(self) -> None:
        """After a bulk load into a table PostgreSQL has not analysed yet, its planner would scan every row of the
        account for each look-up; fresh statistics make it probe the (workspace, account, id) index instead."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("ANALYZE payments"))
