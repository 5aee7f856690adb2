"""A CSV export's layout: its encoding, delimiter, header row (found below any preamble) and which column is which."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import NamedTuple

from bot.imports.sources.csv_columns import Columns, header_key, match_columns
from bot.imports.sources.dates import readable_in
from bot.imports.sources.files import Encoding, ExportFile
from bot.imports.sources.parsed import ExportProblem
from bot.imports.sources.text import shown

DELIMITERS = ",;\t|"
HEADER_SEARCH_ROWS = 40
SNIFF_LINES = 30
COLUMN_FLAGS = {
    "date": "--date-column",
    "amount": "--amount-column",
    "debit": "--debit-column",
    "credit": "--credit-column",
    "payee": "--payee-column",
    "description": "--description-column",
}
csv.field_size_limit(1 << 20)


class Row(NamedTuple):
    line: int
    cells: list[str]


@dataclass(frozen=True)
class BadRow:
    """A line the csv module cannot split (a stray quote, a value over a megabyte)."""

    line: int
    problem: str


@dataclass
class Layout:
    encoding: Encoding
    delimiter: str
    header_line: int
    """The header's physical line (1-based); 0 when the file has no header."""
    columns: Columns
    width: int
    named: dict[str, str] = field(default_factory=dict)
    """Fields whose column was named with a flag."""

    @property
    def key(self) -> str:
        """The same bank's next export has the same key: its header's names, or its width when it has none."""
        if self.header_line == 0:
            shape = f"no header|{self.width}|{self.delimiter}"
        else:
            shape = "|".join(header_key(header) for header in self.columns.headers)
        return hashlib.sha256(shape.encode()).hexdigest()[:32]


def rows(file: ExportFile, encoding: Encoding, delimiter: str) -> Iterator[Row | BadRow]:
    """Non-blank rows numbered by the physical line they start on; a line the csv module cannot read is its error."""
    with file.open() as raw:
        text = io.TextIOWrapper(raw, encoding=encoding.codec, errors="replace", newline="")
        reader = csv.reader(text, delimiter=delimiter)
        previous_end = 0
        while True:
            try:
                for cells in reader:  # the loop stays in C until a row is handed out
                    start = previous_end + 1
                    previous_end = reader.line_num
                    if any(map(str.strip, cells)):
                        yield Row(start, cells)
                return
            except csv.Error as error:
                yield BadRow(previous_end + 1, shown(str(error), 80))
                previous_end = reader.line_num


def first_rows(file: ExportFile, encoding: Encoding, delimiter: str, count: int) -> list[Row]:
    return [row for row in islice(rows(file, encoding, delimiter), count) if isinstance(row, Row)]


def find_layout(
    file: ExportFile, encoding: Encoding, *, header_row: int | None, column_flags: dict[str, str]
) -> Layout:
    """The header is the first row naming a date column and an amount (or debit and credit) column."""
    candidates = _delimiters(file, encoding)
    if header_row is not None:
        return _layout_at(file, encoding, candidates, header_row, column_flags)
    for delimiter in candidates:
        for row in first_rows(file, encoding, delimiter, HEADER_SEARCH_ROWS):
            columns = match_columns(row.cells)
            if "date" in columns and {"amount", "debit", "credit"} & columns.index.keys():
                return _with_flags(
                    Layout(encoding, delimiter, row.line, columns, len(row.cells)), column_flags, file.name
                )
    first = first_rows(file, encoding, candidates[0], 1)
    if not first:
        raise ExportProblem(f"{file.name} holds no lines: export the transactions from the bank again")
    if any(readable_in(cell) for cell in first[0].cells):
        return _layout_at(file, encoding, candidates, 0, column_flags)
    named = [reference for reference in column_flags.values() if not reference.strip().isdigit()]
    for delimiter in candidates:
        for row in first_rows(file, encoding, delimiter, HEADER_SEARCH_ROWS):
            columns = match_columns(row.cells)
            keys = {header_key(cell) for cell in row.cells} | {cell.strip() for cell in row.cells}
            if named and all(header_key(name) in keys or name.strip() in keys for name in named):
                return _with_flags(
                    Layout(encoding, delimiter, row.line, columns, len(row.cells)), column_flags, file.name
                )
            if not named and "date" in columns:
                return _with_flags(
                    Layout(encoding, delimiter, row.line, columns, len(row.cells)), column_flags, file.name
                )
    if column_flags and not named:
        return _layout_at(file, encoding, candidates, first[0].line, column_flags)
    raise ExportProblem(
        f"{file.name} has no date column (its first line is {quoted_cells(first[0].cells)}): "
        "pass --header-row N if the header is further down, or --date-column with the column's name"
    )


def _delimiters(file: ExportFile, encoding: Encoding) -> list[str]:
    """The sniffed delimiter first, then the others, so the first one that yields a known header can be kept."""
    sample_lines: list[str] = []
    with file.open() as raw:
        text = io.TextIOWrapper(raw, encoding=encoding.codec, errors="replace", newline="")
        for line in islice(text, SNIFF_LINES * 2):
            if line.strip():
                sample_lines.append(line)
            if len(sample_lines) >= SNIFF_LINES:
                break
    try:
        sniffed = csv.Sniffer().sniff("".join(sample_lines[-SNIFF_LINES // 2 :]), delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {delimiter: sum(line.count(delimiter) for line in sample_lines) for delimiter in DELIMITERS}
        sniffed = max(counts, key=lambda delimiter: counts[delimiter])
    return [sniffed, *(delimiter for delimiter in DELIMITERS if delimiter != sniffed)]


def _layout_at(
    file: ExportFile, encoding: Encoding, candidates: list[str], header_row: int, column_flags: dict[str, str]
) -> Layout:
    """The layout with the header on the given line (0: no header), in the delimiter that splits it most."""
    best: tuple[int, str, Row] | None = None
    for delimiter in candidates:
        for row in first_rows(file, encoding, delimiter, HEADER_SEARCH_ROWS if header_row else 1):
            if header_row == 0 or row.line == header_row:
                if best is None or len(row.cells) > best[0]:
                    best = (len(row.cells), delimiter, row)
                break
    if best is None:
        raise ExportProblem(f"{file.name} has no line {header_row} within its first lines: check --header-row")
    width, delimiter, row = best
    columns = Columns(index={}, headers=[""] * width) if header_row == 0 else match_columns(row.cells)
    return _with_flags(
        Layout(encoding, delimiter, row.line if header_row else 0, columns, width), column_flags, file.name
    )


def _with_flags(layout: Layout, column_flags: dict[str, str], file_name: str) -> Layout:
    """Columns named on the command line (by header name or number from 1) replace the detected ones."""
    index = dict(layout.columns.index)
    for field_name, reference in column_flags.items():
        position = column_position(layout, reference, file_name, COLUMN_FLAGS.get(field_name, field_name))
        for other, taken in list(index.items()):
            if taken == position:
                del index[other]
        index[field_name] = position
        layout.named[field_name] = reference
    if "debit" in column_flags or "credit" in column_flags:
        index.pop("amount", None)
    if "amount" in column_flags:
        index.pop("debit", None)
        index.pop("credit", None)
    layout.columns = Columns(
        index=index, headers=layout.columns.headers, header_currency=layout.columns.header_currency
    )
    return layout


def column_position(layout: Layout, reference: str, file_name: str, flag: str) -> int:
    text = reference.strip()
    if text.isdigit() and text.isascii():
        number = int(text)
        if 1 <= number <= layout.width:
            return number - 1
        raise ExportProblem(f"{flag} {text}: {file_name} has columns 1 to {layout.width}; count from 1")
    wanted = header_key(text)
    for position, header in enumerate(layout.columns.headers):
        if header.strip() == text or (wanted and header_key(header) == wanted):
            return position
    if layout.header_line == 0:
        raise ExportProblem(f'{flag} "{shown(text)}": {file_name} has no header, so name its columns by number from 1')
    raise ExportProblem(
        f'{flag} "{shown(text)}": {file_name} has no such column (its columns are '
        f"{quoted_cells(layout.columns.headers)})"
    )


def quoted_cells(cells: list[str], limit: int = 10) -> str:
    shown_cells = [f'"{shown(cell.strip(), 30)}"' for cell in cells[:limit]]
    return ", ".join(shown_cells) + (", …" if len(cells) > limit else "")


def first_cells(file: ExportFile, layout: Layout) -> list[str]:
    for row in rows(file, layout.encoding, layout.delimiter):
        if isinstance(row, Row) and row.line > layout.header_line:
            return row.cells
    return []
