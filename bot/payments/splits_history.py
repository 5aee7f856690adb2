"""A split learnt from earlier payments: a merchant whose newest consistent coding was a split has its next payment
split the same way, in the same proportions of its own amount (bot/coding/suggestions.py decides when)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from bot.payments.cards import CodingChoices
from bot.payments.money import quantum
from bot.payments.splits import SplitLine, lines_of

Shape = tuple[tuple[str, str, frozenset[tuple[str, str]], Fraction], ...]


def split_shape(rows: Sequence[dict[str, Any]]) -> Shape:
    """What makes two splits the same coding: each line's account, tax rate, tracking and exact share of the total
    (empty for a payment of one line)."""
    lines = lines_of(rows)
    total = sum((line.amount for line in lines), Decimal(0))
    if not lines or total <= 0:
        return ()
    return tuple(
        (
            line.account_code,
            line.tax_type,
            frozenset((t.get("category_id", ""), t.get("option_id", "")) for t in line.tracking),
            Fraction(line.amount) / Fraction(total),
        )
        for line in lines
    )


def usable_split(rows: Sequence[dict[str, Any]], choices: CodingChoices) -> list[SplitLine] | None:
    """The split as Xero takes it today (tracking options gone are dropped); None when a line's account or tax rate
    is archived or gone."""
    accounts = {a.code for a in choices.accounts}
    taxes = {t.tax_type for t in choices.tax_rates}
    active = {(c.category_id, o.option_id) for c in choices.tracking for o in c.options}
    lines = lines_of(rows)
    if any(line.account_code not in accounts or line.tax_type not in taxes for line in lines):
        return None
    return [
        SplitLine(
            line.amount,
            line.account_code,
            line.tax_type,
            [dict(t) for t in line.tracking if (t.get("category_id"), t.get("option_id")) in active],
            line.description,
        )
        for line in lines
    ]


def scaled_split(lines: Sequence[SplitLine], amount: Decimal, currency: str) -> list[dict[str, Any]] | None:
    """`lines` in the same proportions of `amount`, each rounded to the currency's minor units and the last taking
    what rounding left, so they add up to `amount` exactly; None when a line would come to nothing."""
    total = sum((line.amount for line in lines), Decimal(0))
    if len(lines) < 2 or total <= 0:
        return None
    step = quantum(currency)
    amounts = [(amount * line.amount / total).quantize(step, rounding=ROUND_HALF_UP) for line in lines[:-1]]
    amounts.append(amount - sum(amounts, Decimal(0)))
    if any(part <= 0 for part in amounts):
        return None
    return [
        SplitLine(part, line.account_code, line.tax_type, list(line.tracking), line.description).stored()
        for part, line in zip(amounts, lines, strict=True)
    ]
