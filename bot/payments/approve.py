"""Approve & sync, Retry and Re-sync: a finance user's go-ahead, checked, then handed to the sync engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.connection.roles import Access, Actor, Roles
from bot.errors import DomainError, NotAllowed
from bot.payments import lifecycle
from bot.payments.card_view import coding_choices
from bot.payments.coding import Changed, CodingService, Conflict, not_yours
from bot.payments.splits import stale_lines
from storage.models import ConnectionState, Payment
from storage.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    operation: str
    outcome: str
    actor_user_id: str | None
    summary: dict[str, object]
    xero_id: str | None
    error: str | None


class ApprovalService:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, roles: Roles, coding: CodingService) -> None:
        self._uow = uow
        self._clock = clock
        self._roles = roles
        self._coding = coding

    def approve(self, actor: Actor, payment_id: int, version: int) -> Changed:
        """Queue a complete payment for sync; say exactly what is missing otherwise."""
        self._roles.require(actor, Access.FINANCE, "approve payments")
        with self._uow() as work:
            payment = work.payments.get(actor.workspace_id, payment_id)
            if payment is None:
                raise DomainError("That payment no longer exists.")
            if payment.state in lifecycle.IN_SYNC:
                raise DomainError("This payment is already approved and on its way to Xero.")
            lifecycle.refuse_if_reconciled(payment)  # whatever version the person saw: Xero takes no change
            if payment.version != version:
                raise Conflict(payment_id)
            if payment.state not in lifecycle.APPROVABLE and not lifecycle.overwrites_xero(payment):
                raise DomainError("Only pending, updated or failed payments can be approved.")
            missing = _missing_for_sync(work, payment, actor.workspace_id)
            if missing:
                raise DomainError("This payment can't sync yet: " + "; ".join(missing) + ".")
            resync = payment.xero_bank_transaction_id is not None
            lifecycle.approve(payment, actor.user_id, self._clock.now())
            work.audit.payment_event(
                workspace_id=actor.workspace_id,
                actor_user_id=actor.user_id,
                action="payment.resync_requested" if resync else "payment.approved",
                payment_id=payment.id,
            )
            return self._coding.save(work, payment)

    def sync_log(self, actor: Actor, payment_id: int) -> tuple[Changed, list[LogEntry]]:
        """Every Xero call made for a payment: finance sees any payment's, anyone else only their own."""
        finance = self._roles.access_of(actor) >= Access.FINANCE
        with self._uow() as work:
            payment = work.payments.get(actor.workspace_id, payment_id)
            if not finance and (payment is None or payment.spender_user_id != actor.user_id):
                raise NotAllowed(not_yours("see"))
            if payment is None:
                raise DomainError("That payment no longer exists.")
            entries = [
                LogEntry(
                    a.started_at,
                    a.operation,
                    a.outcome,
                    a.actor_user_id,
                    dict(a.request_summary or {}),
                    a.xero_id,
                    a.error_message,
                )
                for a in work.payments.sync_attempts(payment_id)
            ]
            return self._coding.changed(work, payment), entries


def missing_for_sync(work: UnitOfWork, payment: Payment, workspace_id: int) -> list[str]:
    """What stops the payment from syncing, for an approval nobody clicks (bot/coding/rule_approval.py)."""
    return _missing_for_sync(work, payment, workspace_id)


def _missing_for_sync(work: UnitOfWork, payment: Payment, workspace_id: int) -> list[str]:
    """What must be done before the payment can be sent to Xero, in words for the person approving."""
    missing = []
    if payment.duplicate_of_id is not None:  # bot/coding/duplicates.py
        missing.append("say whether it is a duplicate of the other payment: Not a duplicate, or Exclude this one")
    if not payment.account_code:
        missing.append("choose a Xero account")
    if not payment.tax_type:
        missing.append("choose a tax rate")
    if payment.split_lines:
        missing += stale_lines(payment, coding_choices(work, workspace_id))
    connection = work.connections.active_for(workspace_id)
    source = payment.source_account
    if connection is None or connection.state is not ConnectionState.CONNECTED:
        missing.append("an admin must (re)connect Xero with /xero connect")
    elif not source.xero_bank_account_id:
        missing.append(f"an admin must map {source.name} ({source.currency}) to a Xero bank account in /xero settings")
    else:
        accounts = work.reference.bank_accounts(connection.id)
        bank = next((a for a in accounts if a.account_id == source.xero_bank_account_id), None)
        if bank is None or bank.status != "ACTIVE":
            missing.append(f"the Xero bank account mapped to {source.name} is gone or archived; map another")
        elif (bank.currency_code or source.currency) != source.currency:
            missing.append(
                f"{source.name} pays in {source.currency} but its Xero bank account is in {bank.currency_code}"
            )
    return missing
