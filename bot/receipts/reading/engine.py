"""Reading one receipt file: a PDF's own text when it has some, OCR for photos and scans; bounded in pixels, pages
and time, and never an exception for a hostile file, only a reading whose `problem` says what went wrong."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from PIL import Image

from bot.receipts.errors import ReceiptRefused
from bot.receipts.formats import PDF, describe_content, detect_format
from bot.receipts.images import DECODING, WORKING_LONGEST_SIDE, decode
from bot.receipts.reading import ocr, pdf
from bot.receipts.reading.fields import reading_of
from bot.receipts.reading.lines import Line
from bot.receipts.reading.model import ReceiptReading, unreadable

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 25 * 1024 * 1024
# Past this, no further page is started: what was read so far is the reading.
TIME_BUDGET_SECONDS = 20.0


def read_receipt(data: bytes, content_type: str | None = None) -> ReceiptReading:
    """The fields of the receipt in `data`. Its bytes decide what it is; `content_type` (Slack's word for it) only
    names it when the bytes are nothing the bot reads."""
    started = time.monotonic()
    try:
        reading = _read(data, content_type, deadline=started + TIME_BUDGET_SECONDS)
    except ReceiptRefused as refused:
        reading = unreadable(refused.message)
    except pdf.UnreadablePdf as error:
        reading = unreadable(str(error))
    except Exception:  # the last guard of a background job: a crafted file must not take the worker down
        logger.exception("reading a receipt failed")
        reading = unreadable("The receipt could not be read: the file made the reader fail.")
    return _timed(reading, time.monotonic() - started)


def _read(data: bytes, content_type: str | None, *, deadline: float) -> ReceiptReading:
    if len(data) > MAX_FILE_BYTES:
        return unreadable(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, too large to read.")
    kind = detect_format(data)
    if kind is None:
        declared = f" (sent as {content_type})" if content_type else ""
        return unreadable(f"The file is not a photo or a PDF{declared}: it looks like {describe_content(data)}.")
    if kind is PDF:
        return _read_pdf(data, deadline=deadline)
    with DECODING:
        image, _ = decode(data, kind, longest_side=WORKING_LONGEST_SIDE)
        image = ocr.within(image, ocr.READ_PIXELS)  # only this smaller copy outlives the lock
    return _ocr_pages([image], deadline=deadline)


def _read_pdf(data: bytes, *, deadline: float) -> ReceiptReading:
    """The PDF's own text; its pages by OCR when it has none, or when its text gives neither a total nor a date (a
    scan under a few words of text, or fonts whose letters the PDF does not map to text)."""
    lines, pages = pdf.text_lines(data)
    from_text = reading_of(lines, engine="text layer", pages_read=pages) if lines else None
    if from_text is not None and (from_text.total is not None or from_text.date is not None):
        return from_text
    from_pixels = _ocr_pages(pdf.page_images(data), deadline=deadline)
    if from_text is None or _fields_found(from_pixels) > _fields_found(from_text):
        return from_pixels
    return from_text


def _fields_found(reading: ReceiptReading) -> int:
    fields = (reading.total, reading.currency, reading.date, reading.merchant, reading.tax, reading.number)
    return sum(value is not None for value in fields)


def _ocr_pages(images: list[Image.Image], *, deadline: float) -> ReceiptReading:
    lines: list[Line] = []
    pages = 0
    for image in images:
        if time.monotonic() > deadline:
            break
        lines.extend(ocr.image_lines(image))
        pages += 1
    return reading_of(lines, engine="ocr", pages_read=pages)


def _timed(reading: ReceiptReading, seconds: float) -> ReceiptReading:
    return replace(reading, seconds=round(seconds, 3))
