"""An export as bytes (a path on disk or an upload in memory), what kind of file it is, and its text encoding."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from charset_normalizer import from_bytes

from bot.imports.sources.parsed import ExportProblem
from bot.imports.sources.text import shown

CHUNK = 1 << 20
SNIFF_BYTES = 1 << 16
DETECTION_SAMPLE = 1 << 19
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
NOT_EXPORTS = (
    (b"PK\x03\x04", "a ZIP archive (an Excel workbook or a zipped export)", "open it and save the sheet as CSV"),
    (b"\xd0\xcf\x11\xe0", "an Excel workbook", "open it and save the sheet as CSV"),
    (b"%PDF-", "a PDF statement", "download the transactions as CSV or OFX instead"),
    (b"\x1f\x8b", "a gzip archive", "unpack it"),
)
# Languages written in windows-1252, as Excel saves CSV on Windows; the detector's look-alike guesses for them
# (cp1250, latin-1, mac-roman) would read "£" as "Ł" or "€" as nothing.
WESTERN_LANGUAGES = {
    "English",
    "German",
    "French",
    "Spanish",
    "Portuguese",
    "Italian",
    "Dutch",
    "Danish",
    "Swedish",
    "Norwegian",
    "Finnish",
    "Catalan",
    "Unknown",
    "",
}
LABELS = {"utf_8": "UTF-8", "utf_8_sig": "UTF-8", "cp1252": "windows-1252", "latin_1": "ISO-8859-1"}


@dataclass(frozen=True)
class ExportFile:
    """The bytes of one export and the name to call it by in messages."""

    name: str
    path: Path | None = None
    data: bytes | None = None

    @classmethod
    def at(cls, path: Path) -> ExportFile:
        if not path.is_file():
            raise ExportProblem(f"no file at {shown(str(path), 200)}: check the path and import again")
        return cls(name=shown(path.name, 120), path=path)

    @classmethod
    def uploaded(cls, name: str, data: bytes) -> ExportFile:
        return cls(name=shown(name or "the file", 120), data=data)

    @property
    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        return self.path.stat().st_size

    def open(self) -> BinaryIO:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        try:
            return self.path.open("rb")
        except OSError as error:
            raise ExportProblem(f"{self.name} cannot be read ({error.strerror}): check its permissions") from None

    def head(self, size: int = SNIFF_BYTES) -> bytes:
        with self.open() as stream:
            return stream.read(size)

    def chunks(self) -> Iterator[bytes]:
        with self.open() as stream:
            while chunk := stream.read(CHUNK):
                yield chunk


@dataclass(frozen=True)
class Encoding:
    codec: str
    detected: bool = True

    @property
    def label(self) -> str:
        name = codecs.lookup(self.codec).name.replace("-", "_")
        return LABELS.get(name, name.replace("_", "-"))


def refuse_what_is_not_an_export(file: ExportFile) -> None:
    """Empty files, archives, workbooks and PDFs are named for what they are, with what to do instead."""
    if file.size == 0:
        raise ExportProblem(f"{file.name} is empty: export the transactions from the bank again")
    head = file.head(16)
    for signature, kind, what_to_do in NOT_EXPORTS:
        if head.startswith(signature):
            raise ExportProblem(f"{file.name} is {kind}, not a CSV or OFX export: {what_to_do}, then import again")


def chosen_encoding(name: str, file_name: str) -> Encoding:
    try:
        return Encoding(codecs.lookup(name.strip()).name, detected=False)
    except LookupError:
        raise ExportProblem(
            f'"{shown(name)}" is not an encoding {file_name} can be read in: pass --encoding utf-8, windows-1252, '
            "iso-8859-1 or another standard name"
        ) from None


def detect_encoding(file: ExportFile) -> Encoding:
    """A byte-order mark; else UTF-8 when every byte fits; else the detector's answer, windows-1252 for Western text."""
    head = file.head(SNIFF_BYTES)
    for bom, codec in BOMS:
        if head.startswith(bom):
            return Encoding(codec)
    if head.count(0) * 10 < len(head) and _is_utf8(file):
        return Encoding("utf-8")
    best = from_bytes(file.head(DETECTION_SAMPLE)).best()
    if best is None:
        if head.count(0) * 10 >= len(head):
            raise ExportProblem(f"{file.name} is not a text file: export the transactions as CSV or OFX")
        return Encoding("cp1252")
    codec = codecs.lookup(best.encoding).name
    if codec.startswith(("utf-16", "utf-32")) or best.language not in WESTERN_LANGUAGES:
        return Encoding(codec)
    return Encoding("cp1252")


def _is_utf8(file: ExportFile) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in file.chunks():
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
