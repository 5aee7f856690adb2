"""A payment split into lines (Edit → Split): each line its own description, amount, account, tax rate and tracking,
one Spend Money line each, the amounts adding up to the payment exactly, in the currency's minor units.

A payment's lines are kept with it (`Payment.split_lines`, in order); a payment of one line has none, and its own
account, tax rate and tracking are its coding. A split payment's own coding columns hold its first line's, so what
asks "is it coded?" (approval, bulk sync, the App Home) reads a split payment as the coded payment it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.errors import DomainError
from bot.payments.cards import CodingChoices
from bot.payments.money import minor_units, money_text, quantum
from bot.text_input import DESCRIPTION_MAX, checked_text
from storage.models import Payment

MAX_LINES = 10
_AMOUNT = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+", re.ASCII)
Tracking = list[dict[str, str]]


@dataclass(frozen=True)
class SplitLine:
    """One checked line of a split payment."""

    amount: Decimal
    account_code: str
    tax_type: str
    tracking: Tracking = field(default_factory=list)
    description: str | None = None

    def stored(self) -> dict[str, Any]:
        """As the payment keeps it: the amount as its exact decimal text, never a float."""
        return {
            "description": self.description,
            "amount": format(self.amount, "f"),
            "account_code": self.account_code,
            "tax_type": self.tax_type,
            "tracking": [dict(t) for t in self.tracking],
        }


@dataclass(frozen=True)
class LineInput:
    """One line as typed in the split form: text and choices, not yet checked."""

    description: str | None = None
    amount: str | None = None
    account_code: str | None = None
    tax_type: str | None = None
    tracking: dict[str, str] = field(default_factory=dict)  # category id -> option id


class SplitRefused(DomainError):
    """What is wrong with a split, by (line index, field): a form shows each under its input. The message is the
    first of them, for surfaces that show one."""

    def __init__(self, errors: dict[tuple[int, str], str]) -> None:
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def lines_of(rows: Sequence[dict[str, Any]]) -> list[SplitLine]:
    """Stored lines as checked lines (the amounts exact decimals again)."""
    return [
        SplitLine(
            amount=Decimal(str(row["amount"])),
            account_code=str(row["account_code"]),
            tax_type=str(row["tax_type"]),
            tracking=[dict(t) for t in row.get("tracking") or []],
            description=row.get("description") or None,
        )
        for row in rows
    ]


def split_of(payment: Payment) -> list[SplitLine]:
    """The payment's lines: empty when it is one line."""
    return lines_of(payment.split_lines or [])


def difference_text(total: Decimal, amount: Decimal, currency: str) -> str:
    """ "The lines add up to SGD 100.00; the payment is SGD 120.00 (SGD 20.00 left)." """
    gap = amount - total
    rest = f"{money_text(abs(gap), currency)} {'left' if gap > 0 else 'too much'}"
    return f"The lines add up to {money_text(total, currency)}; the payment is {money_text(amount, currency)} ({rest})."


def _amount(text: str | None, currency: str, number: int) -> Decimal | str:
    """The line's amount, or what is wrong with it."""
    typed = (text or "").strip().replace(" ", "")
    if not typed:
        return f"Line {number} needs an amount."
    if _AMOUNT.fullmatch(typed) is None:
        example = format(Decimal(40).quantize(quantum(currency)), "f")
        return f"Line {number}'s amount must be a number such as {example}."
    try:
        amount = Decimal(typed.replace(",", ""))
    except InvalidOperation:  # the pattern lets through only numbers; kept for safety of the parse
        return f"Line {number}'s amount must be a number."
    if amount <= 0:
        return f"Line {number}'s amount must be more than zero."
    step = quantum(currency)
    if amount != amount.quantize(step):
        return f"Line {number}'s amount has more decimals than {currency} has ({minor_units(currency)})."
    return amount.quantize(step)


def _tracking(given: dict[str, str], choices: CodingChoices, number: int) -> Tracking | str:
    chosen: Tracking = []
    for category_id, option_id in given.items():
        if not option_id:
            continue
        category = next((c for c in choices.tracking if c.category_id == category_id), None)
        if category is None or not any(o.option_id == option_id for o in category.options):
            return f"Line {number}'s tracking option is archived or gone in Xero; pick another."
        chosen.append({"category_id": category_id, "option_id": option_id})
    return chosen


def _checked_line(
    line: LineInput, index: int, currency: str, choices: CodingChoices, errors: dict[tuple[int, str], str]
) -> SplitLine | None:
    number = index + 1
    label = f"Line {number}'s description"
    try:
        description = checked_text("description", label, line.description, limit=DESCRIPTION_MAX, multiline=True)
    except DomainError as refused:
        errors[(index, "description")] = refused.message
        description = None
    amount = _amount(line.amount, currency, number)
    if isinstance(amount, str):
        errors[(index, "amount")] = amount
    if not any(a.code == line.account_code for a in choices.accounts):
        errors[(index, "account")] = f"Line {number} needs a Xero account that can be used for spending."
    if not any(t.tax_type == line.tax_type for t in choices.tax_rates):
        errors[(index, "tax")] = f"Line {number} needs a tax rate that Xero still accepts."
    tracking = _tracking(line.tracking, choices, number)
    if isinstance(tracking, str):
        errors[(index, "tracking")] = tracking
    if any(key[0] == index for key in errors) or isinstance(amount, str) or isinstance(tracking, str):
        return None
    return SplitLine(amount, str(line.account_code), str(line.tax_type), tracking, description)


def checked_lines(
    lines: Sequence[LineInput], amount: Decimal, currency: str, choices: CodingChoices
) -> list[SplitLine]:
    """The lines as they may be stored, or SplitRefused naming each problem: 1 to 10 lines, each with an amount
    above zero in the currency's minor units, an account and a tax rate Xero accepts today, adding up to `amount`
    exactly. One line with no amount is the whole payment (the split removed)."""
    if not lines:
        raise SplitRefused({(0, "amount"): "A payment needs at least one line."})
    if len(lines) > MAX_LINES:
        raise SplitRefused({(MAX_LINES, "amount"): f"A payment can be split into at most {MAX_LINES} lines."})
    if len(lines) == 1 and not (lines[0].amount or "").strip():
        lines = [replace(lines[0], amount=format(amount, "f"))]
    errors: dict[tuple[int, str], str] = {}
    checked = [_checked_line(line, index, currency, choices, errors) for index, line in enumerate(lines)]
    if errors:
        raise SplitRefused(errors)
    good = [line for line in checked if line is not None]
    total = sum((line.amount for line in good), Decimal(0))
    if total != amount:
        raise SplitRefused({(len(lines) - 1, "amount"): difference_text(total, amount, currency)})
    return good


def apply_split(payment: Payment, lines: Sequence[SplitLine]) -> None:
    """Store the lines; the payment's own coding becomes its first line's. One line is no split at all."""
    first = lines[0]
    payment.account_code = first.account_code
    payment.tax_type = first.tax_type
    payment.tracking = [dict(t) for t in first.tracking]
    if len(lines) == 1:
        payment.split_lines = []
        if first.description:
            payment.description = first.description
        return
    payment.split_lines = [line.stored() for line in lines]


def stale_lines(payment: Payment, choices: CodingChoices) -> list[str]:
    """Lines whose account or tax rate Xero no longer accepts, in words for the person approving."""
    accounts = {a.code for a in choices.accounts}
    taxes = {t.tax_type for t in choices.tax_rates}
    problems = []
    for number, line in enumerate(split_of(payment), start=1):
        if line.account_code not in accounts:
            problems.append(f"line {number}'s account {line.account_code} is archived or gone in Xero")
        elif line.tax_type not in taxes:
            problems.append(f"line {number}'s tax rate {line.tax_type} is archived or gone in Xero")
    if problems:
        problems[-1] += "; change the split with Edit → Split"
    return problems


SPLIT_CODING = "This payment is split into lines; change their coding with Edit → Split."


def one_line(payment: Payment) -> Payment:
    """The payment, for a change of its one line's coding; a split payment's lines change only in Edit → Split."""
    if payment.split_lines:
        raise DomainError(SPLIT_CODING)
    return payment
