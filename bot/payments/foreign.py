"""A foreign-currency spend: the amount as charged before conversion (a card payment in USD from an SGD account).

It is shown beside the account's amount and written in the Xero line's description; Xero is never sent a currency
rate: the transaction is in the bank account's currency, and the amount that left the account is the one booked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.payments.money import CURRENCIES, money_text
from storage.models import Payment

DESCRIPTION_MAX = 4000  # Xero's limit on a line's description


@dataclass(frozen=True)
class Original:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return money_text(self.amount, self.currency)


def read_original(
    raw: dict[str, Any],
    currency: str | None,
    parse_amount: Callable[[Any, str | None], Decimal | str],
    error: Callable[[str, str], None],
) -> Original | None:
    """The payment's original amount and currency when both are given and valid (`error(field, message)` for each
    problem otherwise); None when neither is given."""
    amount_raw, currency_raw = raw.get("original_amount"), raw.get("original_currency")
    if _absent(amount_raw) and _absent(currency_raw):
        return None
    if _absent(currency_raw):
        error("original_currency", "is required with original_amount: the currency the payment was charged in")
        return None
    code = currency_raw.strip() if isinstance(currency_raw, str) else None
    if code not in CURRENCIES:
        error("original_currency", "must be an ISO 4217 currency code such as USD")
        code = None
    elif code == currency:
        error(
            "original_currency",
            f"must differ from the payment's currency ({currency}): leave both original fields out",
        )
        code = None
    if _absent(amount_raw):
        error("original_amount", "is required with original_currency: the amount as charged in that currency")
        return None
    parsed = parse_amount(amount_raw, code)
    if isinstance(parsed, str):
        error("original_amount", parsed)
        return None
    return Original(parsed, code) if code else None


def line_description(payment: Payment) -> str:
    """The Xero line's description (the payee when there is none), carrying a foreign-currency spend's original amount
    ("Figma Inc — USD 89.00"), within Xero's limit."""
    description = payment.description or payment.payee
    original = original_of(payment.original_amount, payment.original_currency)
    if original is None:
        return description[:DESCRIPTION_MAX]
    suffix = f" — {original}"
    return description[: DESCRIPTION_MAX - len(suffix)] + suffix


def original_of(amount: Decimal | None, currency: str | None) -> Original | None:
    return Original(amount, currency) if amount is not None and currency else None


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
