"""An outbound payment as a source describes it (webhook or bank export), validated field by field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.payments.money import CURRENCIES, minor_units
from bot.text_input import DESCRIPTION_MAX, NAME_MAX, text_problem

LIMITS = {
    "id": 128,
    "payee": NAME_MAX,
    "description": DESCRIPTION_MAX,
    "category": NAME_MAX,
    "reference": NAME_MAX,
    "spender_email": 254,
}
ACCOUNT_LIMITS = {"id": 128, "name": NAME_MAX}
EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
# ASCII digits only: `\d` and Decimal() also take Arabic-Indic, full-width and other scripts' digits.
DECIMAL = re.compile(r"[0-9]{1,13}(\.[0-9]+)?")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class SourceAccountIn:
    id: str
    name: str
    currency: str


@dataclass(frozen=True)
class PaymentIn:
    id: str
    account: SourceAccountIn
    amount: Decimal
    currency: str
    date: date
    payee: str
    description: str | None = None
    category: str | None = None
    reference: str | None = None
    spender_email: str | None = None


@dataclass(frozen=True)
class FieldError:
    index: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "message": self.message}


def parse_amount(raw: Any, currency: str | None) -> Decimal | str:
    """A positive amount with at most the currency's minor units, or the reason it is not one."""
    if not isinstance(raw, str):
        return 'must be a decimal string such as "123.45" (a JSON number could have been rounded)'
    text = raw.strip()
    if text.startswith("-"):
        return "must be positive: the amount of money that left the account"
    if not DECIMAL.fullmatch(text):
        return 'must be a decimal string such as "123.45"'
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return 'must be a decimal string such as "123.45"'
    if amount <= 0:
        return "must be greater than zero"
    if currency in CURRENCIES:
        places = minor_units(currency)
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            return f"has more decimal places than {currency} allows ({places})"
    return amount


def validate_payment(raw: Any, index: int) -> PaymentIn | list[FieldError]:
    """Every problem with one payment, or the payment."""
    errors: list[FieldError] = []

    def error(field: str, message: str) -> None:
        errors.append(FieldError(index, field, message))

    if not isinstance(raw, dict):
        return [FieldError(index, "", "must be a JSON object")]

    def text(
        field: str, *, required: bool, limit: int, container: dict[str, Any] | None = None, prefix: str = ""
    ) -> str | None:
        source = raw if container is None else container
        value = source.get(field)
        name = f"{prefix}{field}"
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                error(name, "is required")
            return None
        if not isinstance(value, str):
            error(name, "must be a string")
            return None
        value = value.strip()
        problem = text_problem(value, limit=limit, multiline=name == "description")
        if problem is not None:
            error(name, problem)
            return None
        return value

    payment_id = text("id", required=True, limit=LIMITS["id"])
    account_raw = raw.get("account")
    account: SourceAccountIn | None = None
    if not isinstance(account_raw, dict):
        error("account", 'is required: an object {"id", "name", "currency"}')
    else:
        account_id = text("id", required=True, limit=ACCOUNT_LIMITS["id"], container=account_raw, prefix="account.")
        account_name = text(
            "name", required=True, limit=ACCOUNT_LIMITS["name"], container=account_raw, prefix="account."
        )
        account_currency = text("currency", required=True, limit=3, container=account_raw, prefix="account.")
        if account_currency is not None and account_currency not in CURRENCIES:
            error("account.currency", "must be an ISO 4217 currency code such as SGD")
        if account_id and account_name and account_currency in CURRENCIES:
            account = SourceAccountIn(account_id, account_name, str(account_currency))
    currency = text("currency", required=True, limit=3)
    if currency is not None and currency not in CURRENCIES:
        error("currency", "must be an ISO 4217 currency code such as SGD")
    elif currency is not None and account is not None and currency != account.currency:
        error("currency", f"must be the account's currency ({account.currency})")
    amount: Decimal | None = None
    if raw.get("amount") is None:
        error("amount", "is required")
    else:
        parsed = parse_amount(raw.get("amount"), currency)
        if isinstance(parsed, str):
            error("amount", parsed)
        else:
            amount = parsed
    when: date | None = None
    date_text = text("date", required=True, limit=10)
    if date_text is not None:
        try:
            # fromisoformat alone also takes week dates (2026-W47-1) and compact forms (20261120).
            if not ISO_DATE.fullmatch(date_text):
                raise ValueError
            when = date.fromisoformat(date_text)
        except ValueError:
            error("date", "must be an ISO date written YYYY-MM-DD, such as 2026-11-20")
            when = None
    payee = text("payee", required=True, limit=LIMITS["payee"])
    description = text("description", required=False, limit=LIMITS["description"])
    category = text("category", required=False, limit=LIMITS["category"])
    reference = text("reference", required=False, limit=LIMITS["reference"])
    email = text("spender_email", required=False, limit=LIMITS["spender_email"])
    if email is not None and not EMAIL.fullmatch(email):
        error("spender_email", "must be an email address")
    if errors:
        return errors
    assert payment_id and account and amount is not None and currency and when and payee
    return PaymentIn(
        id=payment_id,
        account=account,
        amount=amount,
        currency=currency,
        date=when,
        payee=payee,
        description=description,
        category=category,
        reference=reference,
        spender_email=email.lower() if email else None,
    )
