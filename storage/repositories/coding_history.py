"""Earlier payments a new one is compared with: the coded ones to the same merchant, and those that may be the
same payment (models/payments.py, indexes added by migration 0011)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from storage.models import Payment, PaymentState
from storage.repositories.base import SessionRepository

# A person approved the coding of these (the sync engine and Xero may have it since).
CODED_STATES = (PaymentState.APPROVED, PaymentState.SYNCING, PaymentState.SYNCED, PaymentState.UPDATED)


@dataclass(frozen=True)
class CodedPayment:
    payment_id: int
    payee_key: str
    date: dt.date
    spender_email: str | None
    account_code: str | None
    tax_type: str | None
    tracking: list[dict[str, str]]
    contact_id: str | None
    contact_name: str | None


@dataclass(frozen=True)
class DuplicateCandidate:
    payment_id: int
    source_account_id: int
    external_id: str
    amount: Decimal
    date: dt.date
    payee_key: str | None
    spender_email: str | None


class CodingQueries(SessionRepository):
    def coded_history(
        self, workspace_id: int, payee_keys: Collection[str], depth: int
    ) -> dict[str, list[CodedPayment]]:
        """The `depth` newest approved payments to each merchant, newest first: one query on (workspace, payee key,
        date) for a whole batch."""
        return self._newest_coded(workspace_id, Payment.payee_key, payee_keys, depth)

    def spenders_history(self, workspace_id: int, emails: Collection[str], depth: int) -> dict[str, list[CodedPayment]]:
        """The `depth` newest approved payments of each spender, newest first: one query on (workspace, spender
        email, date) for a whole batch."""
        return self._newest_coded(workspace_id, Payment.spender_email, emails, depth)

    def _newest_coded(
        self, workspace_id: int, column: Any, values: Collection[str], depth: int
    ) -> dict[str, list[CodedPayment]]:
        if not values:
            return {}
        rank = func.row_number().over(partition_by=column, order_by=(Payment.date.desc(), Payment.id.desc()))
        ranked = (
            select(
                Payment.id,
                Payment.payee_key,
                Payment.date,
                Payment.spender_email,
                Payment.account_code,
                Payment.tax_type,
                Payment.tracking,
                Payment.contact_id,
                Payment.contact_name,
                column.label("grouped_by"),
                rank.label("rank"),
            )
            .where(
                Payment.workspace_id == workspace_id, column.in_(sorted(set(values))), Payment.state.in_(CODED_STATES)
            )
            .subquery()
        )
        rows = self.session.execute(
            select(ranked).where(ranked.c.rank <= depth).order_by(ranked.c.grouped_by, ranked.c.rank)
        ).all()
        found: dict[str, list[CodedPayment]] = {}
        for row in rows:
            found.setdefault(row.grouped_by, []).append(CodedPayment(*row[:9]))
        return found

    def duplicate_candidates(
        self,
        workspace_id: int,
        source_account_ids: Collection[int],
        amounts: Collection[Decimal],
        first: dt.date,
        last: dt.date,
    ) -> list[DuplicateCandidate]:
        """Payments not excluded from these accounts, of these amounts, dated between `first` and `last`: one query
        on (workspace, source account, amount, date) for a whole batch."""
        if not source_account_ids or not amounts:
            return []
        rows = self.session.execute(
            select(
                Payment.id,
                Payment.source_account_id,
                Payment.external_id,
                Payment.amount,
                Payment.date,
                Payment.payee_key,
                Payment.spender_email,
            ).where(
                Payment.workspace_id == workspace_id,
                Payment.source_account_id.in_(sorted(set(source_account_ids))),
                Payment.amount.in_(_spellings(amounts)),
                Payment.date.between(first, last),
                Payment.state != PaymentState.EXCLUDED,
            )
        ).all()
        return [DuplicateCandidate(*row) for row in rows]


def _spellings(amounts: Collection[Decimal]) -> list[Decimal]:
    """Each amount with 0 to 4 decimal places: SQLite stores money as the text it was given ("120" or "120.00")."""
    spelt: dict[str, Decimal] = {}  # by text: a set would take 120 and 120.00 for one
    for amount in amounts:
        for places in range(5):
            quantum = Decimal(1).scaleb(-places)
            if amount == amount.quantize(quantum):
                spelt[str(amount.quantize(quantum))] = amount.quantize(quantum)
    return [spelt[text] for text in sorted(spelt)]
