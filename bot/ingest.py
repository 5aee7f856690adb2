"""Storing incoming payments: all or nothing per request, idempotent on (source account, payment id)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from bot.clock import Clock
from bot.payment_input import FieldError, PaymentIn
from storage.models import Payment, SourceAccount
from storage.uow import UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)


@dataclass
class IngestResult:
    created: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)


class IngestService:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def ingest(self, workspace_id: int, payments: Sequence[PaymentIn]) -> IngestResult:
        """Store the new payments of a batch in one transaction; a concurrent duplicate retries once."""
        for attempt in (1, 2):
            try:
                return self._ingest_once(workspace_id, payments)
            except IntegrityError:
                if attempt == 2:
                    raise
                logger.info("a concurrent request stored some of these payments first; retrying as duplicates")
        raise AssertionError("unreachable")

    def _ingest_once(self, workspace_id: int, payments: Sequence[PaymentIn]) -> IngestResult:
        result = IngestResult()
        with self._uow() as work:
            accounts = self._source_accounts(work, workspace_id, payments, result)
            if result.errors:
                return result
            seen: set[tuple[int, str]] = set()
            known = work.payments.known_external_ids(workspace_id, {a.id for a in accounts.values()})
            for payment in payments:
                account = accounts[payment.account.id]
                key = (account.id, payment.id)
                if key in known or key in seen:
                    result.duplicates.append(payment.id)
                    continue
                seen.add(key)
                work.session.add(self._new_payment(work, workspace_id, account, payment))
                result.created.append(payment.id)
            work.session.flush()
            work.commit()
        return result

    def _source_accounts(
        self, work: UnitOfWork, workspace_id: int, payments: Sequence[PaymentIn], result: IngestResult
    ) -> dict[str, SourceAccount]:
        """Each source account of the batch, registered on first sight."""
        accounts: dict[str, SourceAccount] = {}
        for index, payment in enumerate(payments):
            described = payment.account
            account = accounts.get(described.id) or work.payments.source_account(workspace_id, described.id)
            if account is None:
                account = SourceAccount(
                    workspace_id=workspace_id,
                    external_id=described.id,
                    name=described.name,
                    currency=described.currency,
                )
                work.session.add(account)
                work.session.flush()
            elif account.currency != described.currency:
                result.errors.append(
                    FieldError(index, "account.currency", f"account {described.id} is registered as {account.currency}")
                )
            accounts[described.id] = account
        return accounts

    def _new_payment(self, work: UnitOfWork, workspace_id: int, account: SourceAccount, payment: PaymentIn) -> Payment:
        mapping = work.payments.category_mapping(workspace_id, payment.category) if payment.category else None
        return Payment(
            workspace_id=workspace_id,
            source_account_id=account.id,
            external_id=payment.id,
            amount=payment.amount,
            currency=payment.currency,
            date=payment.date,
            payee=payment.payee,
            description=payment.description,
            category=payment.category,
            reference=payment.reference,
            spender_email=payment.spender_email,
            account_code=mapping.account_code if mapping else None,
            tax_type=mapping.tax_type if mapping else None,
            tracking=list(mapping.tracking) if mapping else [],
        )
