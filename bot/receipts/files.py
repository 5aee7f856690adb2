"""Decide whether downloaded bytes are a receipt Xero will take, and make them so.

The bytes decide, never the file name or Slack's mimetype: a renamed .exe stays refused, an iPhone
HEIC becomes a JPEG, and Slack's sign-in page (what a download without `files:read` returns) is
reported as the bot's failure rather than the user's.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import struct
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pillow_heif
from PIL import Image

from bot.errors import DomainError

MEGABYTE = 1024 * 1024
# A 12-megapixel phone photo of an A4 receipt is already ~350 dpi. Decoded, 40 megapixels take 160 MB, the
# most one receipt may cost; larger images are refused from their header, before any pixel is decoded.
MAX_MEGAPIXELS = 40
# Re-encoded photos are first reduced to this (~300 dpi across an A4 page): the work and the result stay small.
WORKING_LONGEST_SIDE = 4000
STRIP_ROWS = 256
READABLE_LONGEST_SIDE = 1000
SMALLEST_LONGEST_SIDE = 200
JPEG_QUALITIES = (85, 72, 60)
SCALE_STEP = 0.8
MAX_STEM_LENGTH = 100

# Pillow's plugins raise any of these on bytes whose header looks right but whose body does not decode.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)

# One image's pixels in memory at a time in the whole process, whichever thread checks it: with
# MAX_MEGAPIXELS this bounds what receipts can cost, however many arrive at once.
_DECODING = threading.Lock()

_ORIENTATIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class AcceptedReceipt:
    content: bytes
    file_name: str
    mime_type: str
    sha256: str
    converted_from: str | None
    downscaled: bool


class ReceiptRefused(DomainError):
    """The file cannot become a Xero attachment; `message` says why and what to send instead."""


class ReceiptDownloadFailed(ReceiptRefused):
    """The bytes are not the user's file but Slack's answer to a download the bot was not allowed to make."""


@dataclass(frozen=True)
class _Format:
    label: str
    extension: str
    mime_type: str
    pillow_format: str | None = None


JPEG = _Format("JPEG", ".jpg", "image/jpeg", "JPEG")
PNG = _Format("PNG", ".png", "image/png", "PNG")
GIF = _Format("GIF", ".gif", "image/gif", "GIF")
PDF = _Format("PDF", ".pdf", "application/pdf")
TIFF = _Format("TIFF", ".tif", "image/tiff", "TIFF")
BMP = _Format("BMP", ".bmp", "image/bmp", "BMP")
HEIC = _Format("HEIC", ".heic", "image/heic", "HEIF")
HEIF = _Format("HEIF", ".heif", "image/heif", "HEIF")
AVIF = _Format("AVIF", ".avif", "image/avif", "AVIF")
WEBP = _Format("WebP", ".webp", "image/webp", "WEBP")

# Xero infers an attachment's type from its extension and does not list these, so they become JPEGs.
_CONVERTED_TO_JPEG = frozenset({HEIC, HEIF, AVIF, WEBP})

_HEVC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_BMP_INFO_HEADER_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})


def check_receipt(content: bytes, original_name: str, *, max_bytes: int) -> AcceptedReceipt:
    """Return bytes Xero will accept as a receipt attachment, converted or shrunk if needed, or raise ReceiptRefused."""
    detected = detect_format(content)
    if detected is None:
        if _looks_like_html(content):
            raise ReceiptDownloadFailed(
                "The bot couldn't download that file from Slack: Slack sent a sign-in page instead, which usually "
                "means the bot's permission to read files (files:read) is missing. Please try again, and if it "
                "keeps happening ask a Slack admin to reinstall the bot."
            )
        raise ReceiptRefused(
            f"That file isn't a photo or PDF (it looks like {describe_content(content)}). "
            "Send a photo (JPEG, PNG, HEIC), or a PDF of the receipt."
        )
    if detected is PDF:
        if len(content) > max_bytes:
            raise ReceiptRefused(
                f"The PDF is {_size_text(len(content), round_up=True)}; Xero accepts receipts up to "
                f"{_size_text(max_bytes)}. Send a smaller PDF or a photo of the receipt."
            )
        if b"%%EOF" not in content[-1024:]:
            raise _damaged(PDF)
        return _accepted(content, original_name, PDF, converted_from=None, downscaled=False)

    converted = detected in _CONVERTED_TO_JPEG
    with _DECODING:
        if not converted and len(content) <= max_bytes:
            _decode(content, detected, longest_side=None)  # proves the pixels decode; the bytes are kept as sent
            return _accepted(content, original_name, detected, converted_from=None, downscaled=False)
        image, original_size = _decode(content, detected, longest_side=WORKING_LONGEST_SIDE)
        reduced = image.width * image.height < original_size[0] * original_size[1]
        if converted:
            first_try = _encode(_flatten_for_jpeg(image), JPEG)
            if len(first_try) <= max_bytes:
                return _accepted(first_try, original_name, JPEG, converted_from=detected.label, downscaled=reduced)
        png_bytes = None
        if detected is PNG:
            # What the PNG would weigh at the working size: PNG size follows the pixel count.
            png_bytes = len(content) * image.width * image.height // (original_size[0] * original_size[1])
        shrunk, shrunk_format = _shrink(image, max_bytes=max_bytes, png_bytes=png_bytes)
    return _accepted(
        shrunk,
        original_name,
        shrunk_format,
        converted_from=detected.label if converted else None,
        downscaled=True,
    )


def detect_format(content: bytes) -> _Format | None:
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


def safe_file_name(original_name: str, extension: str) -> str:
    """A readable name Xero and HTTP paths accept, always ending in `extension` (the real type's)."""
    name = re.split(r"[/\\]", original_name)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(" " if unicodedata.category(char).startswith("C") else char for char in name)
    name = re.sub(r"[:*?\"<>|#%&{}\[\]^~`;+]", " ", name)
    name = re.sub(r"\s+", " ", name).rstrip(" .")
    stem, dot, suffix = name.rpartition(".")
    if dot and re.fullmatch(r"[A-Za-z0-9]{1,5}", suffix):
        name = stem
    name = name.strip(" .-")[:MAX_STEM_LENGTH].rstrip(" .")
    return f"{name or 'receipt'}{extension}"


def _accepted(
    content: bytes, original_name: str, kind: _Format, *, converted_from: str | None, downscaled: bool
) -> AcceptedReceipt:
    return AcceptedReceipt(
        content=content,
        file_name=safe_file_name(original_name, kind.extension),
        mime_type=kind.mime_type,
        sha256=hashlib.sha256(content).hexdigest(),
        converted_from=converted_from,
        downscaled=downscaled,
    )


def _is_bmp(content: bytes) -> bool:
    if len(content) < 26 or not content.startswith(b"BM"):
        return False
    pixel_offset, info_header_size = struct.unpack_from("<II", content, 10)
    return info_header_size in _BMP_INFO_HEADER_SIZES and 14 + info_header_size <= pixel_offset <= len(content)


def _iso_media_format(content: bytes) -> _Format | None:
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


def _looks_like_html(content: bytes) -> bool:
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


@cache
def _register_heif_opener() -> None:
    pillow_heif.register_heif_opener()


def _decode(content: bytes, kind: _Format, *, longest_side: int | None) -> tuple[Image.Image, tuple[int, int]]:
    """The upright pixels, at most `longest_side` on the longest side (None: as small as proves they decode),
    and the image's full size. Nothing is decoded before its size is known to be within MAX_MEGAPIXELS."""
    if kind in (HEIC, HEIF):
        _register_heif_opener()
    try:
        # Only the detected format's decoder may parse the bytes, never whichever plugin claims them.
        image = Image.open(io.BytesIO(content), formats=[kind.pillow_format] if kind.pillow_format else None)
        width, height = original_size = image.size
        if width * height > MAX_MEGAPIXELS * 1_000_000:
            raise _too_many_pixels(width, height)
        factor = 8 if longest_side is None else max(1, math.ceil(max(original_size) / longest_side))
        if kind is JPEG and factor > 1:
            # libjpeg decodes at 1/2, 1/4 or 1/8 scale directly; the stream is still read to its end.
            image.draft(image.mode, (max(1, width // factor), max(1, height // factor)))
        image.load()
        if longest_side is None:
            return image, original_size
        orientation = _orientation(image)
        working = _reduced(image, math.ceil(max(image.size) / longest_side))
        del image
        method = _ORIENTATIONS.get(orientation)
        return (working.transpose(method) if method is not None else working), original_size
    except Image.DecompressionBombError as error:
        raise ReceiptRefused(
            "That image is far too large to open safely. Send a photo of the receipt at a normal camera "
            "resolution, or a PDF."
        ) from error
    except _DECODE_ERRORS as error:
        raise _damaged(kind) from error


def _damaged(kind: _Format) -> ReceiptRefused:
    return ReceiptRefused(
        f"That {kind.label} file seems to be damaged or incomplete, so the bot can't read it. "
        "Try sending it again, or send a different photo or a PDF of the receipt."
    )


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation, which re-encoding would otherwise lose; a broken EXIF block counts as upright."""
    try:
        return int(image.getexif().get(0x0112, 1))
    except (*_DECODE_ERRORS, TypeError):
        return 1


def _working_mode(image: Image.Image) -> str:
    if image.mode in ("1", "L"):
        return "L"
    if image.mode in ("LA", "La"):
        return "LA"
    if image.mode in ("RGBA", "RGBa", "PA") or (image.mode == "P" and "transparency" in image.info):
        return "RGBA"
    return "RGB"


def _reduced(image: Image.Image, factor: int) -> Image.Image:
    """A copy `factor` times smaller (box average), made strip by strip so that no second full-size copy of the
    pixels exists at any moment (Pillow's own reduce and convert each copy the whole image first)."""
    mode = _working_mode(image)
    if factor <= 1:
        return image if image.mode == mode else image.convert(mode)
    width, height = image.size
    reduced = Image.new(mode, (math.ceil(width / factor), math.ceil(height / factor)))
    rows = STRIP_ROWS * factor
    for top in range(0, height, rows):
        strip = image.crop((0, top, width, min(height, top + rows)))
        if strip.mode != mode:
            strip = strip.convert(mode)
        reduced.paste(strip.reduce(factor), (0, top // factor))
    return reduced


def _too_many_pixels(width: int, height: int) -> ReceiptRefused:
    megapixels = width * height / 1_000_000
    return ReceiptRefused(
        f"That image is {width} by {height} pixels ({megapixels:.0f} megapixels), more than the "
        f"{MAX_MEGAPIXELS} megapixels the bot will open. Send a photo of the receipt at a normal camera "
        "resolution, or a PDF."
    )


def _shrink(image: Image.Image, *, max_bytes: int, png_bytes: int | None) -> tuple[bytes, _Format]:
    """Re-encode until it fits: a PNG of `png_bytes` once as a smaller PNG, else JPEG, lowering quality, then size."""
    sides = list(_longest_sides(max(image.size)))
    if png_bytes is not None:
        # PNG size follows the pixel count; one encode (they are slow) at the first readable size that should fit.
        readable = [side for side in sides[1:] if side >= min(READABLE_LONGEST_SIDE, sides[0])]
        side = next((side for side in readable if png_bytes * (side / sides[0]) ** 2 <= max_bytes * 0.9), None)
        if side is not None:
            encoded = _encode(_resized(_flatten_for_png(image), side), PNG)
            if len(encoded) <= max_bytes:
                return encoded, PNG
    photo = _flatten_for_jpeg(image)
    for side in sides:
        resized = _resized(photo, side)
        for quality in JPEG_QUALITIES:
            encoded = _encode(resized, JPEG, quality)
            if len(encoded) <= max_bytes:
                return encoded, JPEG
    raise ReceiptRefused(
        f"The bot couldn't make that image smaller than {_size_text(max_bytes)}, the most Xero accepts. "
        "Send a smaller photo or a PDF of the receipt."
    )


def _longest_sides(original: int) -> Iterator[int]:
    """The original size, then steps of 0.8 down to a readable size, and below it only while still too big."""
    side = original
    yield side
    while side > READABLE_LONGEST_SIDE:
        side = max(READABLE_LONGEST_SIDE, math.floor(side * SCALE_STEP))
        yield side
    while side * SCALE_STEP >= SMALLEST_LONGEST_SIDE:
        side = math.floor(side * SCALE_STEP)
        yield side


def _resized(image: Image.Image, longest_side: int) -> Image.Image:
    if longest_side >= max(image.size):
        return image
    scale = longest_side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _flatten_for_jpeg(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: lay transparent pixels on white (not black) so the receipt stays legible."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _flatten_for_png(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "RGBA", "L", "LA", "P", "1"):
        return image
    return image.convert("RGBA" if "A" in image.getbands() else "RGB")


def _encode(image: Image.Image, kind: _Format, quality: int = JPEG_QUALITIES[0]) -> bytes:
    buffer = io.BytesIO()
    if kind is JPEG:
        image.save(buffer, "JPEG", quality=quality, optimize=True)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def _size_text(size: int, *, round_up: bool = False) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < MEGABYTE:
        return f"{math.ceil(size / 1024) if round_up else size // 1024} KB"
    megabytes = size / MEGABYTE
    if round_up:
        megabytes = math.ceil(megabytes * 10) / 10
    elif megabytes == int(megabytes):
        return f"{int(megabytes)} MB"
    return f"{megabytes:.1f} MB"
