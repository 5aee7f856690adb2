"""Which CSV column holds which field: header names matched case-insensitively, ignoring spaces, `_` and `-`."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The documented columns, each with the header names it is recognised by; the first name is the documented one.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "transaction date", "posted date", "posting date"),
    "amount": ("amount", "transaction amount"),
    "debit": ("debit", "money out", "withdrawal", "withdrawals", "debit amount", "paid out"),
    "credit": ("credit", "money in", "deposit", "deposits", "credit amount", "paid in"),
    "payee": ("payee", "merchant", "name", "counterparty", "payee name", "merchant name"),
    "description": ("description", "memo", "details", "narrative"),
    "category": ("category",),
    "reference": ("reference", "ref"),
    "id": ("id", "transaction id", "fitid"),
    "currency": ("currency", "ccy"),
    "spender_email": ("spender email", "email", "cardholder email"),
    "account_id": ("account id", "account number"),
    "account_name": ("account name",),
    "account_currency": ("account currency",),
}
IGNORED_IN_HEADERS = re.compile(r"[\s_\-]+")


def header_key(header: str) -> str:
    return IGNORED_IN_HEADERS.sub("", header.replace("\ufeff", "").strip().lower())


@dataclass(frozen=True)
class Columns:
    """Column index by field, and the header row as the file wrote it."""

    index: dict[str, int]
    headers: list[str]

    def __contains__(self, field_name: str) -> bool:
        return field_name in self.index

    def cell(self, cells: list[str], field_name: str) -> str:
        position = self.index.get(field_name)
        if position is None or position >= len(cells):
            return ""
        return cells[position].strip()


def match_columns(headers: list[str]) -> Columns:
    """Each field takes the leftmost column with its most preferred name; a column serves one field at most."""
    keys = [header_key(header) for header in headers]
    taken: set[int] = set()
    index: dict[str, int] = {}
    for field_name, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            position = next(
                (i for i, key in enumerate(keys) if key == header_key(alias) and i not in taken),
                None,
            )
            if position is not None:
                index[field_name] = position
                taken.add(position)
                break
    return Columns(index=index, headers=headers)


def describe_aliases(field_name: str) -> str:
    return ", ".join(f'"{alias}"' for alias in COLUMN_ALIASES[field_name])
