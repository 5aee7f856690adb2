"""Bank exports (CSV, OFX, QFX) read into validated outbound payments, with every line accounted for."""

from __future__ import annotations

from pathlib import Path

from bot.imports.sources.book import AccountBook, NoAccounts
from bot.imports.sources.csv_export import CsvChoices, open_csv
from bot.imports.sources.files import ExportFile, refuse_what_is_not_an_export
from bot.imports.sources.formats import FORMATS, export_format
from bot.imports.sources.ofx_export import open_ofx
from bot.imports.sources.parsed import (
    ExportProblem,
    ExportReader,
    Line,
    Outcome,
    ParsedExport,
    ProgressCallback,
    collected,
)
from bot.payments.input import SourceAccountIn

__all__ = [
    "FORMATS",
    "AccountBook",
    "CsvChoices",
    "ExportFile",
    "ExportProblem",
    "ExportReader",
    "Line",
    "NoAccounts",
    "Outcome",
    "ParsedExport",
    "ProgressCallback",
    "open_export",
    "parse_export",
]


def open_export(
    file: ExportFile,
    *,
    account_id: str | None = None,
    fmt: str | None = None,
    choices: CsvChoices | None = None,
    book: AccountBook | None = None,
) -> ExportReader:
    """
    The export checked as a whole and ready to be read line by line.

    `account_id` names the source account (one the bot knows, or a new id); without it, the file's own account.
    Raises `ExportProblem` when the file as a whole cannot be imported, or a choice only a person can make is missing.
    """
    choices = choices or CsvChoices()
    book = book or NoAccounts()
    refuse_what_is_not_an_export(file)
    if export_format(file, fmt) == "csv":
        return open_csv(file, account_id=account_id, choices=choices, book=book)
    return open_ofx(file, account_id=account_id, currency=choices.currency, book=book)


def parse_export(
    path: Path,
    *,
    account: SourceAccountIn | None = None,
    account_id: str | None = None,
    fmt: str | None = None,
    choices: CsvChoices | None = None,
) -> ParsedExport:
    """Every line of a file at once, against an empty book (or one `account` it knows): for tests and small files."""
    book = NoAccounts(account) if account is not None else NoAccounts()
    reader = open_export(
        ExportFile.at(path),
        account_id=account.id if account is not None else account_id,
        fmt=fmt,
        choices=choices,
        book=book,
    )
    return collected(reader)
