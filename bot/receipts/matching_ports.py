"""What the receipt checks are handed: a reader that says what a receipt file shows, and a pool to run it on.

In the running bot these are bot.receipts.reading's `read_receipt` and `ReadingPool`; tests hand canned readings
and run them where they choose, so they neither run OCR nor wait for it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, Protocol


class Reading(Protocol):
    """A receipt's reading (bot.receipts.reading.ReceiptReading has this shape)."""

    @property
    def total(self) -> Decimal | None: ...
    @property
    def currency(self) -> str | None: ...
    @property
    def date(self) -> date | None: ...
    @property
    def merchant(self) -> str | None: ...
    @property
    def tax(self) -> Decimal | None: ...
    @property
    def number(self) -> str | None: ...
    @property
    def engine(self) -> str: ...
    @property
    def problem(self) -> str | None: ...


class ReceiptReader(Protocol):
    def __call__(self, data: bytes, content_type: str) -> Reading: ...


class ReadingRunner(Protocol):
    """Runs a reading off the threads that answer Slack; False, with nothing done, when it is too busy."""

    def offer(self, job: Callable[[], None]) -> bool: ...


def confidences_of(reading: Reading) -> dict[str, Any]:
    """The reader's confidence in each field, as plain numbers (JSON)."""
    found = getattr(reading, "confidences", None) or getattr(reading, "confidence", None) or {}
    if not isinstance(found, dict):
        found = {name: getattr(found, name) for name in dir(found) if not name.startswith("_")}
    return {str(k): float(v) for k, v in found.items() if isinstance(v, int | float)}
