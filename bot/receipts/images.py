"""Opening receipt images safely and making them small enough for Xero: bounded pixels, upright, re-encoded."""

from __future__ import annotations

import io
import math
import struct
import threading
from collections.abc import Iterator
from functools import cache

import pillow_heif
from PIL import Image

from bot.receipts.errors import ReceiptRefused
from bot.receipts.formats import HEIC, HEIF, JPEG, PNG, FileFormat

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

# Pillow's plugins raise any of these on bytes whose header looks right but whose body does not decode.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)

# One image's pixels in memory at a time in the whole process, whichever thread checks or reads it (OCR's search
# for text holds it too, bot/receipts/reading/ocr.py): with MAX_MEGAPIXELS this bounds what receipts can cost,
# however many arrive at once.
DECODING = threading.Lock()

_ORIENTATIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@cache
def _register_heif_opener() -> None:
    pillow_heif.register_heif_opener()


def decode(content: bytes, kind: FileFormat, *, longest_side: int | None) -> tuple[Image.Image, tuple[int, int]]:
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
        raise damaged(kind) from error


def damaged(kind: FileFormat) -> ReceiptRefused:
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


def shrink(image: Image.Image, *, max_bytes: int, png_bytes: int | None) -> tuple[bytes, FileFormat]:
    """Re-encode until it fits: a PNG of `png_bytes` once as a smaller PNG, else JPEG, lowering quality, then size."""
    sides = list(_longest_sides(max(image.size)))
    if png_bytes is not None:
        # PNG size follows the pixel count; one encode (they are slow) at the first readable size that should fit.
        readable = [side for side in sides[1:] if side >= min(READABLE_LONGEST_SIDE, sides[0])]
        side = next((side for side in readable if png_bytes * (side / sides[0]) ** 2 <= max_bytes * 0.9), None)
        if side is not None:
            encoded = encode(_resized(_flatten_for_png(image), side), PNG)
            if len(encoded) <= max_bytes:
                return encoded, PNG
    photo = flatten_for_jpeg(image)
    for side in sides:
        resized = _resized(photo, side)
        for quality in JPEG_QUALITIES:
            encoded = encode(resized, JPEG, quality)
            if len(encoded) <= max_bytes:
                return encoded, JPEG
    raise ReceiptRefused(
        f"The bot couldn't make that image smaller than {size_text(max_bytes)}, the most Xero accepts. "
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


def flatten_for_jpeg(image: Image.Image) -> Image.Image:
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


def encode(image: Image.Image, kind: FileFormat, quality: int = JPEG_QUALITIES[0]) -> bytes:
    buffer = io.BytesIO()
    if kind is JPEG:
        image.save(buffer, "JPEG", quality=quality, optimize=True)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def size_text(size: int, *, round_up: bool = False) -> str:
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
