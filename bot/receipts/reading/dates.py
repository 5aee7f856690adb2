"""The date a receipt was issued: 31/12/2024, 31.12.24, 2024-12-31, 31 Dec 2024, Dec 31, 2024, 31 déc. 2024.

Numeric dates are read day first, as everywhere but the US; a US month-first date is taken only when it cannot be
anything else (12/31/2024)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache

from babel.dates import get_month_names

from bot.receipts.reading.lines import letters_fixed

_LOCALES = ("en", "fr", "de", "es", "it", "nl", "pt")
_ISO = re.compile(r"(?<!\d)(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")
_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})\s?([/.-])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?![\d/]|\.\d)")
_DAY_MONTH_YEAR = re.compile(
    r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|er)?\.?[\s-]*(?:de\s+)?([^\W\d_]{3,10})\.?,?[\s-]*(?:de\s+)?(\d{4}|\d{2})(?!\d)"
)
_MONTH_DAY_YEAR = re.compile(r"(?<![^\W\d_])([^\W\d_]{3,10})\.?\s*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})(?!\d)")
_OCTOBER = re.compile(r"0(?=[ck]t)", re.IGNORECASE)  # OCR's "24 0ct 2025", "240ctober2025"
_ISSUED = re.compile(r"\b(date|dated|datum|fecha|data|issued|invoice date|rechnungsdatum)\b", re.IGNORECASE)
_NOT_ISSUED = re.compile(
    r"\b(due|payable|pay by|expir\w*|valid|until|period|échéance|echeance|fällig|faellig|vencimiento|"
    r"delivery|supply|order date|birth)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateGuess:
    value: date
    confidence: float


def date_of(lines: list[str]) -> DateGuess | None:
    """The issue date: a date on a line labelled as one is preferred, a due or delivery date avoided."""
    best: DateGuess | None = None
    for index, line in enumerate(lines):
        for value, sure in dates_in(_OCTOBER.sub("o", letters_fixed(line))):
            score = sure
            if _NOT_ISSUED.search(line):
                score *= 0.5
            elif _ISSUED.search(line):
                score = min(1.0, score + 0.1)
            score -= min(index, 40) * 0.001  # printed higher up: more likely the receipt's own date
            if best is None or score > best.confidence:
                best = DateGuess(value, score)
    if best is None:
        return None
    return DateGuess(best.value, round(max(0.05, min(1.0, best.confidence)), 2))


def dates_in(line: str) -> list[tuple[date, float]]:
    """The dates written in one line, each with how surely it is a date."""
    found: list[tuple[date, float]] = []
    for match in _ISO.finditer(line):
        _add(found, _make(int(match.group(1)), int(match.group(3)), int(match.group(4))), 0.85)
    for match in _NUMERIC.finditer(line):
        first, second, year = int(match.group(1)), int(match.group(3)), _year(match.group(4))
        if second <= 12:
            _add(found, _make(year, second, first), 0.85 if len(match.group(4)) == 4 else 0.75)
        elif first <= 12:
            _add(found, _make(year, first, second), 0.75)
    for match in _DAY_MONTH_YEAR.finditer(line):
        month = month_number(match.group(2))
        if month:
            _add(found, _make(_year(match.group(3)), month, int(match.group(1))), 0.85)
    for match in _MONTH_DAY_YEAR.finditer(line):
        month = month_number(match.group(1))
        if month:
            _add(found, _make(int(match.group(3)), month, int(match.group(2))), 0.85)
    return found


def month_number(word: str) -> int | None:
    return _month_names().get(_plain(word))


@cache
def _month_names() -> dict[str, int]:
    names: dict[str, int] = {"sept": 9}
    for locale in _LOCALES:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                names.setdefault(_plain(name), number)
                names.setdefault(_plain(name)[:3], number)
    # "mar" is March in English and Tuesday nowhere on a receipt; "mai"/"mag" are May: every 3-letter prefix is kept.
    return names


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower().strip(". "))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _make(year: int, month: int, day: int) -> date | None:
    if not 1990 <= year <= 2100:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _add(found: list[tuple[date, float]], value: date | None, confidence: float) -> None:
    if value is not None:
        found.append((value, confidence))
