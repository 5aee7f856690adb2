"""A PDF's own text, when it has some, and its pages as images for OCR when it has none (a scan).

pdfium is not thread-safe, not even across documents, so every call into it holds one lock."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pypdfium2 as pdfium
from PIL import Image

from bot.receipts.reading.lines import Line, Segment, group_lines

PDFIUM = threading.Lock()
MAX_PAGES = 3  # a receipt's fields are on its first pages; a long statement is not read to its end
MAX_PAGES_IN_FILE = 500  # more than this is not a receipt, and opening every page would be the cost
MAX_SEGMENTS_PER_PAGE = 5000
MIN_TEXT_CHARACTERS = 20  # fewer than this on the pages read: a scan (or a photo) in a PDF wrapper
RENDER_PIXELS = 4_000_000  # a page drawn for OCR: an A4 page at ~200 dpi, a long till roll at its full width
RENDER_LONGEST_SIDE = 4000
MAX_PAGE_POINTS = 5000  # ~1.8 m: no receipt page is larger; a crafted page size would make a huge render


class UnreadablePdf(Exception):
    """The PDF cannot be opened or read; the message says why in a person's words."""


@contextmanager
def opened(content: bytes) -> Iterator[pdfium.PdfDocument]:
    try:
        document = pdfium.PdfDocument(content)
    except pdfium.PdfiumError as error:
        raise UnreadablePdf(_why(error)) from error
    try:
        if len(document) == 0:
            raise UnreadablePdf("The PDF has no pages.")
        if len(document) > MAX_PAGES_IN_FILE:
            raise UnreadablePdf(f"The PDF has {len(document)} pages, too many for a receipt to be read.")
        yield document
    finally:
        document.close()


def text_lines(content: bytes) -> tuple[list[Line], int]:
    """The text layer's lines of the first pages, and how many pages were read; no lines for a scanned PDF."""
    lines: list[Line] = []
    with PDFIUM, opened(content) as document:
        pages = min(len(document), MAX_PAGES)
        for index in range(pages):
            lines.extend(_page_lines(document, index))
    if sum(len(line.text) for line in lines) < MIN_TEXT_CHARACTERS:
        return [], pages
    return lines, pages


def page_images(content: bytes) -> list[Image.Image]:
    """The first pages drawn in at most RENDER_PIXELS (and RENDER_LONGEST_SIDE on the longest side), for OCR."""
    images = []
    with PDFIUM, opened(content) as document:
        for index in range(min(len(document), MAX_PAGES)):
            page = document[index]
            try:
                width, height = page.get_size()
                if not (0 < width <= MAX_PAGE_POINTS and 0 < height <= MAX_PAGE_POINTS):
                    raise UnreadablePdf("A page of the PDF has an impossible size.")
                scale = min(RENDER_LONGEST_SIDE / max(width, height), math.sqrt(RENDER_PIXELS / (width * height)))
                bitmap = page.render(scale=scale, grayscale=True)
                try:
                    images.append(bitmap.to_pil().copy())  # to_pil shares pdfium's buffer, freed with the bitmap
                finally:
                    bitmap.close()
            finally:
                page.close()
    return images


def _page_lines(document: pdfium.PdfDocument, index: int) -> list[Line]:
    page = document[index]
    try:
        _, page_height = page.get_size()
        textpage = page.get_textpage()
        try:
            segments = []
            for rect in range(min(textpage.count_rects(), MAX_SEGMENTS_PER_PAGE)):
                left, bottom, right, top = textpage.get_rect(rect)
                text = textpage.get_text_bounded(left, bottom, right, top)
                height = max(top - bottom, 1.0)
                segments.append(Segment(text, left, page_height - (top + bottom) / 2, height))
            return group_lines(segments)
        finally:
            textpage.close()
    finally:
        page.close()


def _why(error: pdfium.PdfiumError) -> str:
    text = str(error).lower()
    if "password" in text:
        return "The PDF is protected by a password, so it cannot be read."
    if "format" in text or "file" in text:
        return "The PDF is damaged or not really a PDF, so it cannot be read."
    return "The PDF cannot be opened, so it cannot be read."
