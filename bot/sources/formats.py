"""Which parser a file needs: the `--format` given, else the file's extension, else what its first bytes look like."""

from __future__ import annotations

from pathlib import Path

from bot.sources.parsed import ExportProblem

FORMATS = ("csv", "ofx")
FORMAT_ALIASES = {"csv": "csv", "ofx": "ofx", "qfx": "ofx"}
EXTENSIONS = {".csv": "csv", ".ofx": "ofx", ".qfx": "ofx"}
SNIFF_BYTES = 4096
SPREADSHEET_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def export_format(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        chosen = FORMAT_ALIASES.get(fmt.strip().lower())
        if chosen is None:
            raise ExportProblem(f'unknown format "{fmt}": pass --format csv or --format ofx')
        return chosen
    by_extension = EXTENSIONS.get(path.suffix.lower())
    if by_extension is not None:
        return by_extension
    with path.open("rb") as file:
        head = file.read(SNIFF_BYTES)
    if head.startswith(SPREADSHEET_SIGNATURES):
        raise ExportProblem(f"{path.name} is a spreadsheet workbook: save it as CSV and import the CSV file")
    upper = head.upper()
    if b"OFXHEADER" in upper or b"<OFX>" in upper:
        return "ofx"
    raise ExportProblem(
        f"cannot tell what kind of export {path.name} is: name it .csv, .ofx or .qfx, or pass --format csv|ofx"
    )
