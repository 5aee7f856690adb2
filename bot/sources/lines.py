"""One line of an export, in the webhook's shape, judged by the webhook's own rules."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bot.payment_input import PaymentIn, validate_payment
from bot.sources.amounts import quantised
from bot.sources.text import flattened, forbidden_character, shown

FIELD_ORDER = (
    "id",
    "account",
    "account.id",
    "account.name",
    "account.currency",
    "currency",
    "amount",
    "date",
    "payee",
    "description",
    "category",
    "reference",
    "spender_email",
)
TEXT_FIELDS = ("id", "payee", "description", "category", "reference", "spender_email")


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


def judge(raw: RawLine) -> PaymentIn | str:
    """The payment with its amount in the currency's minor units, or every reason the line is refused, in one line."""
    for name in TEXT_FIELDS:
        value = raw.fields.get(name)
        if isinstance(value, str):
            value = flattened(value)
            raw.fields[name] = value
            unfit = forbidden_character(value)
            if unfit is not None:
                raw.problems.setdefault(name, f"contains {unfit}: remove it from the file")
    result = validate_payment(raw.fields, raw.line)
    if isinstance(result, PaymentIn) and not raw.problems:
        return replace(result, amount=quantised(result.amount, result.currency))
    errors = [] if isinstance(result, PaymentIn) else result
    messages = {error.field: error.message for error in errors if error.field not in raw.silenced} | raw.problems
    ordered = sorted(messages, key=lambda name: FIELD_ORDER.index(name) if name in FIELD_ORDER else len(FIELD_ORDER))
    return "; ".join(_describe(raw, name, messages[name]) for name in ordered)


def _describe(raw: RawLine, field_name: str, message: str) -> str:
    written = raw.written.get(field_name, Written(field_name.replace(".", "_")))
    if not written.text:
        return f"{written.label} {message}"
    return f'{written.label} "{shown(written.text)}" {message}'
