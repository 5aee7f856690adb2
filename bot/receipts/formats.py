"""What a receipt file really is, from its bytes: the formats Xero takes, and a few words for the rest."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass


@dataclass(frozen=True)
class FileFormat:
    label: str
    extension: str
    mime_type: str
    pillow_format: str | None = None


JPEG = FileFormat("JPEG", ".jpg", "image/jpeg", "JPEG")
PNG = FileFormat("PNG", ".png", "image/png", "PNG")
GIF = FileFormat("GIF", ".gif", "image/gif", "GIF")
PDF = FileFormat("PDF", ".pdf", "application/pdf")
TIFF = FileFormat("TIFF", ".tif", "image/tiff", "TIFF")
BMP = FileFormat("BMP", ".bmp", "image/bmp", "BMP")
HEIC = FileFormat("HEIC", ".heic", "image/heic", "HEIF")
HEIF = FileFormat("HEIF", ".heif", "image/heif", "HEIF")
AVIF = FileFormat("AVIF", ".avif", "image/avif", "AVIF")
WEBP = FileFormat("WebP", ".webp", "image/webp", "WEBP")

# Xero infers an attachment's type from its extension and does not list these, so they become JPEGs.
CONVERTED_TO_JPEG = frozenset({HEIC, HEIF, AVIF, WEBP})

_HEVC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_BMP_INFO_HEADER_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})


def detect_format(content: bytes) -> FileFormat | None:
    """The file's real type from its magic bytes, or None when it is not a receipt type we know."""
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if content.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if content.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return WEBP
    if _is_bmp(content):
        return BMP
    iso_format = _iso_media_format(content)
    if iso_format is not None:
        return iso_format
    if re.match(rb"%PDF-[12]\.[0-9]", content):
        return PDF
    return None


def describe_content(content: bytes) -> str:
    """A few words for what an unaccepted file seems to be, to finish "it looks like …"."""
    if not content:
        return "an empty file"
    head = content[:512]
    signatures: tuple[tuple[bytes, str], ...] = (
        (b"MZ", "a Windows program"),
        (b"\x7fELF", "a program"),
        (b"\xca\xfe\xba\xbe", "a program"),
        (b"\xcf\xfa\xed\xfe", "a program"),
        (b"PK\x03\x04", "a ZIP archive or an Office document"),
        (b"PK\x05\x06", "an empty ZIP archive"),
        (b"Rar!\x1a\x07", "a RAR archive"),
        (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
        (b"\x1f\x8b", "a compressed (gzip) file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office document"),
        (b"ID3", "an audio file"),
        (b"OggS", "an audio or video file"),
        (b"\x1aE\xdf\xa3", "a video"),
    )
    for magic, description in signatures:
        if head.startswith(magic):
            return description
    if head[4:8] == b"ftyp":
        return "a video"
    if head.startswith(b"RIFF"):
        return "an audio or video file"
    text = _as_text(head)
    if text is not None:
        stripped = text.lstrip().lower()
        if "<svg" in stripped:
            return "an SVG drawing"
        if stripped.startswith(("{", "[")):
            return "a JSON data file"
        return "a text file"
    return "a kind of file the bot doesn't recognise"


def _is_bmp(content: bytes) -> bool:
    if len(content) < 26 or not content.startswith(b"BM"):
        return False
    pixel_offset, info_header_size = struct.unpack_from("<II", content, 10)
    return info_header_size in _BMP_INFO_HEADER_SIZES and 14 + info_header_size <= pixel_offset <= len(content)


def _iso_media_format(content: bytes) -> FileFormat | None:
    """HEIC/HEIF/AVIF from the brands of an ISO base media `ftyp` box; None for videos and everything else."""
    if content[4:8] != b"ftyp" or len(content) < 16:
        return None
    box_size = min(int.from_bytes(content[:4], "big"), len(content), 512)
    major = content[8:12]
    compatible = {content[at : at + 4] for at in range(16, box_size - 3, 4)}
    if major in _AVIF_BRANDS:
        return AVIF
    if major in _HEVC_BRANDS:
        return HEIC
    if major in _HEIF_BRANDS:
        return AVIF if compatible & _AVIF_BRANDS else (HEIC if compatible & _HEVC_BRANDS else HEIF)
    if compatible & _HEVC_BRANDS:
        return HEIC
    if compatible & _AVIF_BRANDS:
        return AVIF
    return None


def looks_like_html(content: bytes) -> bool:
    head = content[:1024]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    if b"\x00" in head[:64]:
        head = head.replace(b"\x00", b"")
    return head.lstrip().lower().startswith((b"<!doctype html", b"<html"))


def _as_text(head: bytes) -> str | None:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # The cut at 512 bytes may split a multi-byte character.
        try:
            text = head[:-4].decode("utf-8")
        except UnicodeDecodeError:
            return None
    printable = sum(char.isprintable() or char in "\r\n\t" for char in text)
    return text if text and printable >= 0.95 * len(text) else None
