"""Earlier payments a new one is compared with: the coded ones to the same merchant, and those that may be the
same payment (models/payments.py, indexes added by migration 0011)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Numeric, any_, bindparam, func, literal_column, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY

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
    split_lines: list[dict[str, Any]] = field(default_factory=list)  # empty for one line


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
                Payment.split_lines,
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
            found.setdefault(row.grouped_by, []).append(CodedPayment(*row[:10]))
        return found

    def duplicate_candidates(
        self,
        workspace_id: int,
        source_account_ids: Collection[int],
        amounts: Collection[Decimal],
        first: dt.date,
        last: dt.date,
        other_than_import: str | None = None,
    ) -> list[DuplicateCandidate]:
        """Payments not excluded from these accounts, of these amounts, dated between `first` and `last`, and not
        stored by the import `other_than_import`: one query on (workspace, source account, amount, date) for a whole
        batch."""
        if not source_account_ids or not amounts:
            return []
        another_way = (
            or_(Payment.import_run.is_(None), Payment.import_run != other_than_import)
            if other_than_import is not None
            else true()
        )
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
                self._amount_among(amounts),
                Payment.date.between(first, last),
                Payment.state != PaymentState.EXCLUDED,
                another_way,
            )
        ).all()
        return [DuplicateCandidate(*row) for row in rows]

    def _amount_among(self, amounts: Collection[Decimal]) -> ColumnElement[bool]:
        """In one parameter, not one for each amount (an import's batch has thousands): an array compared as numbers
        on PostgreSQL; on SQLite, which stores money as the text it was given, a JSON list of each one's spellings."""
        if self.session.get_bind().dialect.name == "postgresql":
            distinct = sorted(set(amounts))
            return Payment.amount == any_(bindparam("amounts", distinct, type_=ARRAY(Numeric(18, 4))))
        spelt = json.dumps(_spellings(amounts))
        return Payment.amount.in_(
            select(literal_column("value")).select_from(func.json_each(bindparam("amounts", spelt))).scalar_subquery()
        )


PLACES = 4  # Money's scale: an amount is never stored with more decimal places


def _spellings(amounts: Collection[Decimal]) -> list[str]:
    """Each amount as SQLite may hold it, which is the text it was given: with 0 to 4 decimal places ("120",
    "120.0" … "120.0000"), built as text (a batch has thousands of amounts)."""
    spelt: set[str] = set()
    for amount in amounts:
        if not amount.is_finite():
            continue
        whole, _, fraction = format(amount, "f").partition(".")
        fraction = fraction.rstrip("0")
        for places in range(len(fraction), PLACES + 1):
            spelt.add(f"{whole}.{fraction.ljust(places, '0')}" if places else whole)
    return sorted(spelt)
