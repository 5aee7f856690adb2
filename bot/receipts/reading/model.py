"""What reading a receipt found: each field with how sure the reader is of it, or why nothing could be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

Engine = Literal["text layer", "ocr"]


@dataclass(frozen=True)
class FieldConfidence:
    """0 (not found) to 1 (certain) for each field of a reading."""

    total: float = 0.0
    currency: float = 0.0
    date: float = 0.0
    merchant: float = 0.0
    tax: float = 0.0
    number: float = 0.0


@dataclass(frozen=True)
class ReceiptReading:
    """The fields read from one receipt file. A field not found is None with confidence 0; `problem` says, in words
    a person can read, why nothing at all could be read (the other fields are then None)."""

    total: Decimal | None = None
    currency: str | None = None  # ISO 4217 code
    date: date | None = None
    merchant: str | None = None  # as printed, tidied (bot.coding.payees.normalise's display name)
    tax: Decimal | None = None
    number: str | None = None  # the receipt or invoice number
    confidence: FieldConfidence = field(default_factory=FieldConfidence)
    engine: Engine | None = None  # "text layer" (a digital PDF) or "ocr" (a photo or a scanned PDF)
    problem: str | None = None
    pages_read: int = 0
    seconds: float = 0.0

    @property
    def found_anything(self) -> bool:
        return any(value is not None for value in (self.total, self.date, self.merchant, self.tax, self.number))


def unreadable(problem: str, *, engine: Engine | None = None, seconds: float = 0.0) -> ReceiptReading:
    return ReceiptReading(problem=problem, engine=engine, seconds=seconds)
