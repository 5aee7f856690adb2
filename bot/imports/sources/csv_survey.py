"""
One pass over every data line of a CSV export, before any is imported: what its dates, amounts, signs,
debit/credit marks, currencies and accounts say about the file's conventions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.imports.sources.amounts import DECIMAL_MARKS, decimal_evidence, read_amount
from bot.imports.sources.csv_columns import header_key, indicator_side
from bot.imports.sources.csv_layout import BadRow, Layout, rows
from bot.imports.sources.csv_words import INDICATOR_HEADERS
from bot.imports.sources.dates import DateOrderEvidence
from bot.imports.sources.files import ExportFile


@dataclass
class Survey:
    """What one pass over every data line says about the file's conventions."""

    lines: int = 0
    dates: DateOrderEvidence = field(default_factory=DateOrderEvidence)
    decimal_proofs: dict[str, tuple[int, str]] = field(default_factory=dict)
    undecided_decimal: tuple[int, str] | None = None
    negatives: int = 0
    positives: int = 0
    indicators: dict[int, bool] = field(default_factory=dict)
    """Columns that may say debit or credit, each with whether it wrote a whole word (not only D/C)."""
    currencies: list[str] = field(default_factory=list)
    named_currencies: frozenset[str] | None = None
    account_ids: list[str] = field(default_factory=list)
    account_currency: str | None = None


def surveyed(file: ExportFile, layout: Layout) -> Survey:
    survey = Survey()
    columns = layout.columns
    amount_columns = [columns.index[name] for name in ("amount", "debit", "credit") if name in columns]
    indicator_hints = {
        position: header_key(columns.headers[position]) in INDICATOR_HEADERS for position in columns.untaken()
    }
    candidates = dict.fromkeys(indicator_hints, False)
    for row in rows(file, layout.encoding, layout.delimiter):
        if row.line <= layout.header_line:
            continue
        survey.lines += 1
        if isinstance(row, BadRow):
            continue
        cells = row.cells
        survey.dates.add(row.line, columns.cell(cells, "date"))
        for position in amount_columns:
            cell = cells[position].strip() if position < len(cells) else ""
            if cell:
                _note_amount(survey, row.line, cell, counts_sign=position == columns.index.get("amount"))
        for position in list(candidates):
            cell = cells[position].strip() if position < len(cells) else ""
            if not cell:
                continue
            side = indicator_side(cell, letters=True)
            if side is None:
                del candidates[position]
            elif not candidates[position] and indicator_side(cell, letters=False) is not None:
                candidates[position] = True
        if "currency" in columns and len(survey.currencies) < 10:
            currency = columns.cell(cells, "currency").upper()
            if currency and currency not in survey.currencies:
                survey.currencies.append(currency)
        if survey.account_currency is None and "account_currency" in columns:
            survey.account_currency = columns.cell(cells, "account_currency").upper() or None
        if "account_id" in columns and len(survey.account_ids) < 2:
            account = columns.cell(cells, "account_id")
            if account and account not in survey.account_ids:
                survey.account_ids.append(account)
    survey.indicators = {
        position: worded for position, worded in candidates.items() if worded or indicator_hints[position]
    }
    return survey


def _note_amount(survey: Survey, line: int, cell: str, *, counts_sign: bool) -> None:
    proof = decimal_evidence(cell)
    if proof is not None:
        survey.decimal_proofs.setdefault(proof, (line, cell))
    elif any(mark in cell for mark in DECIMAL_MARKS):
        survey.undecided_decimal = survey.undecided_decimal or (line, cell)
    written = read_amount(cell, proof or ".") or (read_amount(cell, ",") if proof is None else None)
    if written is None:
        return
    if counts_sign:
        if written.value < 0:
            survey.negatives += 1
        elif written.value > 0:
            survey.positives += 1
    if written.currencies is not None:
        known = survey.named_currencies
        survey.named_currencies = written.currencies if known is None else known & written.currencies
