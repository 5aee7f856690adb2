"""A CSV file's rows with their real line numbers: encoding, byte-order mark, delimiter and blank lines dealt with."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from bot.sources.parsed import ExportProblem

DELIMITERS = ",;\t|"
SNIFF_LINES = 20


@dataclass(frozen=True)
class Row:
    line: int
    cells: list[str]


def read_text(path: Path) -> str:
    """UTF-8 (with or without a BOM) or UTF-16 with a BOM; Windows-1252, as Excel saves CSV on Windows, failing that."""
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ExportProblem(
            f"{path.name} is not UTF-8 text (byte {error.start} cannot be read): save it as CSV UTF-8 and import again"
        ) from None


def delimiter_candidates(text: str) -> list[str]:
    """The sniffed delimiter first, then the others, so a caller can keep the first one that yields a known header."""
    sample = "\n".join(line for line in text.splitlines()[:SNIFF_LINES] if line.strip())
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ","
    return [sniffed, *(delimiter for delimiter in DELIMITERS if delimiter != sniffed)]


def read_rows(text: str, delimiter: str, *, file_name: str) -> list[Row]:
    """Non-blank rows, each numbered by the physical line it starts on (a quoted value may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    previous_end = 0
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if any(cell.strip() for cell in cells):
                rows.append(Row(line=start, cells=cells))
    except csv.Error as error:
        raise ExportProblem(
            f"{file_name} line {reader.line_num} is not valid CSV ({error}): fix that line and import again"
        ) from None
    return rows
