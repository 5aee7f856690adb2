"""Reading whole receipt files: a digital PDF from its text, a photo by OCR, and hostile files that must give a
reading with a problem, never an exception."""

from __future__ import annotations

import io
import random
import struct
import threading
import zlib
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from fpdf import FPDF

from bot.receipts.reading import ReadingPool, ReceiptReading, read_receipt
from bot.receipts.reading.pdf import MAX_PAGES_IN_FILE
from tests.receipt_rendering import digital_pdf, jpeg, photo, render
from tests.receipt_samples import LOCALES, content


def test_a_digital_pdf_invoice_is_read_from_its_text_layer() -> None:
    rng = random.Random(7)
    invoice = content(rng, "invoice", LOCALES[3])  # German: 1.234,56 €, DD.MM.YYYY, MwSt
    reading = read_receipt(digital_pdf(invoice, rng), "application/pdf")
    truth = invoice.truth
    assert reading.engine == "text layer" and reading.problem is None
    assert (reading.total, reading.tax, reading.currency) == (truth.total, truth.tax, "EUR")
    assert (reading.date, reading.number, reading.merchant) == (truth.date, truth.number, truth.merchant)
    assert reading.confidence.total >= 0.95


def test_a_photo_of_a_till_receipt_is_read_by_ocr() -> None:
    rng = random.Random(3)
    receipt = content(rng, "till", LOCALES[0])
    reading = read_receipt(jpeg(photo(render(receipt, rng), rng), rng), "image/jpeg")
    assert reading.engine == "ocr" and reading.problem is None
    assert (reading.total, reading.currency, reading.date) == (receipt.truth.total, "SGD", receipt.truth.date)


def test_a_scan_under_a_line_of_text_is_read_by_ocr() -> None:
    """Scanner apps stamp a line of real text on the page; the receipt itself is still only pixels."""
    rng = random.Random(5)
    receipt = content(rng, "till", LOCALES[2])
    document = FPDF(unit="mm", format=(80, 200))
    document.add_page()
    document.image(render(receipt, rng), x=0, y=10, w=80)
    document.set_font("Helvetica", size=7)
    document.text(4, 6, "Scanned with PocketScan Pro - page 1 of 1")
    reading = read_receipt(bytes(document.output()), "application/pdf")
    assert reading.engine == "ocr"
    assert (reading.total, reading.date) == (receipt.truth.total, receipt.truth.date)


def pdf_with_pages(count: int, side: float = 200) -> bytes:
    document = pdfium.PdfDocument.new()
    for _ in range(count):
        document.new_page(side, side)
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    return buffer.getvalue()


def locked_pdf() -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("Helvetica", size=12)
    document.text(10, 10, "Total 12.00")
    document.set_encryption(owner_password="owner", user_password="secret")
    return bytes(document.output())


def huge_png() -> bytes:
    """A PNG whose header says 30,000 by 30,000 pixels (900 megapixels), in a few bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 30_000, 30_000, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 30_001))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00 not a receipt", "Windows program"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "damaged"),
        (b"%PDF-1.7\n garbage", "PDF"),
        (pdf_with_pages(MAX_PAGES_IN_FILE + 1), "pages"),
        (pdf_with_pages(2), "No text could be read"),
        (pdf_with_pages(1, side=14_400), "impossible size"),  # 5 m square: drawn, it would be gigapixels
        (locked_pdf(), "password"),
    ],
    ids=["empty", "program", "broken-jpeg", "broken-pdf", "page-bomb", "blank-pages", "huge-page", "password"],
)
def test_hostile_or_empty_files_give_a_problem_not_an_exception(data: bytes, words: str) -> None:
    reading = read_receipt(data, "image/jpeg")
    assert reading.problem is not None and words in reading.problem
    assert not reading.found_anything


def test_an_image_too_large_to_open_is_refused_from_its_header() -> None:
    reading = read_receipt(huge_png(), "image/png")
    assert reading.problem is not None and "too large" in reading.problem


def test_the_pool_reads_off_the_caller_thread_and_hands_each_reading_back() -> None:
    done: dict[int, tuple[ReceiptReading, str]] = {}
    finished = threading.Event()

    def on_read(receipt_id: int, reading: ReceiptReading) -> None:
        done[receipt_id] = (reading, threading.current_thread().name)
        if len(done) == 2:
            finished.set()

    rng = random.Random(11)
    files = [digital_pdf(content(rng, "till", LOCALES[index]), rng) for index in (1, 2)]
    pool = ReadingPool(workers=1, backlog=1)
    try:
        assert all(pool.submit(index, data, "application/pdf", on_read) for index, data in enumerate(files))
        assert finished.wait(60)
    finally:
        pool.shutdown()
    assert all(reading.total and reading.total > Decimal(0) for reading, _ in done.values())
    assert all(name.startswith("receipt-reading") for _, name in done.values())


def test_a_full_pool_says_no_at_once_and_a_stopped_one_takes_nothing() -> None:
    release = threading.Event()

    def slow_reader(data: bytes, content_type: str | None) -> ReceiptReading:
        release.wait(10)
        return ReceiptReading()

    pool = ReadingPool(workers=1, backlog=1, reader=slow_reader)
    try:
        assert pool.submit(1, b"", None, lambda *_: None)
        assert pool.submit(2, b"", None, lambda *_: None)
        assert not pool.submit(3, b"", None, lambda *_: None)
    finally:
        release.set()
        pool.shutdown()
    assert not pool.submit(4, b"", None, lambda *_: None)
