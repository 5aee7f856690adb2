"""An outbound payment as a source describes it (webhook or bank export), validated field by field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.payments.foreign import read_original
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
    original_amount: Decimal | None = None  # a foreign-currency spend, as charged (bot.payments.foreign)
    original_currency: str | None = None


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


class _Fields:
    """Reads one raw payment field by field, collecting every problem in the order the fields are read."""

    def __init__(self, raw: dict[str, Any], index: int) -> None:
        self.raw = raw
        self.index = index
        self.errors: list[FieldError] = []

    def error(self, field: str, message: str) -> None:
        self.errors.append(FieldError(self.index, field, message))

    def text(
        self, field: str, *, required: bool, limit: int, container: dict[str, Any] | None = None, prefix: str = ""
    ) -> str | None:
        source = self.raw if container is None else container
        value = source.get(field)
        name = f"{prefix}{field}"
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(name, "is required")
            return None
        if not isinstance(value, str):
            self.error(name, "must be a string")
            return None
        value = value.strip()
        problem = text_problem(value, limit=limit, multiline=name == "description")
        if problem is not None:
            self.error(name, problem)
            return None
        return value

    def account(self) -> SourceAccountIn | None:
        account_raw = self.raw.get("account")
        if not isinstance(account_raw, dict):
            self.error("account", 'is required: an object {"id", "name", "currency"}')
            return None

        def part(field: str, limit: int) -> str | None:
            return self.text(field, required=True, limit=limit, container=account_raw, prefix="account.")

        account_id, name, currency = (
            part("id", ACCOUNT_LIMITS["id"]),
            part("name", ACCOUNT_LIMITS["name"]),
            part("currency", 3),
        )
        if currency is not None and currency not in CURRENCIES:
            self.error("account.currency", "must be an ISO 4217 currency code such as SGD")
        if account_id and name and currency in CURRENCIES:
            return SourceAccountIn(account_id, name, str(currency))
        return None

    def currency(self, account: SourceAccountIn | None) -> str | None:
        currency = self.text("currency", required=True, limit=3)
        if currency is not None and currency not in CURRENCIES:
            self.error("currency", "must be an ISO 4217 currency code such as SGD")
        elif currency is not None and account is not None and currency != account.currency:
            self.error("currency", f"must be the account's currency ({account.currency})")
        return currency

    def amount(self, currency: str | None) -> Decimal | None:
        if self.raw.get("amount") is None:
            self.error("amount", "is required")
            return None
        parsed = parse_amount(self.raw.get("amount"), currency)
        if isinstance(parsed, str):
            self.error("amount", parsed)
            return None
        return parsed

    def date(self) -> date | None:
        written = self.text("date", required=True, limit=10)
        if written is None:
            return None
        # fromisoformat alone also takes week dates (2026-W47-1) and compact forms (20261120).
        if ISO_DATE.fullmatch(written):
            try:
                return date.fromisoformat(written)
            except ValueError:
                pass
        self.error("date", "must be an ISO date written YYYY-MM-DD, such as 2026-11-20")
        return None

    def original(self) -> tuple[Decimal | None, str | None]:
        """A foreign-currency spend as charged (shown, and what its receipt is checked against): both or neither."""
        currency = self.text("original_currency", required=False, limit=3)
        if currency is not None and currency not in CURRENCIES:
            self.error("original_currency", "must be an ISO 4217 currency code such as USD")
            return None, None
        if self.raw.get("original_amount") is None:
            if currency is not None:
                self.error("original_amount", "is required with original_currency")
            return None, None
        if currency is None:
            self.error("original_currency", "is required with original_amount")
            return None, None
        parsed = parse_amount(self.raw.get("original_amount"), currency)
        if isinstance(parsed, str):
            self.error("original_amount", parsed)
            return None, None
        return parsed, currency


def validate_payment(raw: Any, index: int) -> PaymentIn | list[FieldError]:
    """Every problem with one payment, or the payment."""
    if not isinstance(raw, dict):
        return [FieldError(index, "", "must be a JSON object")]
    fields = _Fields(raw, index)
    payment_id = fields.text("id", required=True, limit=LIMITS["id"])
    account = fields.account()
    currency = fields.currency(account)
    amount = fields.amount(currency)
    when = fields.date()
    payee = fields.text("payee", required=True, limit=LIMITS["payee"])
    description = fields.text("description", required=False, limit=LIMITS["description"])
    category = fields.text("category", required=False, limit=LIMITS["category"])
    reference = fields.text("reference", required=False, limit=LIMITS["reference"])
    email = fields.text("spender_email", required=False, limit=LIMITS["spender_email"])
    if email is not None and not EMAIL.fullmatch(email):
        fields.error("spender_email", "must be an email address")
    original = read_original(raw, currency, parse_amount, fields.error)
    if fields.errors:
        return fields.errors
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
        original_amount=original.amount if original else None,
        original_currency=original.currency if original else None,
    )


@dataclass(frozen=True)
class Arriving:
    """A payment of the batch about to be stored, with the id of its source account's row."""

    source_account_id: int
    payment: PaymentIn
