"""Which open payment a receipt sent on its own is for, and tying it to that payment ("receipt first").

A payment fits when its receipt check would say "Receipt matches": the same amount (or within the FX tolerance of
a foreign spend's charged amount), dates at most 5 days apart, a similar merchant. Payments the sender made are
preferred; someone outside finance may only add receipts to payments they made (as in a payment's thread).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.coding.rule_approval import approve_by_rule
from bot.payments import lifecycle
from bot.payments.money import money_text
from bot.receipts.matching import DATE_WINDOW, MATCHES, ReadFields, check_receipt
from bot.receipts.matching_view import payment_facts
from storage.models import Payment, Receipt, ReceiptReading, ReceiptState, WaitingReceipt
from storage.uow import UnitOfWork

MAX_RECEIPTS = 10  # as bot.receipts.service: what Xero keeps on one transaction


@dataclass(frozen=True)
class PaymentSummary:
    """A payment as a receipt's sender is told about it."""

    payment_id: int
    amount: str  # "SGD 45.00"
    payee: str
    date: date
    url: str | None  # its message in the finance channel, once posted


class ReceiptFirstMessenger(Protocol):
    """What receiving a receipt outside a payment's thread says back, in the thread of the message that sent it
    (handlers.receipt_first_messages in the running bot)."""

    def received(self, team_id: str, channel: str, thread_ts: str) -> None: ...

    def refused(self, team_id: str, channel: str, thread_ts: str, reason: str) -> None: ...

    def attached(self, team_id: str, channel: str, thread_ts: str, payment: PaymentSummary) -> None: ...

    def choose(
        self, team_id: str, channel: str, thread_ts: str, waiting_id: int, payments: Sequence[PaymentSummary]
    ) -> None: ...

    def not_yet(self, team_id: str, channel: str, thread_ts: str, unread: bool) -> None: ...


def summary(payment: Payment) -> PaymentSummary:
    return PaymentSummary(
        payment.id, money_text(payment.amount, payment.currency), payment.payee, payment.date, payment.message_url
    )


def window_of(waiting: WaitingReceipt) -> tuple[date, date]:
    """The payment dates a receipt may be for: around its own date, or the day it was sent when it shows none."""
    center = waiting.receipt_date or waiting.created_at.date()
    return center - DATE_WINDOW, center + DATE_WINDOW


def fields(waiting: WaitingReceipt) -> ReadFields:
    return ReadFields(waiting.total, waiting.currency, waiting.receipt_date, waiting.merchant, waiting.tax)


def fitting(waiting: WaitingReceipt, payments: Sequence[Payment], *, sender_is_finance: bool) -> list[Payment]:
    """The payments this receipt fits that its sender may add it to, the sender's own first (only those, if any)."""
    if waiting.total is None:
        return []
    read = fields(waiting)
    fits = [
        p
        for p in payments
        if p.workspace_id == waiting.workspace_id and check_receipt(read, payment_facts(p)).outcome == MATCHES
    ]
    own = [p for p in fits if _made_by(p, waiting)]
    if own:
        return own
    return fits if sender_is_finance else []


def _made_by(payment: Payment, waiting: WaitingReceipt) -> bool:
    if payment.spender_user_id:
        return payment.spender_user_id == waiting.sender_user_id
    email = waiting.sender_email
    return bool(email and payment.spender_email and payment.spender_email.casefold() == email.casefold())


def attach(work: UnitOfWork, waiting: WaitingReceipt, payment: Payment, now: datetime) -> Receipt | None:
    """The waiting receipt becomes one of the payment's receipts, with its reading and check; None when the payment
    has the same file already, or as many receipts as Xero keeps."""
    kept = [r for r in payment.receipts if r.state is not ReceiptState.REJECTED]
    if len(kept) >= MAX_RECEIPTS or any(r.sha256 and r.sha256 == waiting.sha256 for r in kept):
        return None
    check = check_receipt(fields(waiting), payment_facts(payment))
    receipt = Receipt(
        slack_file_id=waiting.slack_file_id,
        file_name=waiting.file_name,
        mime_type=waiting.mime_type,
        size_bytes=waiting.size_bytes,
        sha256=waiting.sha256,
        content=waiting.content,
        sent_by_user_id=waiting.sender_user_id,
    )
    receipt.reading = ReceiptReading(
        payment_id=payment.id,
        workspace_id=payment.workspace_id,
        outcome=check.outcome,
        differences=check.differences,
        notes=check.notes,
        total=waiting.total,
        currency=waiting.currency,
        receipt_date=waiting.receipt_date,
        merchant=waiting.merchant,
        tax=waiting.tax,
        number=waiting.number,
        confidences=dict(waiting.confidences or {}),
        engine=waiting.engine,
        problem=waiting.problem,
        read_at=waiting.read_at,
    )
    payment.receipts.append(receipt)
    lifecycle.changed(payment)
    work.session.flush()  # the receipt's id, kept with the waiting receipt it came from
    waiting.receipt_id = receipt.id
    waiting.status = "attached"
    waiting.payment_id = payment.id
    waiting.attached_at = now
    waiting.candidates = []
    waiting.content = None  # the file now lives with the payment's receipt
    approve_by_rule(work, payment, now)  # a rule that waited for a receipt approves now, if this one agrees
    return receipt
