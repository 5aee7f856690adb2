"""`xero-expense-bot import FILE`: a bank export into the payments store, with progress and a summary."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.ingest import IngestService
from bot.payment_input import SourceAccountIn
from bot.sources import ParsedExport, parse_export
from storage.uow import UnitOfWorkFactory

BATCH = 500


@dataclass
class ImportSummary:
    new: int = 0
    duplicates: int = 0
    skipped_credits: int = 0
    invalid: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"{self.new} new, {self.duplicates} already imported (duplicates), "
            f"{self.skipped_credits} credits skipped, {len(self.invalid)} invalid"
        ]
        out += [f"  invalid {problem}" for problem in self.invalid]
        return out


class ProgressBar:
    """A one-line bar on a terminal; occasional plain lines elsewhere (CI logs, pipes)."""

    def __init__(self, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self._stream = stream
        self._width = width
        self._tty = stream.isatty()
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if total == 0 else done * 100 // total
        if self._tty:
            filled = self._width * percent // 100
            self._stream.write(f"\r[{'#' * filled}{' ' * (self._width - filled)}] {done}/{total} lines")
            if done >= total:
                self._stream.write("\n")
        elif percent // 25 != self._last // 25 or done >= total:
            self._stream.write(f"read {done}/{total} lines ({percent}%)\n")
        self._last = percent
        self._stream.flush()


def import_file(
    path: Path,
    *,
    workspace_id: int,
    uow: UnitOfWorkFactory,
    ingest: IngestService,
    account_id: str | None,
    fmt: str | None,
    progress: ProgressBar | None = None,
) -> ImportSummary:
    known = _known_account(uow, workspace_id, account_id) if account_id else None
    parsed: ParsedExport = parse_export(
        path, account=known, account_id=None if known else account_id, fmt=fmt, on_progress=progress
    )
    summary = ImportSummary(skipped_credits=parsed.skipped_credits, invalid=parsed.problems())
    payments = [line.payment for line in parsed.payments]
    for start in range(0, len(payments), BATCH):
        result = ingest.ingest(workspace_id, payments[start : start + BATCH])
        if result.errors:
            summary.invalid += [f"payment {e.index + start + 1}: {e.field} {e.message}" for e in result.errors]
            continue
        summary.new += len(result.created)
        summary.duplicates += len(result.duplicates)
    return summary


def _known_account(uow: UnitOfWorkFactory, workspace_id: int, account_id: str) -> SourceAccountIn | None:
    with uow() as work:
        account = work.payments.source_account(workspace_id, account_id)
        return SourceAccountIn(account.external_id, account.name, account.currency) if account else None
