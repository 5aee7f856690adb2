"""The payment lifecycle (CONTRACT §6) in one place.

Every change of a payment's state, and every bump of the version people see on its message, happens
through these functions: the version is what a click carries back, so a click on an out-of-date
message is refused, and what the outbox compares before it redraws. Nothing here touches a database or
Slack; callers load the payment in a unit of work and commit.

    pending ──approve──▶ approved ──claim──▶ syncing ──synced──▶ synced ──edited──▶ updated
       ▲  │                ▲   ▲              │  │  │                                  │
       │  exclude          │   └─retry_at/────┘  │  └──failed──▶ sync_error           approve
       │  ▼                │     wait_until      │                  │                   ▼
    excluded               └──────release────────┘             approve            approved …

`PaymentState` is stored with the payment, so it is defined beside the model (storage is the lowest
layer); this module is where the rest of the bot takes it from.
"""

from __future__ import annotations

from datetime import datetime

from bot.errors import DomainError
from storage.models import Payment, PaymentState

__all__ = [
    "APPROVABLE",
    "CODABLE",
    "EXCLUDABLE",
    "IN_SYNC",
    "PaymentState",
    "approve",
    "changed",
    "claim",
    "deleted_in_xero",
    "edited",
    "exclude",
    "failed",
    "include",
    "release",
    "retry_at",
    "seen_in_xero",
    "synced",
    "wait_until",
]

# Account, tax, tracking, description and the other codings may change; a synced payment becomes Updated.
CODABLE = frozenset({PaymentState.PENDING, PaymentState.SYNC_ERROR, PaymentState.SYNCED, PaymentState.UPDATED})
# Ready to be (re)sent by a click on Approve & sync, Retry or Re-sync.
APPROVABLE = frozenset({PaymentState.PENDING, PaymentState.SYNC_ERROR, PaymentState.UPDATED})
# In the sync engine's hands: queued or being sent.
IN_SYNC = frozenset({PaymentState.APPROVED, PaymentState.SYNCING})
# Never in Xero: such a payment may be left out of the books.
EXCLUDABLE = frozenset({PaymentState.PENDING, PaymentState.SYNC_ERROR})
ERROR_MAX = 2000
# What Xero says of a synced payment's transaction (bot/sync/xero_status.py), kept in `payment.xero_status`.
XERO_RECONCILED, XERO_CHANGED, XERO_DELETED = "reconciled", "changed", "deleted"
RECONCILED_REFUSAL = "Reconciled in Xero: change it there."


def changed(payment: Payment) -> None:
    """Something shown on the payment's message changed (a receipt, a note, who made it)."""
    payment.version += 1


def edited(payment: Payment) -> None:
    """Its coding changed: a synced payment is "Updated" until it is re-synced."""
    if payment.state is PaymentState.SYNCED:
        payment.state = PaymentState.UPDATED
    changed(payment)


def approve(payment: Payment, user_id: str | None, now: datetime) -> None:
    """Queue the payment for the sync engine, approved by `user_id` (None: by its coding rule), with a fresh retry
    count."""
    payment.state = PaymentState.APPROVED
    payment.approved_by_user_id = user_id
    payment.approved_at = now
    payment.sync_attempts = 0
    payment.sync_next_attempt_at = None
    payment.sync_last_error = None
    changed(payment)


def claim(payment: Payment, lease_until: datetime) -> None:
    """The sync engine takes the payment until `lease_until` (renewed while it works), with a fresh
    Idempotency-Key persisted with the claim, so a resend of this attempt is replayed by Xero, not repeated."""
    payment.state = PaymentState.SYNCING
    payment.sync_attempts += 1
    payment.sync_next_attempt_at = lease_until
    changed(payment)
    payment.idempotency_key = f"xeb-{payment.id}-v{payment.version}"


def synced(payment: Payment, xero_id: str, now: datetime) -> None:
    payment.xero_bank_transaction_id = xero_id
    payment.state = PaymentState.SYNCED
    payment.synced_at = now
    payment.synced_version = payment.version
    payment.sync_last_error = None
    payment.sync_next_attempt_at = None
    payment.xero_status = None  # what Xero had before is overwritten by what was just sent
    payment.xero_changes = None
    payment.xero_reconciled_at = None
    changed(payment)


def failed(payment: Payment, message: str) -> None:
    """A Sync error, with Xero's words (or what is missing), until someone fixes it and retries."""
    payment.state = PaymentState.SYNC_ERROR
    payment.sync_last_error = message[:ERROR_MAX]
    payment.sync_next_attempt_at = None
    changed(payment)


def retry_at(payment: Payment, when: datetime) -> None:
    """The outcome was unknown and Xero does not have it: back in the queue, not before `when`."""
    payment.state = PaymentState.APPROVED
    payment.sync_next_attempt_at = when
    payment.sync_last_error = None
    changed(payment)


def wait_until(payment: Payment, reason: str, resume: datetime) -> None:
    """Xero asked to wait (a rate limit, a lost connection): this try does not count against the retries."""
    payment.state = PaymentState.APPROVED
    payment.sync_attempts = max(payment.sync_attempts - 1, 0)
    payment.sync_next_attempt_at = resume
    payment.sync_last_error = f"Waiting: {reason}"
    changed(payment)


def release(payment: Payment) -> None:
    """A claim whose holder stopped, and Xero does not have the transaction: back in the queue at once."""
    if payment.state is PaymentState.SYNCING:
        payment.state = PaymentState.APPROVED
        payment.sync_next_attempt_at = None
        changed(payment)


def exclude(payment: Payment, reason: str, user_id: str) -> None:
    payment.state = PaymentState.EXCLUDED
    payment.exclusion_reason = reason
    payment.excluded_by_user_id = user_id
    changed(payment)


def include(payment: Payment) -> None:
    """Undo an exclusion."""
    payment.state = PaymentState.PENDING
    payment.exclusion_reason = None
    payment.excluded_by_user_id = None
    changed(payment)


def reconciled_in_xero(payment: Payment) -> bool:
    """Matched to a bank statement line in Xero: the bot changes nothing more of it."""
    return payment.xero_status == XERO_RECONCILED


def refuse_if_reconciled(payment: Payment) -> None:
    """Xero refuses changes to a reconciled transaction, so the bot refuses them first, saying where to go."""
    if reconciled_in_xero(payment):
        raise DomainError(RECONCILED_REFUSAL)


def overwrites_xero(payment: Payment) -> bool:
    """Synced, then changed in Xero: a Re-sync (asked first) puts the bot's version back."""
    return payment.state is PaymentState.SYNCED and payment.xero_status == XERO_CHANGED


def seen_in_xero(
    payment: Payment,
    *,
    status: str | None,
    changes: list[dict[str, str]] | None,
    reconciled_at: datetime | None,
    updated_at: datetime | None,
) -> bool:
    """What Xero now says of the payment's transaction; True when that changed what people see."""
    payment.xero_updated_at = updated_at
    before = (payment.xero_status, payment.xero_changes or None, payment.xero_reconciled_at)
    after = (status, changes or None, reconciled_at)
    if after == before:
        return False
    payment.xero_status, payment.xero_changes, payment.xero_reconciled_at = after
    changed(payment)
    return True


def deleted_in_xero(payment: Payment, updated_at: datetime | None) -> None:
    """Its transaction was deleted in Xero: Pending again, with no transaction, so only a person's Approve
    creates a new one (with a new Idempotency-Key, through the sync engine)."""
    payment.state = PaymentState.PENDING
    payment.xero_bank_transaction_id = None
    payment.idempotency_key = None
    payment.synced_version = None
    payment.sync_last_error = None
    payment.sync_next_attempt_at = None
    payment.xero_status = XERO_DELETED
    payment.xero_changes = None
    payment.xero_reconciled_at = None
    payment.xero_updated_at = updated_at
    changed(payment)
