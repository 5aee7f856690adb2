"""
Which CSV column holds which field, from header names as banks write them in English, Dutch, German, French, Spanish,
Portuguese and Italian; compared without case, accents, spaces or punctuation ("Naam / Omschrijving" is
"naamomschrijving"). A currency in a header ("Bedrag (EUR)", "Amount GBP") is the file's currency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.imports.sources.csv_words import COLUMN_ALIASES, MONEY_IN, MONEY_OUT, SINGLE_LETTERS
from bot.imports.sources.text import folded
from bot.payments.money import CURRENCIES

HEADER_CURRENCY = re.compile(
    r"^(?P<name>.*?)[\s_-]*(?:\(\s*(?P<a>[A-Za-z]{3})\s*\)|\bin\s+(?P<b>[A-Za-z]{3})|\s(?P<c>[A-Z]{3}))\s*$"
)
ALIAS_RANK = {
    field_name: {folded(alias): rank for rank, alias in enumerate(aliases)}
    for field_name, aliases in COLUMN_ALIASES.items()
}


def header_key(header: str) -> str:
    return folded(split_currency(header)[0])


def split_currency(header: str) -> tuple[str, str | None]:
    """ "Bedrag (EUR)" is ("Bedrag", "EUR"); a header without a currency code is itself and None."""
    match = HEADER_CURRENCY.match(header.strip())
    if match is not None:
        code = (match["a"] or match["b"] or match["c"] or "").upper()
        if code in CURRENCIES and match["name"].strip():
            return match["name"], code
    return header, None


@dataclass(frozen=True)
class Columns:
    """Column index by field, the header as the file wrote it, and a currency named in a header."""

    index: dict[str, int]
    headers: list[str]
    header_currency: str | None = None
    names: dict[int, str] = field(default_factory=dict)

    def __contains__(self, field_name: str) -> bool:
        return field_name in self.index

    def cell(self, cells: list[str], field_name: str) -> str:
        position = self.index.get(field_name)
        if position is None or position >= len(cells):
            return ""
        return cells[position].strip()

    def name_of(self, position: int) -> str:
        if position < len(self.headers) and self.headers[position].strip():
            return f'"{self.headers[position].strip()}"'
        return f"column {position + 1}"

    def untaken(self) -> list[int]:
        taken = set(self.index.values())
        return [position for position in range(len(self.headers)) if position not in taken]


def match_columns(headers: list[str]) -> Columns:
    """Each field takes the column with its most preferred name (the leftmost of equals); a column serves one field."""
    keys = [header_key(header) for header in headers]
    taken: set[int] = set()
    index: dict[str, int] = {}
    for field_name, ranks in ALIAS_RANK.items():
        candidates = [
            (ranks[key], position) for position, key in enumerate(keys) if key in ranks and position not in taken
        ]
        if candidates:
            position = min(candidates)[1]
            index[field_name] = position
            taken.add(position)
    # The file's own currency: a foreign spend's original column ("Original amount (USD)") does not say it.
    own = [position for name, position in index.items() if not name.startswith("original_")]
    currencies = {split_currency(headers[position])[1] for position in own} - {None}
    return Columns(index=index, headers=headers, header_currency=currencies.pop() if len(currencies) == 1 else None)


def indicator_side(cell: str, *, letters: bool) -> str | None:
    """ "out" or "in" for a debit/credit mark ("Af", "D", "Debit", "Soll"), None for anything else."""
    key = folded(cell)
    if not letters and key in SINGLE_LETTERS:
        return None
    if key in MONEY_OUT:
        return "out"
    if key in MONEY_IN:
        return "in"
    return None


def describe_aliases(field_name: str) -> str:
    return ", ".join(f'"{alias}"' for alias in COLUMN_ALIASES[field_name][:4])
