"""Money as receipts print it, in any of the usual locales: 1,234.56, 1.234,56, 1 234,56, 12.50, 12,50."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bot.receipts.reading.currency import CURRENCY_CODES

# Spaces that group thousands: plain, no-break and narrow no-break, and the apostrophe of Swiss receipts.
_GROUP = r"[,.\u00a0\u202f ']"
_NUMBER = re.compile(
    rf"""
    (?<![\d.,/:-])(?P<minus>-\s?)?
    (?P<number>
        \d{{1,3}}(?:(?P<group>{_GROUP})\d{{3}})(?:(?P=group)\d{{3}})*(?:[.,]\d{{2}})?
        | \d+[.,]\d{{2}}
        | \d+
    )
    (?!\d|\s?%|[.,]\d|[/:]\d)
    """,
    re.VERBOSE,
)
_CURRENCY_BEFORE = re.compile(rf"(?:[$€£¥₩₹]|\b(?:{'|'.join(sorted(CURRENCY_CODES))}))\s?$")
# OCR puts spaces where receipts have none: "12 .50", "12. 50", "12 , 50".
_SPLIT_DECIMALS = re.compile(r"(\d) ?([.,]) ?(\d{2})(?!\d)")


@dataclass(frozen=True)
class Amount:
    value: Decimal
    start: int
    end: int
    has_decimals: bool
    grouped: bool
    marked: bool  # a currency symbol or code right before it: "¥800", "JPY 800"


def find_amounts(text: str) -> list[Amount]:
    """Every number in a line that can be money, left to right. Integers count (a currency with no minor unit),
    and the caller decides whether to trust them; percentages, dates, times and codes do not."""
    text = _SPLIT_DECIMALS.sub(r"\1\2\3", text)
    amounts = []
    for match in _NUMBER.finditer(text):
        value = parse_number(match.group("number"))
        if value is None:
            continue
        if match.group("minus"):
            value = -value
        number = match.group("number")
        marked = _CURRENCY_BEFORE.search(text, 0, match.start()) is not None
        grouped = match.group("group") is not None
        amounts.append(Amount(value, match.start(), match.end(), _has_decimals(number), grouped, marked))
    return amounts


def money_amounts(text: str) -> list[Amount]:
    """The amounts of a line that look like prices: with two decimals, grouped thousands, or a currency before them
    (yen and won have no minor unit)."""
    return [amount for amount in find_amounts(text) if amount.has_decimals or amount.grouped or amount.marked]


def parse_number(raw: str) -> Decimal | None:
    """'1.234,56' and '1,234.56' and '1 234,56' are 1234.56; '12,50' is 12.50; '1,234' is 1234 (three digits after
    a separator group thousands); '1,234,56' is no number (the same mark cannot both group and split decimals)."""
    raw = raw.strip()
    decimals = ""
    if _has_decimals(raw):
        raw, separator, decimals = raw[:-3], raw[-3], raw[-2:]
        if separator in raw:
            return None
    digits = re.sub(_GROUP, "", raw)
    if not digits.isdigit():
        return None
    try:
        return Decimal(f"{digits}.{decimals}") if decimals else Decimal(digits)
    except InvalidOperation:
        return None


def _has_decimals(raw: str) -> bool:
    return len(raw) >= 4 and raw[-3] in ".," and raw[-2:].isdigit()
