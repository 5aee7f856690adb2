"""
CSV bank exports: one outbound payment per debit line.

Lines whose amount is money in are skipped and counted. Without an `id` column (or with an empty id cell), a line's
id is derived from what it says: `csv-` + the first 32 hex digits of
sha256("date|amount|payee|reference|description|n"), where n counts identical lines from the top of the file,
so importing the same file again yields the same ids.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.payment_input import SourceAccountIn
from bot.sources.amounts import as_decimal_text, read_signed_amount, without_extra_zeros
from bot.sources.csv_accounts import CsvAccounts
from bot.sources.csv_columns import Columns, describe_aliases, match_columns
from bot.sources.csv_text import Row, delimiter_candidates, read_rows, read_text
from bot.sources.dates import ACCEPTED_FORMATS, looks_month_first, read_date
from bot.sources.lines import RawLine, Written, judge
from bot.sources.parsed import ExportProblem, ParsedExport, ProgressCallback
from bot.sources.tally import ExportTally

NOT_AN_AMOUNT = 'is not an amount such as "-1,234.56"'
TEXT_FIELDS = ("payee", "description", "category", "reference", "spender_email")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


@dataclass(frozen=True)
class Money:
    """A line's signed amount (negative = money out), or why it has none."""

    signed: Decimal | None
    written: Written
    problem: str | None = None


def parse_csv(
    path: Path,
    *,
    account: SourceAccountIn | None = None,
    account_id: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> ParsedExport:
    columns, rows, delimiter = _header_and_rows(read_text(path), path.name)
    accounts = CsvAccounts.decide(columns, account=account, account_id=account_id, file_name=path.name)
    _refuse_month_first_dates(rows, columns, path.name)
    tally = ExportTally(total_lines=len(rows), on_progress=on_progress)
    occurrences: Counter[str] = Counter()
    for row in rows:
        money = _read_money(row.cells, columns)
        content_key = _content_key(row.cells, columns, money)
        occurrences[content_key] += 1
        if len(row.cells) > len(columns.headers) and any(cell.strip() for cell in row.cells[len(columns.headers) :]):
            tally.judged(row.line, _too_many_fields(len(row.cells), len(columns.headers), delimiter))
        elif money.signed is not None and money.signed > 0:
            tally.credit()
        else:
            derived_id = _derived_id(content_key, occurrences[content_key])
            tally.judged(row.line, judge(_raw_line(row, columns, accounts, money, derived_id)))
    return tally.finish(accounts.file_account(rows, path.name))


def _header_and_rows(text: str, file_name: str) -> tuple[Columns, list[Row], str]:
    """The first non-blank row is the header; the delimiter is the sniffed one unless another finds the date column."""
    candidates = delimiter_candidates(text)
    for delimiter in candidates:
        rows = read_rows(text, delimiter, file_name=file_name)
        if not rows:
            raise ExportProblem(f"{file_name} is empty: export the transactions again, with a header row")
        columns = match_columns(rows[0].cells)
        if "date" in columns:
            _require_columns(columns, file_name)
            return columns, rows[1:], delimiter
    headers = ", ".join(f'"{cell.strip()}"' for cell in read_rows(text, candidates[0], file_name=file_name)[0].cells)
    raise ExportProblem(
        f"{file_name} has no date column (its header is {headers}): "
        f"name the column {describe_aliases('date')} and import again"
    )


def _require_columns(columns: Columns, file_name: str) -> None:
    if "payee" not in columns:
        raise ExportProblem(
            f"{file_name} has no payee column: name the column that says who was paid {describe_aliases('payee')}"
        )
    if not {"amount", "debit", "credit"} & columns.index.keys():
        raise ExportProblem(
            f"{file_name} has no amount column: add an amount column (negative = money out) or debit and credit columns"
        )


def _refuse_month_first_dates(rows: list[Row], columns: Columns, file_name: str) -> None:
    """A file with "11/20/2026" writes dates month first, so its "03/04/2026" would be misread: refuse it whole."""
    for row in rows:
        written = columns.cell(row.cells, "date")
        if looks_month_first(written):
            raise ExportProblem(
                f'{file_name} writes dates month first (line {row.line}: "{written}"), which cannot be told apart '
                "from day first: change the date column to YYYY-MM-DD and import again"
            )


def _read_money(cells: list[str], columns: Columns) -> Money:
    if "amount" in columns:
        text = columns.cell(cells, "amount")
        signed = read_signed_amount(text) if text else None
        problem = None if signed is not None else (NOT_AN_AMOUNT if text else "is required")
        return Money(signed, Written("amount", text), problem)
    debit_text, credit_text = columns.cell(cells, "debit"), columns.cell(cells, "credit")
    debit = read_signed_amount(debit_text) if debit_text else None
    credit = read_signed_amount(credit_text) if credit_text else None
    if debit_text and debit is None:
        return Money(None, Written("debit", debit_text), NOT_AN_AMOUNT)
    if credit_text and credit is None:
        return Money(None, Written("credit", credit_text), NOT_AN_AMOUNT)
    if debit is None and credit is None:
        both = "debit" in columns and "credit" in columns
        return Money(None, Written("debit"), "and credit are both empty" if both else "is required")
    if debit and credit:
        return Money(
            None,
            Written("debit", debit_text),
            f'and credit "{credit_text}" are both filled in: a line is either money out or money in',
        )
    if debit:
        return Money(-abs(debit), Written("debit", debit_text))
    if credit:
        return Money(abs(credit), Written("credit", credit_text))
    return Money(Decimal(0), Written("debit" if debit_text else "credit", debit_text or credit_text))


def _raw_line(row: Row, columns: Columns, accounts: CsvAccounts, money: Money, derived_id: str) -> RawLine:
    line_account = accounts.for_line(row.cells)
    cell = {name: columns.cell(row.cells, name) for name in ("id", "date", "currency", *TEXT_FIELDS)}
    fields: dict[str, Any] = {
        "id": cell["id"] or derived_id,
        "account": line_account.account,
        "currency": line_account.currency,
        **{name: cell[name] or None for name in TEXT_FIELDS},
    }
    written = {name: Written(name, cell[name]) for name in ("id", "date", "currency", *TEXT_FIELDS)}
    written.update(line_account.written)
    written["amount"] = money.written
    problems: dict[str, str] = {}
    if money.problem is not None or money.signed is None:
        problems["amount"] = money.problem or NOT_AN_AMOUNT
    elif money.signed == 0:
        problems["amount"] = "is zero: neither money out nor money in"
    else:
        fields["amount"] = as_decimal_text(without_extra_zeros(money.signed, line_account.currency))
    when = read_date(cell["date"]) if cell["date"] else None
    fields["date"] = when.isoformat() if when else None
    if cell["date"] and when is None:
        problems["date"] = f"is not a date: write it as {ACCEPTED_FORMATS}"
    return RawLine(row.line, fields, written, problems, silenced=line_account.silenced)


def _content_key(cells: list[str], columns: Columns, money: Money) -> str:
    written_date = columns.cell(cells, "date")
    when = read_date(written_date)
    amount = format(money.signed.normalize(), "f") if money.signed is not None else money.written.text or ""
    parts = [
        when.isoformat() if when else written_date,
        amount,
        *(columns.cell(cells, name) for name in ("payee", "reference", "description")),
    ]
    return "|".join(parts)


def _derived_id(content_key: str, occurrence: int) -> str:
    return "csv-" + hashlib.sha256(f"{content_key}|{occurrence}".encode()).hexdigest()[:32]


def _too_many_fields(found: int, expected: int, delimiter: str) -> str:
    name = DELIMITER_NAMES.get(delimiter, repr(delimiter))
    return f"has {found} fields but the header has {expected}: a value containing a {name} needs double quotes"
