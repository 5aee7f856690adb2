"""Which parser a file needs: the `--format` given, else what its first bytes look like, else its extension."""

from __future__ import annotations

import re

from bot.imports.sources.files import ExportFile
from bot.imports.sources.parsed import ExportProblem

FORMATS = ("csv", "ofx")
FORMAT_ALIASES = {"csv": "csv", "ofx": "ofx", "qfx": "ofx"}
EXTENSIONS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".ofx": "ofx", ".qfx": "ofx", ".qbo": "ofx"}
OFX_OPENING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:OFXHEADER|<\?xml|<\?OFX|<!--\s*OFXHEADER|<OFX\s*>)", re.IGNORECASE)
HTML_OPENING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:!DOCTYPE html|html)", re.IGNORECASE)


def export_format(file: ExportFile, fmt: str | None) -> str:
    if fmt is not None:
        chosen = FORMAT_ALIASES.get(fmt.strip().lower())
        if chosen is None:
            raise ExportProblem(f'unknown format "{fmt}": pass --format csv or --format ofx')
        return chosen
    head = file.head(4096)
    if OFX_OPENING.match(head):
        return "ofx"
    if HTML_OPENING.match(head):
        raise ExportProblem(f"{file.name} is a web page, not an export: download the transactions as CSV or OFX")
    suffix = "." + file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    if b"<OFX>" in head.upper():
        return "ofx"
    if b"," in head or b";" in head or b"\t" in head:
        return "csv"
    raise ExportProblem(
        f"cannot tell what kind of export {file.name} is: name it .csv, .ofx or .qfx, or pass --format csv|ofx"
    )
