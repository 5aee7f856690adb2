"""What the receipt checks are handed: a pool that reads receipt files off the request threads.

In the running bot it is bot.receipts.reading's `ReadingPool` around `read_receipt`; tests hand a pool of canned
readings run when they choose, so they neither run OCR nor wait for it.
"""

from __future__ import annotations

import dataclasses
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
    def engine(self) -> str | None: ...
    @property
    def problem(self) -> str | None: ...


class ReadingPool(Protocol):
    """Reads files on threads of its own (bot.receipts.reading.ReadingPool); `submit` is False, with nothing queued,
    when it is full or stopping, and `on_read(key, reading)` is called on its thread when a reading is done."""

    def submit(
        self, receipt_id: int, data: bytes, content_type: str | None, on_read: Callable[[int, Any], None]
    ) -> bool: ...

    def shutdown(self) -> None: ...


def confidences_of(reading: Reading) -> dict[str, float]:
    """The reader's confidence in each field, as plain numbers (JSON)."""
    found: Any = getattr(reading, "confidence", None)
    if dataclasses.is_dataclass(found) and not isinstance(found, type):
        found = dataclasses.asdict(found)
    if not isinstance(found, dict):
        return {}
    return {str(k): float(v) for k, v in found.items() if isinstance(v, int | float)}
