"""
CSV bank exports: one outbound payment per debit line, read as the file's own conventions say.

Each choice (date column and order, amount or debit/credit columns, sign convention, payee column, decimal mark,
currency, header row, encoding) comes from a flag, else from the account's import profile for this layout, else from
the file itself; where the file cannot tell, the import is refused with the exact flag to pass, never guessed.

Without an `id` column (or with an empty id cell), a line's id is derived from what it says: `csv-` + the first 32 hex
digits of sha256("date|amount|payee|reference|description|n"), where n counts identical lines from the top of the
file, so importing the same file again yields the same ids.
"""

from __future__ import annotations

from typing import Any

from bot.imports.sources.book import AccountBook
from bot.imports.sources.csv_columns import Columns
from bot.imports.sources.csv_conventions import decide
from bot.imports.sources.csv_layout import Layout, Row, find_layout, first_cells, quoted_cells, rows
from bot.imports.sources.csv_lines import csv_lines
from bot.imports.sources.csv_plan import CsvChoices, how_read, mapping
from bot.imports.sources.csv_survey import surveyed
from bot.imports.sources.files import ExportFile, chosen_encoding, detect_encoding
from bot.imports.sources.parsed import ExportProblem, ExportReader

__all__ = ["CsvChoices", "open_csv"]


def open_csv(file: ExportFile, *, account_id: str | None, choices: CsvChoices, book: AccountBook) -> ExportReader:
    encoding = chosen_encoding(choices.encoding, file.name) if choices.encoding else detect_encoding(file)
    layout = find_layout(file, encoding, header_row=choices.header_row, column_flags=choices.column_flags())
    looked_up = account_id or _account_from_layout(file, layout, book)
    profile = book.profile(looked_up, layout.key) if looked_up else None
    if profile is not None:
        layout = _with_profile(file, layout, profile, choices)
    _require_columns(layout, file.name, first_cells(file, layout))
    survey = surveyed(file, layout)
    if survey.lines == 0:
        raise ExportProblem(f"{file.name} has a header but no lines below it: export the transactions again")
    if account_id is None and "account_id" in layout.columns:
        account_id = survey.account_ids[0] if len(survey.account_ids) == 1 else None
    elif account_id is None:
        account_id = looked_up
    plan = decide(file, layout, survey, choices, profile, account_id, book)
    reader = ExportReader(
        file_name=file.name,
        total_lines=survey.lines,
        account=plan.account,
        lines=lambda: csv_lines(file, plan),
        how_read=how_read(plan, profile is not None),
        layout=layout.key,
        mapping=mapping(plan),
    )
    if survey.lines and survey.positives and not survey.negatives and plan.sign == "negative-is-out":
        reader.warnings.append(
            f"every amount in {file.name} is money in: if it is a card statement where purchases are positive, "
            "import it with --sign positive-is-out"
        )
    return reader


def _account_from_layout(file: ExportFile, layout: Layout, book: AccountBook) -> str | None:
    """The account named in the file's account column, else the one account whose profile has this layout."""
    if "account_id" in layout.columns:
        for row in rows(file, layout.encoding, layout.delimiter):
            if isinstance(row, Row) and row.line > layout.header_line:
                found = layout.columns.cell(row.cells, "account_id")
                if found:
                    return found
    holders = book.layout_accounts(layout.key)
    return holders[0] if len(holders) == 1 else None


def _with_profile(file: ExportFile, layout: Layout, profile: dict[str, Any], choices: CsvChoices) -> Layout:
    """The columns a person confirmed for this layout, where no flag names another."""
    if not choices.encoding and profile.get("encoding") and layout.encoding.codec not in ("utf-8", "utf-8-sig"):
        profiled = chosen_encoding(str(profile["encoding"]), file.name)
        if profiled.codec != layout.encoding.codec:
            layout = find_layout(file, profiled, header_row=choices.header_row, column_flags=choices.column_flags())
    index = dict(layout.columns.index)
    for field_name, position in dict(profile.get("columns") or {}).items():
        if field_name in layout.named or not isinstance(position, int) or position >= layout.width:
            continue
        for other, taken in list(index.items()):
            if taken == position and other not in layout.named:
                del index[other]
        index[field_name] = position
    if "amount" in profile.get("columns", {}) and not {"debit", "credit"} & layout.named.keys():
        index.pop("debit", None)
        index.pop("credit", None)
    layout.columns = Columns(
        index=index, headers=layout.columns.headers, header_currency=layout.columns.header_currency
    )
    return layout


def _require_columns(layout: Layout, file_name: str, first_cells: list[str]) -> None:
    columns = layout.columns
    if layout.header_line == 0 and not {"date", "amount", "debit", "credit"} & columns.index.keys():
        raise ExportProblem(
            f"{file_name} has no header row (its first line is {quoted_cells(first_cells, 4)}): name its columns by "
            "number, counting from 1: --date-column N --amount-column N --payee-column N"
        )
    if "date" not in columns:
        raise ExportProblem(f"{file_name} has no date column: name it with --date-column")
    if not {"amount", "debit", "credit"} & columns.index.keys():
        if "balance" in columns:
            raise ExportProblem(
                f"{file_name} lists balances ({columns.name_of(columns.index['balance'])}), not transactions: "
                "export the transactions (with their amounts) instead"
            )
        raise ExportProblem(
            f"{file_name} has no amount column: name it with --amount-column, or the two columns of money out and "
            "money in with --debit-column and --credit-column"
        )
    if "payee" not in columns and "description" not in columns:
        raise ExportProblem(
            f"{file_name} has no column that says who was paid: name it with --payee-column (or --description-column)"
        )
