"""A payment's receipt checks as its card shows them, and whether a mismatch holds the payment back.

The amount, date and merchant check is stored with each reading when it is made; the tax check is made here, each
time the card is drawn, because finance may change the payment's tax rate after the receipt was read.
"""

from __future__ import annotations

from datetime import timedelta

from bot.payments.cards import ReceiptCheckView, TaxChoice
from bot.receipts.matching import DIFFERS, PaymentFacts, ReadFields, TaxRate, tax_difference
from storage.models import Payment, ReceiptReading, ReceiptState, utcnow

UNREAD_HOLD = timedelta(days=2)  # as long as the read_receipts job still reads a receipt nobody read


def payment_facts(payment: Payment) -> PaymentFacts:
    return PaymentFacts(
        amount=payment.amount,
        currency=payment.currency,
        date=payment.date,
        payee=payment.payee,
        original_amount=payment.original_amount,
        original_currency=payment.original_currency,
    )


def read_fields(reading: ReceiptReading) -> ReadFields:
    return ReadFields(reading.total, reading.currency, reading.receipt_date, reading.merchant, reading.tax)


def receipt_check_views(payment: Payment, tax: TaxChoice | None) -> tuple[ReceiptCheckView, ...]:
    """One view per read receipt of the payment, oldest first (receipts not read yet are left out)."""
    rate = TaxRate(tax.name, tax.rate) if tax is not None and tax.rate is not None else None
    facts = payment_facts(payment)
    views = []
    for receipt in payment.receipts:
        reading = receipt.reading
        if reading is None or reading.read_at is None or receipt.state is ReceiptState.REJECTED:
            continue
        views.append(
            ReceiptCheckView(
                receipt_id=receipt.id,
                file_name=receipt.file_name,
                outcome=reading.outcome,
                differences=tuple(reading.differences or ()),
                notes=tuple(reading.notes or ()),
                tax=tax_difference(read_fields(reading), facts, rate),
                kept_by_user_id=reading.kept_by_user_id,
                problem=reading.problem,
            )
        )
    return tuple(views)


def receipt_mismatch(payment: Payment) -> str | None:
    """What differs between the payment and a receipt finance has not kept anyway; None when nothing does.

    Automatic approval asks this before approving a payment (bot/coding/); the App Home lists such payments."""
    for receipt in payment.receipts:
        reading = receipt.reading
        if reading is None or receipt.state is ReceiptState.REJECTED:
            continue
        if reading.outcome == DIFFERS and reading.kept_at is None:
            return (reading.differences or ["The receipt does not match the payment"])[0]
    return None


def receipt_tax_mismatch(payment: Payment, tax: TaxChoice | None) -> str | None:
    """How a read receipt's tax differs from what the payment's tax rate gives, on a receipt finance has not kept
    anyway; None when none differs (or the rate or the receipt's tax is not known)."""
    for view in receipt_check_views(payment, tax):
        if view.tax and view.kept_by_user_id is None:
            return view.tax
    return None


def receipt_hold(payment: Payment, tax: TaxChoice | None = None) -> str | None:
    """Why automatic approval must wait for a person or for the reader: a receipt that differs (its total, date,
    merchant, or its tax against the payment's tax rate `tax`) and was not kept anyway, or a receipt stored lately
    and not read yet (one stored before receipts were read never holds)."""
    mismatch = receipt_mismatch(payment) or receipt_tax_mismatch(payment, tax)
    if mismatch:
        return f"its receipt does not match: {mismatch}"
    recent = utcnow() - UNREAD_HOLD
    for receipt in payment.receipts:
        just_stored = receipt.created_at is None or receipt.created_at >= recent  # None: not flushed yet
        if receipt.state is ReceiptState.STORED and receipt.reading is None and just_stored:
            return "its receipt is still being read"
    return None
