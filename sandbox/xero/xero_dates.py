"""Xero's date formats: `/Date(ms+0000)/` in JSON, ISO strings in `DateString`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from email.utils import parsedate_to_datetime

_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def ms_date(moment: datetime) -> str:
    return f"/Date({int(moment.timestamp() * 1000)}+0000)/"


def ms_date_of_day(day: date) -> str:
    return ms_date(datetime.combine(day, time(), UTC))


def iso_date_string(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


def parse_document_date(value: object) -> date | None:
    """The calendar date of a `/Date(ms)/` or ISO value, as Xero reads it (UTC)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _MS_DATE.match(text)
    if match:
        return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC).date()
    if _ISO_DATE.match(text):
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    return None


def parse_if_modified_since(value: str) -> datetime | None:
    text = value.strip()
    match = _MS_DATE.match(text)
    if match:
        return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_ms_timestamp(value: str) -> datetime | None:
    match = _MS_DATE.match(value)
    if not match:
        return None
    return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC)
