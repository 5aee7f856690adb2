"""Does a receipt agree with its payment? Amount, date and merchant, and the tax the chosen rate implies.

Pure functions of what the receipt reader found (`ReadFields`) and what the bank said (`PaymentFacts`); the words
they return are the ones the card shows (CONTRACT: "Receipt matches", "Receipt total SGD 45.00, payment SGD 54.00").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from rapidfuzz import fuzz

from bot.coding.payees import normalise
from bot.payments.money import money_text, quantum

# A foreign-currency spend: the charged amount the bank reports may differ a little from the receipt's total
# (the card network's rounding, a fee folded in); within this share of the receipt's total it still matches.
FX_TOLERANCE = Decimal("0.03")
DATE_WINDOW = timedelta(days=5)  # a card payment is booked a few days after the receipt's date, rarely more
MERCHANT_SIMILARITY = 80  # rapidfuzz token_set_ratio of the normalised names at which they are one merchant
TAX_TOLERANCE_UNITS = 1  # minor units (a cent) by which a receipt's tax may differ from the rate's: rounding

MATCHES, DIFFERS, UNREAD = "matches", "differs", "unread"
TAX_WORDS = re.compile(r"\b(GST|VAT|HST|PST|QST|IVA|MwSt|TVA|SST)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ReadFields:
    """What the receipt reader found on one receipt (None where it could not tell)."""

    total: Decimal | None = None
    currency: str | None = None
    date: date | None = None
    merchant: str | None = None
    tax: Decimal | None = None


@dataclass(frozen=True)
class PaymentFacts:
    amount: Decimal
    currency: str
    date: date
    payee: str
    original_amount: Decimal | None = None  # a foreign-currency spend as charged, before conversion
    original_currency: str | None = None


@dataclass(frozen=True)
class Check:
    """The outcome ("matches", "differs", "unread"), each difference in the card's words, and notes such as the
    FX tolerance that let a foreign total match."""

    outcome: str
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_receipt(read: ReadFields, payment: PaymentFacts) -> Check:
    """Compare one reading with its payment; without a total there is nothing to match on."""
    if read.total is None:
        return Check(UNREAD)
    differences: list[str] = []
    notes: list[str] = []
    amount = _amount_difference(read.total, read.currency, payment, notes)
    if amount:
        differences.append(amount)
    if read.date is not None and abs(read.date - payment.date) > DATE_WINDOW:
        differences.append(f"Receipt date {day(read.date)}, payment {day(payment.date)}")
    if read.merchant and not same_merchant(read.merchant, payment.payee):
        differences.append(f"Receipt from {read.merchant}, payment to {payment.payee}")
    return Check(DIFFERS if differences else MATCHES, differences, notes)


def _amount_difference(total: Decimal, currency: str | None, payment: PaymentFacts, notes: list[str]) -> str | None:
    shown_currency = currency or payment.currency
    if shown_currency == payment.currency:
        if total.quantize(quantum(payment.currency)) == payment.amount.quantize(quantum(payment.currency)):
            return None
        return f"Receipt total {money_text(total, shown_currency)}, payment {_paid(payment)}"
    charged = payment.original_amount if payment.original_currency == shown_currency else None
    if charged is None:
        return (
            f"Receipt total {money_text(total, shown_currency)}, payment {money_text(payment.amount, payment.currency)}"
            f" (another currency, and the bank gave no {shown_currency} amount to compare)"
        )
    if total > 0 and abs(charged - total) <= total * FX_TOLERANCE:
        notes.append(
            f"Receipt total {money_text(total, shown_currency)} is within {fx_tolerance_text()} of the "
            f"{money_text(charged, shown_currency)} charged (card FX)"
        )
        return None
    return (
        f"Receipt total {money_text(total, shown_currency)}, payment {money_text(charged, shown_currency)} "
        f"({money_text(payment.amount, payment.currency)}; more than {fx_tolerance_text()} apart)"
    )


def _paid(payment: PaymentFacts) -> str:
    return money_text(payment.amount, payment.currency)


def fx_tolerance_text() -> str:
    return f"{(FX_TOLERANCE * 100).normalize():f}%"


def same_merchant(on_receipt: str, payee: str) -> bool:
    """Whether the receipt's merchant is the payee the bank named ("FIGMA, INC." and "FIGMA.COM SAN FRANCISCO")."""
    first, second = normalise(on_receipt).key, normalise(payee).key
    if not first or not second:
        return True  # nothing left to compare: not a difference anyone could act on
    return first == second or fuzz.token_set_ratio(first, second) >= MERCHANT_SIMILARITY


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(when: date) -> str:
    """ "20 Nov 2026", whatever the process locale (as the card writes dates)."""
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


# ---------------------------------------------------------------- tax


@dataclass(frozen=True)
class TaxRate:
    name: str  # as Xero names it: "GST on Purchases", "20% (VAT on Expenses)"
    rate: Decimal  # percent


def implied_tax(amount: Decimal, currency: str, rate: Decimal) -> Decimal:
    """The tax in a tax-inclusive amount: amount * rate / (100 + rate), in the currency's minor unit."""
    return (amount * rate / (Decimal(100) + rate)).quantize(quantum(currency), rounding=ROUND_HALF_UP)


def tax_difference(read: ReadFields, payment: PaymentFacts, tax: TaxRate | None) -> str | None:
    """ "Receipt shows GST 4.13; GST on Purchases 9% gives 4.50", when they differ by more than a cent."""
    if read.tax is None or tax is None or (read.currency and read.currency != payment.currency):
        return None
    expected = implied_tax(payment.amount, payment.currency, tax.rate)
    unit = quantum(payment.currency)
    if abs(read.tax - expected) <= unit * TAX_TOLERANCE_UNITS:
        return None
    found = TAX_WORDS.search(tax.name)
    word = found.group(1).upper() if found else "tax"
    rate_name = tax.name if "%" in tax.name else f"{tax.name} {tax.rate.normalize():f}%"
    shown = read.tax.quantize(unit) if read.tax == read.tax.quantize(unit) else read.tax
    return f"Receipt shows {word} {shown:,f}; {rate_name} gives {expected:,f}"
