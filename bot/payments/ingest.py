"""Storing incoming payments, idempotent on (source account, payment id): all or nothing per webhook request, and
batches of an import stored with one indexed look-up and one bulk insert each."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock
from bot.coding.arrival import arrival_columns
from bot.coding.rule_approval import after_arrival
from bot.payments.input import Arriving, FieldError, PaymentIn, SourceAccountIn
from storage.bulk import insert_rows
from storage.models import Payment, PaymentState, SourceAccount, utcnow
from storage.uow import UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)
PAYMENTS: Table = Payment.__table__  # type: ignore[assignment]


@dataclass
class IngestResult:
    created: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)


class AccountCurrencyMismatch(Exception):
    """The account is registered in another currency than the payments say."""

    def __init__(self, account: SourceAccountIn, registered: str) -> None:
        super().__init__(f"account {account.id} is registered as {registered}")
        self.account = account
        self.registered = registered


class PaymentArrivals(Protocol):
    """Told once per stored batch which days its new payments are dated (receipts sent before them wait)."""

    def arrived(self, workspace_id: int, dates: Sequence[dt.date]) -> None: ...


class IngestService:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, arrivals: PaymentArrivals | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._arrivals = arrivals

    def ingest(self, workspace_id: int, payments: Sequence[PaymentIn]) -> IngestResult:
        """Store the new payments of a batch in one transaction; a concurrent duplicate retries once."""
        result = _twice_on_conflict(lambda: self._ingest_once(workspace_id, payments), "a concurrent request")
        self._arrived(workspace_id, payments, result)
        return result

    def store(self, workspace_id: int, payments: Sequence[PaymentIn], import_run: str | None = None) -> IngestResult:
        """An import's batch: the new payments inserted in bulk, the known ones counted as duplicates. `import_run`
        names the import the batch belongs to: its lines are not flagged as duplicates of each other.

        Raises AccountCurrencyMismatch when an account is registered in another currency (nothing is stored)."""
        result = _twice_on_conflict(lambda: self._store_once(workspace_id, payments, import_run), "a concurrent import")
        self._arrived(workspace_id, payments, result)
        return result

    def _arrived(self, workspace_id: int, payments: Sequence[PaymentIn], result: IngestResult) -> None:
        """The payments are stored (the source's answer no longer depends on this): receipts waiting for them."""
        if self._arrivals is None or not result.created:
            return
        created = set(result.created)
        try:
            self._arrivals.arrived(workspace_id, sorted({p.date for p in payments if p.id in created}))
        except Exception:
            logger.exception("receipts sent before these payments were not matched with them")

    def refresh_statistics(self) -> None:
        """Once an import has stored its first batch, so the look-ups of the next batches use the index."""
        with self._uow() as work:
            work.payments.refresh_statistics()
            work.commit()

    def known(self, workspace_id: int, payments: Sequence[PaymentIn]) -> set[tuple[str, str]]:
        """(account id, payment id) of the payments already stored, without storing anything (a dry run)."""
        found: set[tuple[str, str]] = set()
        with self._uow() as work:
            for account_id, ids in _ids_by_account(payments).items():
                account = work.payments.source_account(workspace_id, account_id)
                if account is not None:
                    found |= {
                        (account_id, known)
                        for known in work.payments.existing_external_ids(workspace_id, account.id, ids)
                    }
        return found

    def _ingest_once(self, workspace_id: int, payments: Sequence[PaymentIn]) -> IngestResult:
        result = IngestResult()
        with self._uow() as work:
            accounts = self._source_accounts(work, workspace_id, payments, result)
            if result.errors:
                return result
            known = self._known_pairs(work, workspace_id, accounts, payments)
            new: list[Arriving] = []
            seen: set[tuple[int, str]] = set()
            for payment in payments:
                account = accounts[payment.account.id]
                key = (account.id, payment.id)
                if key in known or key in seen:
                    result.duplicates.append(payment.id)
                    continue
                seen.add(key)
                new.append(Arriving(account.id, payment))
                result.created.append(payment.id)
            # Coding by a rule, from history or the category mapping, and the duplicate check (bot/coding/arrival.py).
            arrived = arrival_columns(work, workspace_id, new)
            for item, columns in zip(new, arrived, strict=True):
                row = _payment_row(item.source_account_id, item.payment) | columns
                work.session.add(Payment(**row, workspace_id=workspace_id, version=1))
            work.session.flush()
            after_arrival(work, workspace_id, new, arrived, self._clock.now())  # rules' automatic approval
            work.commit()
        return result

    def _store_once(self, workspace_id: int, payments: Sequence[PaymentIn], import_run: str | None) -> IngestResult:
        result = IngestResult()
        with self._uow() as work:
            accounts: dict[str, SourceAccount] = {}
            for payment in payments:
                if payment.account.id not in accounts:
                    accounts[payment.account.id] = self._account(work, workspace_id, payment.account)
            known = self._known_pairs(work, workspace_id, accounts, payments)
            new: list[Arriving] = []
            seen: set[tuple[int, str]] = set()
            row_ids = {account_id: account.id for account_id, account in accounts.items()}
            for payment in payments:
                account_row_id = row_ids[payment.account.id]
                key = (account_row_id, payment.id)
                if key in known or key in seen:
                    result.duplicates.append(payment.id)
                    continue
                seen.add(key)
                new.append(Arriving(account_row_id, payment))
                result.created.append(payment.id)
            # Coding by a rule, from history or the category mapping, and the duplicate check (bot/coding/arrival.py).
            arrived = arrival_columns(work, workspace_id, new, import_run=import_run)
            rows = [
                _payment_row(item.source_account_id, item.payment) | columns
                for item, columns in zip(new, arrived, strict=True)
            ]
            constants = {"workspace_id": workspace_id, "import_run": import_run, **_new_payment_constants()}
            insert_rows(work.session, PAYMENTS, rows, constants)
            after_arrival(work, workspace_id, new, arrived, self._clock.now())  # rules' automatic approval
            work.commit()
        return result

    @staticmethod
    def _account(work: UnitOfWork, workspace_id: int, described: SourceAccountIn) -> SourceAccount:
        account = work.payments.source_account(workspace_id, described.id)
        if account is None:
            account = _new_account(work, workspace_id, described)
        elif account.currency != described.currency:
            raise AccountCurrencyMismatch(described, account.currency)
        return account

    @staticmethod
    def _known_pairs(
        work: UnitOfWork, workspace_id: int, accounts: dict[str, SourceAccount], payments: Sequence[PaymentIn]
    ) -> set[tuple[int, str]]:
        """One indexed query per account of the batch (a batch almost always has one account)."""
        known: set[tuple[int, str]] = set()
        for account_id, ids in _ids_by_account(payments).items():
            row_id = accounts[account_id].id
            known |= {(row_id, found) for found in work.payments.existing_external_ids(workspace_id, row_id, ids)}
        return known

    def _source_accounts(
        self, work: UnitOfWork, workspace_id: int, payments: Sequence[PaymentIn], result: IngestResult
    ) -> dict[str, SourceAccount]:
        """Each source account of the batch, registered on first sight."""
        accounts: dict[str, SourceAccount] = {}
        for index, payment in enumerate(payments):
            described = payment.account
            account = accounts.get(described.id) or work.payments.source_account(workspace_id, described.id)
            if account is None:
                account = _new_account(work, workspace_id, described)
            elif account.currency != described.currency:
                result.errors.append(
                    FieldError(index, "account.currency", f"account {described.id} is registered as {account.currency}")
                )
            accounts[described.id] = account
        return accounts


def _ids_by_account(payments: Sequence[PaymentIn]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    for payment in payments:
        grouped.setdefault(payment.account.id, set()).add(payment.id)
    return grouped


def _new_account(work: UnitOfWork, workspace_id: int, described: SourceAccountIn) -> SourceAccount:
    """A source account seen for the first time, registered in the currency its first payments name."""
    account = SourceAccount(
        workspace_id=workspace_id, external_id=described.id, name=described.name, currency=described.currency
    )
    work.session.add(account)
    work.session.flush()
    return account


def _payment_row(source_account_id: int, payment: PaymentIn) -> dict[str, Any]:
    """The payment as its source described it; its coding comes from `arrival_columns`."""
    return {
        "source_account_id": source_account_id,
        "external_id": payment.id,
        "amount": payment.amount,
        "currency": payment.currency,
        "date": payment.date,
        "payee": payment.payee,
        "description": payment.description,
        "category": payment.category,
        "reference": payment.reference,
        "spender_email": payment.spender_email,
        "original_amount": payment.original_amount,
        "original_currency": payment.original_currency,
    }


def _new_payment_constants() -> dict[str, Any]:
    now = utcnow()
    return {"state": PaymentState.PENDING, "version": 1, "created_at": now, "updated_at": now}


def _twice_on_conflict(attempt: Callable[[], IngestResult], who: str) -> IngestResult:
    """A concurrent writer of the same payments makes the first try fail on the unique index; the second try
    then finds them stored and counts them as duplicates."""
    try:
        return attempt()
    except IntegrityError:
        logger.info("%s stored some of these payments first; retrying as duplicates", who)
    return attempt()
