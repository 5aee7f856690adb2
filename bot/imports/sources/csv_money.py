"""
A CSV line's money: one signed amount column (negative, positive or marked out), or a debit and a credit column.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.imports.sources.amounts import read_amount
from bot.imports.sources.csv_columns import indicator_side
from bot.imports.sources.csv_plan import Plan
from bot.imports.sources.lines import Written
from bot.imports.sources.text import shown

NOT_AN_AMOUNT = 'is not an amount such as "-1,234.56"'


@dataclass(frozen=True)
class Money:
    """A line's signed amount (negative = money out), or why it has none."""

    signed: Decimal | None
    written: Written
    problem: str | None = None
    currencies: frozenset[str] | None = None


def read_money(cells: list[str], plan: Plan) -> Money:
    columns = plan.layout.columns
    if "amount" in columns:
        text = columns.cell(cells, "amount")
        label = plan.label("amount")
        written = read_amount(text, plan.decimal) if text else None
        if written is None:
            return Money(None, Written(label, text), NOT_AN_AMOUNT if text else "is required")
        value = written.value
        if plan.sign == "positive-is-out":
            value = -value
        elif plan.sign == "indicator" and plan.indicator is not None:
            mark = cells[plan.indicator].strip() if plan.indicator < len(cells) else ""
            side = indicator_side(mark, letters=True)
            if side is None:
                where = columns.name_of(plan.indicator)
                problem = f'is neither money out nor in: {where} says "{shown(mark)}", not debit or credit'
                return Money(None, Written(label, text), problem)
            value = -abs(value) if side == "out" else abs(value)
        return Money(value, Written(label, text), currencies=written.currencies)
    debit_text, credit_text = columns.cell(cells, "debit"), columns.cell(cells, "credit")
    debit_label, credit_label = plan.label("debit"), plan.label("credit")
    debit = read_amount(debit_text, plan.decimal) if debit_text else None
    credit = read_amount(credit_text, plan.decimal) if credit_text else None
    if debit_text and debit is None:
        return Money(None, Written(debit_label, debit_text), NOT_AN_AMOUNT)
    if credit_text and credit is None:
        return Money(None, Written(credit_label, credit_text), NOT_AN_AMOUNT)
    if debit is None and credit is None:
        both = "debit" in columns and "credit" in columns
        return Money(None, Written(debit_label), f"and {credit_label} are both empty" if both else "is required")
    if debit is not None and credit is not None and debit.value and credit.value:
        return Money(
            None,
            Written(debit_label, debit_text),
            f'and {credit_label} "{shown(credit_text)}" are both filled in: a line is either money out or money in',
        )
    if debit is not None and debit.value:
        return Money(-abs(debit.value), Written(debit_label, debit_text), currencies=debit.currencies)
    if credit is not None and credit.value:
        return Money(abs(credit.value), Written(credit_label, credit_text), currencies=credit.currencies)
    written_cell = debit_text or credit_text
    return Money(Decimal(0), Written(debit_label if debit_text else credit_label, written_cell))
