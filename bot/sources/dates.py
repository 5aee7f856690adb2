"""Dates as CSV exports write them: YYYY-MM-DD, YYYY/MM/DD, DD/MM/YYYY or DD.MM.YYYY, any time after them ignored."""

from __future__ import annotations

import re
from datetime import date

YEAR_FIRST = re.compile(r"^(?P<year>\d{4})(?P<mark>[-/])(?P<month>\d{1,2})(?P=mark)(?P<day>\d{1,2})(?:[T\s].*)?$")
DAY_FIRST = re.compile(r"^(?P<day>\d{1,2})(?P<mark>[/.])(?P<month>\d{1,2})(?P=mark)(?P<year>\d{4})(?:\s.*)?$")
ACCEPTED_FORMATS = "YYYY-MM-DD, YYYY/MM/DD, DD/MM/YYYY or DD.MM.YYYY"


def read_date(text: str) -> date | None:
    """The date a cell means, or None; the time of day and any time zone after the date are ignored, not converted."""
    cell = text.strip()
    match = YEAR_FIRST.match(cell) or DAY_FIRST.match(cell)
    if match is None:
        return None
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None


def looks_month_first(text: str) -> bool:
    """True for "11/20/2026": a US-style date, which would be misread as day-first whenever the day is 12 or less."""
    match = DAY_FIRST.match(text.strip())
    return match is not None and match["mark"] == "/" and int(match["day"]) <= 12 < int(match["month"])
