"""
Dates as exports write them, and which order (DMY, MDY, YMD) a file's dates are in.

ISO dates (2024-01-15, 20240115) and dates with a month name (15 Jan 2024, Jan 15, 2024) read the same in every
order. "05/03/2021" does not: the order is detected from all of a file's dates, and asked for when none tells.
A time of day after the date is ignored, never converted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

ORDERS = ("DMY", "MDY", "YMD")
ALL_ORDERS = frozenset(ORDERS)
TIME_AFTER = r"(?:[T ,]+[0-9]{1,2}[:.][0-9]{2}.*|T.*)?"
YEAR_FIRST = re.compile(rf"^(?P<y>[0-9]{{4}})(?P<s>[-/.])(?P<m>[0-9]{{1,2}})(?P=s)(?P<d>[0-9]{{1,2}}){TIME_AFTER}$")
COMPACT = re.compile(r"^(?P<y>(?:19|20)[0-9]{2})(?P<m>[0-9]{2})(?P<d>[0-9]{2})(?:[T ]?[0-9]{2}(?::?[0-9]{2}){0,2}.*)?$")
NUMERIC = re.compile(
    rf"^(?P<a>[0-9]{{1,2}})(?P<s>[-/.])(?P<b>[0-9]{{1,2}})(?P=s)(?P<c>[0-9]{{4}}|[0-9]{{2}}){TIME_AFTER}$"
)
DAY_NAMED = re.compile(
    rf"^(?P<d>[0-9]{{1,2}})\.?[ -]?(?P<month>[A-Za-z]{{3,9}})\.?[ ,-]*(?P<y>[0-9]{{4}}|[0-9]{{2}}){TIME_AFTER}$"
)
NAMED_DAY = re.compile(rf"^(?P<month>[A-Za-z]{{3,9}})\.? (?P<d>[0-9]{{1,2}}),? (?P<y>[0-9]{{4}}){TIME_AFTER}$")
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}


@lru_cache(maxsize=8192)
def read_date(text: str, order: str) -> date | None:
    """The date a cell means when the file writes numeric dates in `order`, or None if it is not one."""
    cell = text.strip()
    if match := YEAR_FIRST.match(cell) or COMPACT.match(cell):
        return _date(match["y"], match["m"], match["d"])
    if match := DAY_NAMED.match(cell) or NAMED_DAY.match(cell):
        month = MONTHS.get(match["month"].lower())
        return _date(match["y"], str(month), match["d"]) if month else None
    if match := NUMERIC.match(cell):
        a, b, c = match["a"], match["b"], match["c"]
        if order == "DMY":
            return _date(c, b, a)
        if order == "MDY":
            return _date(c, a, b)
        if len(c) == 2:
            return _date(a, b, c)
    return None


@lru_cache(maxsize=8192)
def readable_in(text: str) -> frozenset[str]:
    """The orders in which `text` is a real date: all three for an ISO or month-name date, none for "31/31/2024"."""
    return frozenset(order for order in ORDERS if read_date(text, order) is not None)


def _date(year: str, month: str, day: str) -> date | None:
    full_year = int(year) if len(year) == 4 else (2000 + int(year) if int(year) < 70 else 1900 + int(year))
    try:
        return date(full_year, int(month), int(day))
    except ValueError:
        return None


@dataclass
class DateOrderEvidence:
    """What a file's date cells say about the order they are written in."""

    orders: frozenset[str] = ALL_ORDERS
    telling: dict[str, tuple[int, str]] = field(default_factory=dict)
    """For each order still possible, a line whose date would read differently in another order."""
    unreadable: tuple[int, str] | None = None
    conflict: tuple[int, str] | None = None
    """A date that no order still possible reads: the file writes dates in more than one order."""
    seen: set[str] = field(default_factory=set)

    def add(self, line: int, text: str) -> None:
        cell = text.strip()
        if not cell or cell in self.seen:
            return
        if len(self.seen) < 100_000:
            self.seen.add(cell)
        possible = readable_in(cell)
        if not possible:
            self.unreadable = self.unreadable or (line, cell)
            return
        if len({read_date(cell, order) for order in possible}) > 1:
            for order in possible:
                self.telling.setdefault(order, (line, cell))
        narrowed = self.orders & possible
        if narrowed:
            self.orders = narrowed
        else:
            self.conflict = self.conflict or (line, cell)

    def decided(self) -> str | None:
        """The order when the dates tell it (or when every possible order reads them alike); None when they don't."""
        differing = [order for order in ORDERS if order in self.orders and order in self.telling]
        if len(differing) > 1 or self.conflict is not None:
            return None
        if differing:
            return differing[0]
        return next(order for order in ORDERS if order in self.orders)

    def example(self) -> tuple[int, str] | None:
        return next((self.telling[order] for order in ORDERS if order in self.telling), None)


def describe_orders(orders: Iterable[str]) -> str:
    return " or ".join(sorted(orders, key=ORDERS.index))
