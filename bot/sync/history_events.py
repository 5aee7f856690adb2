"""Who changed a payment's coding, kept in the audit log for the History & Notes entry of its next sync."""

from __future__ import annotations

from bot.coding.suggestions import person_coded
from bot.payments import lifecycle
from storage.models import Payment
from storage.uow import UnitOfWork

CODED = "payment.coded"
# Every audit entry of a person changing what goes to Xero: the coding, the details, the split (bot/payments/splits).
CHANGES = (CODED, "payment.split", "payment.unsplit")


def coded_by_person(work: UnitOfWork, user_id: str, payment: Payment, what: str) -> None:
    """A person chose the payment's `what` (account, tax, tracking): the card stops saying it was suggested, and
    Xero's note will name them."""
    person_coded(payment)
    _record(work, user_id, payment, what)


def edited_by_person(work: UnitOfWork, user_id: str, payment: Payment) -> None:
    """A person changed the payment's description, contact or reference."""
    lifecycle.edited(payment)
    _record(work, user_id, payment, "details")


def _record(work: UnitOfWork, user_id: str, payment: Payment, what: str) -> None:
    work.audit.payment_event(
        workspace_id=payment.workspace_id, actor_user_id=user_id, action=CODED, payment_id=payment.id, what=what
    )
