"""An OFX or QFX file's bytes from `<OFX>` on, and the text encoding its values are read in (whatever the header
claims, UTF-8 when every byte fits), with entities decoded exactly once."""

from __future__ import annotations

import codecs
import mmap
import re
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape

from bot.imports.sources.files import ExportFile
from bot.imports.sources.parsed import ExportProblem

OFX_START = re.compile(rb"<OFX\s*>", re.IGNORECASE)
HEADER_CHARSET = re.compile(rb"CHARSET:\s*([A-Za-z0-9_-]+?)(?:\s|COMPRESSION|$)|encoding=\"([A-Za-z0-9_-]+)\"")
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z]{2,8});")


class OfxText:
    """The file's bytes from `<OFX>` on, and how to turn a value's bytes into text."""

    def __init__(self, data: bytes | mmap.mmap, start: int, codec: str) -> None:
        self.data = data
        self.start = start
        self.codec = codec
        self.bytewise = codec == "utf-8" or _one_byte_a_character(codec)
        """Whether a run of bytes decodes to the text of its pieces joined, so a transaction may be decoded whole."""

    def value(self, raw: bytes, *, cdata: bool = False) -> str:
        text = raw.decode(self.codec, errors="replace")
        return text if cdata else decoded_entities(text)


@contextmanager
def ofx_text(file: ExportFile) -> Iterator[OfxText]:
    if file.data is not None:
        yield _located(file, file.data)
        return
    with file.open() as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        yield _located(file, mapped)


def _located(file: ExportFile, data: bytes | mmap.mmap) -> OfxText:
    found = OFX_START.search(data)
    if found is None:
        raise ExportProblem(
            f"{file.name} has no <OFX> element, so it is not an OFX file: download it from the bank again, "
            "or export CSV instead"
        )
    return OfxText(data, found.start(), _codec(data, found.start()))


def _codec(data: bytes | mmap.mmap, start: int) -> str:
    """UTF-8 when every byte fits (whatever the header claims); else the header's charset; else windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for offset in range(0, len(data), 1 << 20):
            decoder.decode(data[offset : offset + (1 << 20)])
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    declared = HEADER_CHARSET.search(data[: max(start, 0) + 200])
    name = (declared.group(1) or declared.group(2)).decode() if declared else ""
    candidates = {"1252": "cp1252", "iso-8859-1": "latin-1", "8859-1": "latin-1", "latin1": "latin-1"}
    codec = candidates.get(name.lower(), name)
    try:
        return codecs.lookup(codec).name if codec and codec.lower() not in ("none", "usascii", "utf-8") else "cp1252"
    except LookupError:
        return "cp1252"


def _one_byte_a_character(codec: str) -> bool:
    """A single-byte charset (windows-1252, latin-1…): each byte decodes alone, whatever is around it."""
    every = bytes(range(256))
    whole = every.decode(codec, errors="replace")
    return len(whole) == 256 and whole == "".join(every[i : i + 1].decode(codec, errors="replace") for i in range(256))


def decoded_entities(text: str) -> str:
    """Entities as the bank meant them, raw `&` kept: "AT&amp;T" is "AT&T", and "&amp;lt;DEFTPYMT&amp;gt;",
    which some banks write by escaping their text twice, is "<DEFTPYMT>"."""
    for _ in range(2):
        if not ENTITY.search(text):
            break
        text = ENTITY.sub(lambda match: unescape(match.group()), text)
    return text
