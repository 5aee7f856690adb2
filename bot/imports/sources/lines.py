"""One line of an export, in the webhook's shape, judged by the webhook's own rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from bot.imports.sources.amounts import quantised
from bot.imports.sources.text import SUSPECT, flattened, forbidden_character, shown
from bot.payments.input import (
    ACCOUNT_LIMITS,
    DECIMAL,
    EMAIL,
    LIMITS,
    PaymentIn,
    SourceAccountIn,
    validate_payment,
)
from bot.payments.money import CURRENCIES, minor_units

FIELD_ORDER = (
    "id",
    "account",
    "account.id",
    "account.name",
    "account.currency",
    "currency",
    "amount",
    "original_amount",
    "original_currency",
    "date",
    "payee",
    "description",
    "category",
    "reference",
    "spender_email",
)
TEXT_FIELDS = ("id", "payee", "description", "category", "reference", "spender_email")
OPTIONAL_TEXT = ("description", "category", "reference", "spender_email")
REFUSED = object()


@dataclass(frozen=True)
class Written:
    """How the file names a field and what it wrote there, so a reason points at what the operator can see."""

    label: str
    text: str | None = None


@dataclass
class RawLine:
    line: int
    fields: dict[str, Any]
    written: dict[str, Written] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    """Reasons found while reading the file, keyed like `FieldError.field`; they replace validation's message."""
    silenced: frozenset[str] = frozenset()
    """Fields whose validation message would repeat another's, because both were read from the same cell."""
    explain: Callable[[], dict[str, Written]] | None = None
    """Builds `written` only when a message needs it (the hot path never does)."""


def judge(raw: RawLine) -> PaymentIn | str:
    """The payment with its amount in the currency's minor units, or every reason the line is refused, in one line."""
    for name in TEXT_FIELDS:
        value = raw.fields.get(name)
        if isinstance(value, str) and SUSPECT.search(value):
            value = flattened(value)
            raw.fields[name] = value
            unfit = forbidden_character(value)
            if unfit is not None:
                raw.problems.setdefault(name, f"contains {unfit}: remove it from the file")
    if not raw.problems:
        accepted = accepted_payment(raw.fields)
        if accepted is not None:
            return accepted
    result = validate_payment(raw.fields, raw.line)
    if isinstance(result, PaymentIn) and not raw.problems:
        return replace(result, amount=quantised(result.amount, result.currency))
    errors = [] if isinstance(result, PaymentIn) else result
    messages = {error.field: error.message for error in errors if error.field not in raw.silenced} | raw.problems
    ordered = sorted(messages, key=lambda name: FIELD_ORDER.index(name) if name in FIELD_ORDER else len(FIELD_ORDER))
    return "; ".join(_describe(raw, name, messages[name]) for name in ordered)


def _describe(raw: RawLine, field_name: str, message: str) -> str:
    if raw.explain is not None:
        raw.written, raw.explain = raw.explain(), None
    written = raw.written.get(field_name, Written(field_name.replace(".", "_")))
    if not written.text:
        return f"{written.label} {message}"
    return f'{written.label} "{shown(written.text)}" {message}'


def accepted_payment(fields: dict[str, Any]) -> PaymentIn | None:
    """The payment when every field passes the webhook's rules (`validate_payment`), checked without building its
    messages; None when anything does not, so that `validate_payment` says what. The import's hot path."""
    account = fields.get("account")
    if not isinstance(account, dict) or fields.get("original_amount") or fields.get("original_currency"):
        return None  # a foreign-currency spend takes the full rules
    account_id = _text(account.get("id"), ACCOUNT_LIMITS["id"], required=True)
    account_name = _text(account.get("name"), ACCOUNT_LIMITS["name"], required=True)
    account_currency = _text(account.get("currency"), 3, required=True)
    currency = _text(fields.get("currency"), 3, required=True)
    payment_id = _text(fields.get("id"), LIMITS["id"], required=True)
    payee = _text(fields.get("payee"), LIMITS["payee"], required=True)
    optional = {name: _text(fields.get(name), LIMITS[name], required=False) for name in OPTIONAL_TEXT}
    amount_text, date_text = fields.get("amount"), fields.get("date")
    if (
        REFUSED in (account_id, account_name, account_currency, currency, payment_id, payee, *optional.values())
        or account_currency not in CURRENCIES
        or currency != account_currency
        or not isinstance(amount_text, str)
        or not DECIMAL.fullmatch(amount_text)
        or not isinstance(date_text, str)
        or len(date_text) != 10
    ):
        return None
    email = optional["spender_email"]
    if email is not None and not EMAIL.match(str(email)):
        return None
    amount = Decimal(amount_text)
    exponent = amount.as_tuple().exponent
    places, quantum = _places(str(currency))
    if amount <= 0 or not isinstance(exponent, int) or -exponent > places:
        return None
    try:
        when = date.fromisoformat(date_text)
    except ValueError:
        return None
    return PaymentIn(
        id=str(payment_id),
        account=_account(str(account_id), str(account_name), str(account_currency)),
        amount=amount.quantize(quantum),
        currency=str(currency),
        date=when,
        payee=str(payee),
        description=_optional(optional["description"]),
        category=_optional(optional["category"]),
        reference=_optional(optional["reference"]),
        spender_email=str(email).lower() if email is not None else None,
    )


def _text(value: Any, limit: int, *, required: bool) -> str | object | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return REFUSED if required else None
    if not isinstance(value, str):
        return REFUSED
    value = value.strip()
    return REFUSED if len(value) > limit else value


def _optional(value: str | object | None) -> str | None:
    return value if isinstance(value, str) else None


@lru_cache(maxsize=64)
def _places(currency: str) -> tuple[int, Decimal]:
    places = minor_units(currency)
    return places, Decimal(1).scaleb(-places)


@lru_cache(maxsize=1024)
def _account(account_id: str, name: str, currency: str) -> SourceAccountIn:
    """One object per account, shared by its payments (an import has millions of lines, not of accounts)."""
    return SourceAccountIn(account_id, name, currency)
