"""
How a CSV export is read, decided once for the file: the choices a person made (flags or the Slack form),
the plan every line is read by, how that reads to the operator, and the import profile kept from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.imports.sources.csv_layout import Layout
from bot.imports.sources.text import shown
from bot.payments.input import SourceAccountIn

SIGNS = ("negative-is-out", "positive-is-out")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
PROFILE_VERSION = 1


@dataclass(frozen=True)
class CsvChoices:
    """What a person said about a file, on the command line or in the Slack form; None = find it out."""

    date_format: str | None = None
    currency: str | None = None
    date_column: str | None = None
    amount_column: str | None = None
    debit_column: str | None = None
    credit_column: str | None = None
    payee_column: str | None = None
    description_column: str | None = None
    sign: str | None = None
    decimal: str | None = None
    header_row: int | None = None
    encoding: str | None = None

    def column_flags(self) -> dict[str, str]:
        named = {
            "date": self.date_column,
            "amount": self.amount_column,
            "debit": self.debit_column,
            "credit": self.credit_column,
            "payee": self.payee_column,
            "description": self.description_column,
        }
        return {name: value for name, value in named.items() if value}


@dataclass
class Plan:
    """How every line is read, decided once for the file."""

    layout: Layout
    date_order: str
    decimal: str
    sign: str  # negative-is-out | positive-is-out | indicator | columns
    indicator: int | None
    currency: str | None
    account: SourceAccountIn | None
    """The one account of every line; None when each line names its account in account columns."""
    payee_from: str
    labels: dict[str, str] = field(default_factory=dict)
    """How the file names each field, for messages (computed once, not per line)."""
    positions: list[tuple[str, int]] = field(default_factory=list)
    """(field, column) of the fields a line's payment is built from."""
    keyed: tuple[int | None, ...] = ()
    """The columns of payee, reference and description (None for one the file lacks), for a line's derived id."""

    def label(self, field_name: str) -> str:
        return self.labels.get(field_name, field_name)


def how_read(plan: Plan, from_profile: bool) -> list[str]:
    layout = plan.layout
    columns = layout.columns
    out = [
        f"read as {layout.encoding.label}, {DELIMITER_NAMES.get(layout.delimiter, 'delimiter')}-separated, "
        + (f"header on line {layout.header_line}" if layout.header_line else "no header")
        + (" (choices kept from this account's earlier import)" if from_profile else "")
    ]
    out.append(f"date: {columns.name_of(columns.index['date'])}, {plan.date_order} order")
    if plan.sign == "columns":
        parts = [f"{name} {columns.name_of(columns.index[name])}" for name in ("debit", "credit") if name in columns]
        out.append("amount: " + " and ".join(parts))
    else:
        meaning = {
            "negative-is-out": "negative is money out",
            "positive-is-out": "positive is money out (a card statement)",
            "indicator": f"{columns.name_of(plan.indicator or 0)} says debit or credit",
        }[plan.sign]
        out.append(f'amount: {columns.name_of(columns.index["amount"])}, {meaning}, decimal mark "{plan.decimal}"')
    payee = columns.name_of(columns.index[plan.payee_from])
    fallback = (
        f", else {columns.name_of(columns.index['description'])}"
        if plan.payee_from == "payee" and "description" in columns
        else ""
    )
    out.append(f"payee: {payee}{fallback}")
    if plan.account is not None:
        out.append(f"account: {shown(plan.account.id)} in {plan.account.currency}")
    else:
        out.append("account: each line's account columns")
    return out


def mapping(plan: Plan) -> dict[str, Any]:
    """The import profile: what a person or the file decided, to read this account's next export the same way."""
    return {
        "version": PROFILE_VERSION,
        "encoding": plan.layout.encoding.codec,
        "delimiter": plan.layout.delimiter,
        "header_line": plan.layout.header_line,
        "columns": dict(plan.layout.columns.index),
        "headers": [header[:60] for header in plan.layout.columns.headers[:60]],
        "date_order": plan.date_order,
        "decimal": plan.decimal,
        "sign": plan.sign,
        "indicator": plan.indicator,
        "currency": plan.currency,
    }
