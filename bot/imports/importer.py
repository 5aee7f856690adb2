"""
A bank export into the payments store, line by line: parsed as a stream, stored in batches (one indexed look-up and
one bulk insert each), every line accounted for in the summary, and the choices that read it kept as the account's
import profile. Used by `xero-expense-bot import` and by an export uploaded to the bot in Slack.
"""

from __future__ import annotations

import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot.imports.batch_writer import BatchWriter, Progress
from bot.imports.sources import CsvChoices, ExportFile, ExportProblem, ExportReader, Line, Outcome, open_export
from bot.imports.sources.text import shown
from bot.payments.ingest import AccountCurrencyMismatch, IngestService
from bot.payments.input import PaymentIn, SourceAccountIn
from storage.uow import UnitOfWorkFactory

BATCH = 5000
DETAIL_LIMIT = 200
PREVIEW_LINES = 10


@dataclass
class ImportSummary:
    """What happened to every line of the file; the counts add up to `total`."""

    file_name: str
    total: int = 0
    new: int = 0
    duplicates: int = 0
    credits: int = 0
    skipped: int = 0
    invalid: int = 0
    details: list[tuple[int, str, str]] = field(default_factory=list)
    """(line, "invalid" or "skipped", reason), the first DETAIL_LIMIT of them."""
    warnings: list[str] = field(default_factory=list)
    how_read: list[str] = field(default_factory=list)
    preview: list[tuple[int, PaymentIn]] = field(default_factory=list)
    accounts: list[SourceAccountIn] = field(default_factory=list)
    dry_run: bool = False
    profile_kept: bool = False
    batches_stored: int = 0

    @property
    def complete(self) -> bool:
        """Every debit is stored (or was already): nothing needs the operator's attention."""
        return self.invalid == 0

    def counts(self) -> str:
        verb = "would be " if self.dry_run else ""
        return (
            f"{self.file_name}: {self.total} lines: {self.new} {verb}new, {self.duplicates} already imported, "
            f"{self.credits} credits (money in) skipped, {self.skipped} skipped, {self.invalid} invalid"
        )

    def lines(self) -> list[str]:
        """The summary an operator reads: one line each, naming the file and the line."""
        out = [("Dry run, nothing stored. " if self.dry_run else "") + self.counts()]
        if self.dry_run:
            out += [f"  {line}" for line in self.how_read]
            for line, payment in self.preview:
                out.append(
                    f"  line {line}: {payment.date.isoformat()} {payment.currency} {payment.amount} to "
                    f"{shown(payment.payee, 60)}"
                    + (f" ({shown(payment.description, 60)})" if payment.description else "")
                )
        out += [f"warning: {warning}" for warning in self.warnings]
        for line, kind, reason in self.details:
            out.append(f"{self.file_name} line {line}{' skipped' if kind == 'skipped' else ''}: {reason}")
        listed = len(self.details)
        if listed < self.skipped + self.invalid:
            out.append(f"… and {self.skipped + self.invalid - listed} more lines not imported")
        if self.invalid:
            out.append(
                f"Fix the invalid lines (or pass the flags they need) and import {self.file_name} again: "
                "the lines already imported are recognised and not stored twice."
            )
        return out


class ProgressBar:
    """A one-line bar on a terminal that moves while lines are stored; occasional plain lines elsewhere (CI, pipes)."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self._stream = sys.stderr if stream is None else stream  # the process's stderr when the import runs
        self._width = width
        self._tty = self._stream.isatty()
        self._last_percent = -1
        self._last_time = 0.0

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if total == 0 else min(100, done * 100 // total)
        now = time.monotonic()
        if self._tty:
            if percent == self._last_percent and now - self._last_time < 0.2 and done < total:
                return
            filled = self._width * percent // 100
            self._stream.write(f"\r[{'#' * filled}{' ' * (self._width - filled)}] {done}/{total} lines stored")
            if done >= total:
                self._stream.write("\n")
        elif percent // 10 != self._last_percent // 10 or done >= total:
            self._stream.write(f"stored {done}/{total} lines ({percent}%)\n")
        self._last_percent, self._last_time = percent, now
        self._stream.flush()


class StoredAccounts:
    """The book an export is read against: the workspace's accounts and their import profiles, in the database."""

    def __init__(self, uow: UnitOfWorkFactory, workspace_id: int) -> None:
        self._uow = uow
        self._workspace_id = workspace_id

    def known(self, account_id: str) -> SourceAccountIn | None:
        with self._uow() as work:
            account = work.payments.source_account(self._workspace_id, account_id)
            return SourceAccountIn(account.external_id, account.name, account.currency) if account else None

    def profile(self, account_id: str, layout: str) -> dict[str, Any] | None:
        with self._uow() as work:
            found = work.import_profiles.get(self._workspace_id, account_id, layout)
            return dict(found.mapping) if found else None

    def layout_accounts(self, layout: str) -> list[str]:
        with self._uow() as work:
            return work.import_profiles.accounts_with_layout(self._workspace_id, layout)


class Importer:
    def __init__(self, *, uow: UnitOfWorkFactory, ingest: IngestService) -> None:
        self._uow = uow
        self._ingest = ingest

    def open(
        self,
        file: ExportFile,
        *,
        workspace_id: int,
        account_id: str | None = None,
        fmt: str | None = None,
        choices: CsvChoices | None = None,
    ) -> ExportReader:
        """The export checked as a whole against this workspace's accounts and profiles (raises ExportProblem)."""
        return open_export(
            file, account_id=account_id, fmt=fmt, choices=choices, book=StoredAccounts(self._uow, workspace_id)
        )

    def run(
        self,
        reader: ExportReader,
        *,
        workspace_id: int,
        dry_run: bool = False,
        progress: Progress | None = None,
        by: str | None = None,
    ) -> ImportSummary:
        summary = ImportSummary(
            file_name=reader.file_name, warnings=list(reader.warnings), how_read=list(reader.how_read), dry_run=dry_run
        )
        batch: list[PaymentIn] = []
        registered: dict[str, str | None] = {}
        book = StoredAccounts(self._uow, workspace_id)
        run = uuid.uuid4().hex  # this import, on each payment it stores
        if progress is not None:
            progress(0, reader.total_lines)
        with BatchWriter(lambda stored: self._store(summary, workspace_id, stored, dry_run, run)) as writer:
            accepted: SourceAccountIn | None = None  # the account of the last payment taken: checked already
            for line in reader.lines():
                summary.total += 1
                payment = line.payment
                if line.outcome is not Outcome.PAYMENT or payment is None:
                    _count(summary, line)
                    continue
                if payment.account is not accepted:
                    line = _checked_account(line, registered, book)
                    if line.outcome is not Outcome.PAYMENT:
                        _count(summary, line)
                        continue
                    accepted = payment.account
                    if accepted not in summary.accounts:
                        summary.accounts.append(accepted)
                batch.append(payment)
                if dry_run and len(summary.preview) < PREVIEW_LINES:
                    summary.preview.append((line.line, payment))
                if len(batch) >= BATCH:
                    writer.put(batch, summary.total, reader.total_lines, progress)
                    batch = []
            if batch:
                writer.put(batch, summary.total, reader.total_lines, progress)
        if progress is not None:
            progress(summary.total, max(reader.total_lines, summary.total))
        if not dry_run and self._keep_profile(reader, summary, workspace_id, by):
            summary.profile_kept = True
        return summary

    def _store(
        self, summary: ImportSummary, workspace_id: int, batch: list[PaymentIn], dry_run: bool, run: str
    ) -> None:
        if dry_run:
            known = self._ingest.known(workspace_id, batch)
            unique = {(payment.account.id, payment.id) for payment in batch}
            summary.duplicates += len(batch) - len(unique - known)
            summary.new += len(unique - known)
            return
        try:
            result = self._ingest.store(workspace_id, batch, import_run=run)
        except AccountCurrencyMismatch as mismatch:  # registered by someone else since the lines were checked
            raise ExportProblem(
                f"{summary.file_name}: account {shown(mismatch.account.id)} was just registered in "
                f"{mismatch.registered}, not {mismatch.account.currency}: import the file again"
            ) from None
        summary.new += len(result.created)
        summary.duplicates += len(result.duplicates)
        summary.batches_stored += 1
        if summary.batches_stored == 1 and result.created:
            self._ingest.refresh_statistics()

    def _keep_profile(self, reader: ExportReader, summary: ImportSummary, workspace_id: int, by: str | None) -> bool:
        """Kept when the choices read the file: more good lines than invalid ones."""
        if reader.layout is None or reader.mapping is None or reader.account is None:
            return False
        if summary.new + summary.duplicates + summary.credits <= summary.invalid:
            return False
        with self._uow() as work:
            work.import_profiles.keep(workspace_id, reader.account.id, reader.layout, dict(reader.mapping), by)
            work.commit()
        return True


def _count(summary: ImportSummary, line: Line) -> None:
    """A line that is not a payment to store: a credit, or skipped or invalid with its reason."""
    if line.outcome is Outcome.CREDIT:
        summary.credits += 1
        return
    kind = "skipped" if line.outcome is Outcome.SKIPPED else "invalid"
    setattr(summary, kind, getattr(summary, kind) + 1)
    if len(summary.details) < DETAIL_LIMIT:
        summary.details.append((line.line, kind, str(line.reason)))


def _checked_account(line: Line, registered: dict[str, str | None], book: StoredAccounts) -> Line:
    """A payment for an account registered in another currency is refused on its line, not in its batch."""
    assert line.payment is not None
    account = line.payment.account
    if account.id not in registered:
        known = book.known(account.id)
        registered[account.id] = known.currency if known else None
    currency = registered[account.id]
    if currency is None or currency == account.currency:
        return line
    reason = (
        f"account {shown(account.id)} is registered in {currency}, not {account.currency}: import these lines with "
        f"an --account in {account.currency}"
    )
    return Line(line.line, Outcome.INVALID, reason=reason)
