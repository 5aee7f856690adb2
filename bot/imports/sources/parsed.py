"""What reading a bank export yields: one outcome per line, so that every line of the file is accounted for."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bot.errors import DomainError
from bot.payments.input import PaymentIn, SourceAccountIn

ProgressCallback = Callable[[int, int], None]
"""Called with (lines done, total lines) while an export is imported, for a progress bar."""


class ExportProblem(DomainError):
    """The file as a whole cannot be imported; the message names the file, what is wrong and what to do."""


class Outcome(enum.StrEnum):
    PAYMENT = "payment"
    CREDIT = "credit"
    SKIPPED = "skipped"
    INVALID = "invalid"


@dataclass(frozen=True)
class Line:
    """One line's outcome. `line` is the physical line in a CSV (header = 1) or the transaction's number in an OFX."""

    line: int
    outcome: Outcome
    payment: PaymentIn | None = None
    reason: str | None = None


@dataclass
class ExportReader:
    """An export ready to be read: its account, how it was read, and its lines, produced one at a time."""

    file_name: str
    total_lines: int
    account: SourceAccountIn | None
    """The account every payment belongs to; None when an OFX file holds statements of several accounts."""
    lines: Callable[[], Iterator[Line]]
    how_read: list[str] = field(default_factory=list)
    """How the file was read, one line each (columns, date order, sign, currency), for a dry run and the summary."""
    warnings: list[str] = field(default_factory=list)
    layout: str | None = None
    """For a CSV file, the layout's key (its header, normalised), under which the choices made are kept."""
    mapping: dict[str, object] | None = None
    """For a CSV file, the choices that read it, to keep as the account's import profile."""


@dataclass(frozen=True)
class ParsedExport:
    """Every line of a (small) export at once; the importer itself works line by line."""

    payments: list[tuple[int, PaymentIn]]
    credits: int
    skipped: list[tuple[int, str]]
    invalid: list[tuple[int, str]]
    account: SourceAccountIn | None
    total_lines: int
    warnings: list[str]


def collected(reader: ExportReader) -> ParsedExport:
    payments: list[tuple[int, PaymentIn]] = []
    skipped: list[tuple[int, str]] = []
    invalid: list[tuple[int, str]] = []
    credits = 0
    for line in reader.lines():
        if line.outcome is Outcome.PAYMENT and line.payment is not None:
            payments.append((line.line, line.payment))
        elif line.outcome is Outcome.CREDIT:
            credits += 1
        elif line.outcome is Outcome.SKIPPED:
            skipped.append((line.line, str(line.reason)))
        else:
            invalid.append((line.line, str(line.reason)))
    return ParsedExport(payments, credits, skipped, invalid, reader.account, reader.total_lines, reader.warnings)
