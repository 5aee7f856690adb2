"""Bytes decide what a receipt is: real files in, what Xero would receive (or what the user is told) out."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import time
import zlib
from typing import Any

import pillow_heif
import pytest
from PIL import Image

from bot.receipts.errors import ReceiptDownloadFailed, ReceiptRefused
from bot.receipts.files import AcceptedReceipt, check_receipt, safe_file_name
from bot.receipts.images import WORKING_LONGEST_SIDE

MB = 1024 * 1024
LIMIT = 10 * MB

MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)

SLACK_LOGIN_PAGE = (
    b'\xef\xbb\xbf\n  <!DOCTYPE html>\n<html lang="en-US"><head><title>Slack</title></head>'
    b"<body>Sign in to your workspace</body></html>"
)


def encoded(image: Image.Image, pillow_format: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, pillow_format, **options)
    return buffer.getvalue()


def receipt_image(size: tuple[int, int] = (120, 80), mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, size, "white")
    image.paste("black", (10, 10, size[0] // 2, 20))
    return image


def noise(width: int, height: int) -> Image.Image:
    return Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))


def heic(image: Image.Image, **options: Any) -> bytes:
    pillow_heif.register_heif_opener()
    return encoded(image, "HEIF", **options)


def decoded(receipt: AcceptedReceipt) -> Image.Image:
    image = Image.open(io.BytesIO(receipt.content))
    image.load()
    return image


def refusal(content: bytes, name: str = "receipt.jpg", max_bytes: int = LIMIT) -> str:
    with pytest.raises(ReceiptRefused) as refused:
        check_receipt(content, name, max_bytes=max_bytes)
    return refused.value.message


def png_claiming_size(width: int, height: int) -> bytes:
    """A real 1x1 PNG whose header claims another size: Pillow reads the header without decoding."""
    png = bytearray(encoded(Image.new("L", (1, 1)), "PNG"))
    struct.pack_into(">II", png, 16, width, height)
    struct.pack_into(">I", png, 29, zlib.crc32(png[12:29]))
    return bytes(png)


@pytest.mark.parametrize(
    ("pillow_format", "name", "expected_name", "mime_type"),
    [
        ("JPEG", "IMG_0001.JPG", "IMG_0001.jpg", "image/jpeg"),
        ("PNG", "Screenshot 2024-05-01.jpg", "Screenshot 2024-05-01.png", "image/png"),
        ("GIF", "lunch.gif", "lunch.gif", "image/gif"),
        ("TIFF", "scan.tiff", "scan.tif", "image/tiff"),
        ("BMP", "paint", "paint.bmp", "image/bmp"),
    ],
)
def test_a_supported_image_is_passed_through_untouched_with_the_extension_of_its_real_type(
    pillow_format: str, name: str, expected_name: str, mime_type: str
) -> None:
    content = encoded(receipt_image(), pillow_format)

    receipt = check_receipt(content, name, max_bytes=LIMIT)

    assert receipt == AcceptedReceipt(
        content=content,
        file_name=expected_name,
        mime_type=mime_type,
        sha256=hashlib.sha256(content).hexdigest(),
        converted_from=None,
        downscaled=False,
    )


def test_a_pdf_is_a_file_that_starts_with_the_pdf_header_and_ends_with_its_trailer() -> None:
    receipt = check_receipt(MINIMAL_PDF, "Invoice #42.PDF", max_bytes=LIMIT)

    assert (receipt.mime_type, receipt.file_name, receipt.downscaled) == ("application/pdf", "Invoice 42.pdf", False)


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        (b"MZ\x90\x00" + bytes(60) + MINIMAL_PDF + bytes(4000), "a Windows program"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><!-- %PDF-1.4 --><script>alert(1)</script></svg>', "an SVG drawing"),
        (b"\r\n" * 100 + MINIMAL_PDF, "a text file"),
        (b"%PDF-x" + MINIMAL_PDF[6:], "a text file"),
    ],
)
def test_a_pdf_header_anywhere_but_at_the_start_does_not_make_a_pdf(content: bytes, looks_like: str) -> None:
    assert f"it looks like {looks_like}" in refusal(content, "receipt.pdf")


def test_a_pdf_without_its_end_of_file_trailer_is_refused_as_incomplete() -> None:
    assert refusal(MINIMAL_PDF[:-7], "scan.pdf") == (
        "That PDF file seems to be damaged or incomplete, so the bot can't read it. "
        "Try sending it again, or send a different photo or a PDF of the receipt."
    )


def test_a_heic_photo_becomes_an_upright_jpeg_even_when_named_jpg() -> None:
    portrait_exif = Image.Exif()
    portrait_exif[0x0112] = 6  # rotate 90°: stored 120x80, shown 80x120
    content = heic(receipt_image(), exif=portrait_exif.tobytes())
    assert content[4:12] == b"ftypheic"

    receipt = check_receipt(content, "IMG_4031.JPG", max_bytes=LIMIT)

    assert (receipt.file_name, receipt.mime_type, receipt.converted_from) == ("IMG_4031.jpg", "image/jpeg", "HEIC")
    assert not receipt.downscaled
    image = decoded(receipt)
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (80, 120))
    assert receipt.sha256 == hashlib.sha256(receipt.content).hexdigest()


def test_a_webp_becomes_an_upright_jpeg_with_transparency_on_white() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    transparent = Image.new("RGBA", (120, 80), (0, 0, 0, 0))
    content = encoded(transparent, "WEBP", lossless=True, exif=exif.tobytes())

    receipt = check_receipt(content, "receipt.webp", max_bytes=LIMIT)

    assert (receipt.file_name, receipt.converted_from, receipt.downscaled) == ("receipt.jpg", "WebP", False)
    image = decoded(receipt)
    assert (image.format, image.size) == ("JPEG", (80, 120))
    assert min(image.getpixel((40, 60))) >= 250  # type: ignore[arg-type]


def test_an_avif_becomes_a_jpeg() -> None:
    receipt = check_receipt(encoded(receipt_image(), "AVIF"), "photo.avif", max_bytes=LIMIT)

    assert (receipt.file_name, receipt.converted_from, decoded(receipt).format) == ("photo.jpg", "AVIF", "JPEG")


def test_a_15_mb_photo_is_downscaled_under_the_limit_and_stays_a_readable_jpeg() -> None:
    content = encoded(noise(5000, 4000), "JPEG", quality=92)
    assert len(content) > 15 * MB

    started = time.perf_counter()
    receipt = check_receipt(content, "IMG_2201.jpeg", max_bytes=LIMIT)
    elapsed = time.perf_counter() - started

    assert receipt.downscaled and receipt.converted_from is None
    assert len(receipt.content) <= LIMIT
    assert (receipt.file_name, receipt.mime_type) == ("IMG_2201.jpg", "image/jpeg")
    image = decoded(receipt)
    assert image.format == "JPEG"
    assert 1000 <= max(image.size) <= 5000
    assert image.width / image.height == pytest.approx(5000 / 4000, rel=0.01)
    assert elapsed < 5


def test_shrinking_lowers_size_in_steps_but_keeps_a_readable_size_when_that_is_enough() -> None:
    content = encoded(noise(3000, 2000), "TIFF")

    receipt = check_receipt(content, "photo.tif", max_bytes=MB)

    image = decoded(receipt)
    assert len(receipt.content) <= MB and image.format == "JPEG"
    assert 1000 <= image.width < 3000


def test_shrinking_goes_below_a_readable_size_only_when_it_must() -> None:
    receipt = check_receipt(encoded(noise(1500, 1000), "BMP"), "scan.bmp", max_bytes=60_000)

    image = decoded(receipt)
    assert len(receipt.content) <= 60_000
    assert max(image.size) < 1000
    assert receipt.file_name == "scan.jpg"


def test_a_png_over_the_limit_stays_a_png_when_a_smaller_png_fits() -> None:
    content = encoded(noise(1300, 1000), "PNG")

    receipt = check_receipt(content, "screenshot.png", max_bytes=len(content) * 3 // 4)

    image = decoded(receipt)
    assert (receipt.file_name, receipt.mime_type, image.format) == ("screenshot.png", "image/png", "PNG")
    assert receipt.downscaled and 1000 <= image.width < 1300


def test_an_exif_rotated_jpeg_stays_upright_when_shrunk() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    content = encoded(noise(400, 200), "JPEG", quality=95, exif=exif.tobytes())

    receipt = check_receipt(content, "sideways.jpg", max_bytes=len(content) - 1)

    image = decoded(receipt)
    assert image.width < image.height
    assert image.getexif().get(0x0112, 1) == 1


def test_an_animated_gif_keeps_its_first_frame_when_shrunk() -> None:
    red, blue = Image.new("RGB", (300, 200), "red"), Image.new("RGB", (300, 200), "blue")
    frames = [red, blue, *(noise(300, 200) for _ in range(3))]
    content = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)

    receipt = check_receipt(content, "receipt.gif", max_bytes=len(content) // 2)

    image = decoded(receipt)
    assert (receipt.file_name, image.format, getattr(image, "n_frames", 1)) == ("receipt.jpg", "JPEG", 1)
    r, g, b = image.getpixel((150, 100))  # type: ignore[misc]
    assert r > 200 and g < 60 and b < 60


def test_a_transparent_image_is_flattened_on_white_when_it_must_become_a_jpeg() -> None:
    image = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    image.paste(noise(600, 200).convert("RGBA"), (0, 200))
    content = encoded(image, "TIFF")

    receipt = check_receipt(content, "receipt.tiff", max_bytes=len(content) // 4)

    shrunk = decoded(receipt)
    assert shrunk.format == "JPEG"
    assert min(shrunk.getpixel((10, 10))) >= 250  # type: ignore[arg-type]


def test_an_image_that_cannot_be_made_small_enough_is_refused() -> None:
    assert refusal(encoded(receipt_image(), "PNG"), max_bytes=100) == (
        "The bot couldn't make that image smaller than 100 bytes, the most Xero accepts. "
        "Send a smaller photo or a PDF of the receipt."
    )


def test_a_pdf_over_the_limit_is_refused_with_its_size_and_the_limit() -> None:
    big_pdf = MINIMAL_PDF + b"%" + b"0" * (20 * MB - len(MINIMAL_PDF) - 1)

    assert refusal(big_pdf, "statement.pdf") == (
        "The PDF is 20.0 MB; Xero accepts receipts up to 10 MB. Send a smaller PDF or a photo of the receipt."
    )


def test_a_pdf_just_over_the_limit_never_reads_as_within_it() -> None:
    message = refusal(MINIMAL_PDF + b"0" * (LIMIT + 10_000), "statement.pdf")

    assert message.startswith("The PDF is 10.1 MB; Xero accepts receipts up to 10 MB.")


@pytest.mark.parametrize(
    "page",
    [SLACK_LOGIN_PAGE, b"<html><body>Redirecting</body></html>", b"\r\n\t<!doctype HTML><title>x</title>"],
)
def test_slacks_sign_in_page_is_reported_as_the_bots_failed_download_not_the_users_file(page: bytes) -> None:
    with pytest.raises(ReceiptDownloadFailed) as refused:
        check_receipt(page, "IMG_0001.jpg", max_bytes=LIMIT)

    assert refused.value.message == (
        "The bot couldn't download that file from Slack: Slack sent a sign-in page instead, which usually means "
        "the bot's permission to read files (files:read) is missing. Please try again, and if it keeps happening "
        "ask a Slack admin to reinstall the bot."
    )


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200), "a Windows program"),
        (b"PK\x03\x04\x14\x00\x00\x00" + bytes(100), "a ZIP archive or an Office document"),
        (b"Total: $12.50\nThanks for shopping!\n", "a text file"),
        (b"", "an empty file"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "a video"),
        (b"BMW invoice 2024, see attached", "a text file"),
        (bytes(range(256)) * 4, "a kind of file the bot doesn't recognise"),
    ],
)
def test_anything_that_is_not_a_photo_or_pdf_is_refused_saying_what_it_looks_like(
    content: bytes, looks_like: str
) -> None:
    assert refusal(content, "receipt.jpg") == (
        f"That file isn't a photo or PDF (it looks like {looks_like}). "
        "Send a photo (JPEG, PNG, HEIC), or a PDF of the receipt."
    )


@pytest.mark.parametrize(
    ("content", "label"),
    [
        (b"\xff\xd8\xff\xe0" + b"garbage" * 50, "JPEG"),
        (encoded(receipt_image((400, 400)), "PNG")[:200], "PNG"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64), "HEIC"),
    ],
)
def test_a_damaged_image_is_refused_with_a_clear_message(content: bytes, label: str) -> None:
    assert refusal(content) == (
        f"That {label} file seems to be damaged or incomplete, so the bot can't read it. "
        "Try sending it again, or send a different photo or a PDF of the receipt."
    )


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_an_image_over_40_megapixels_is_refused_before_it_is_decoded() -> None:
    assert refusal(png_claiming_size(8_000, 6_000)) == (
        "That image is 8000 by 6000 pixels (48 megapixels), more than the 40 megapixels the bot will open. "
        "Send a photo of the receipt at a normal camera resolution, or a PDF."
    )
    assert "too large to open safely" in refusal(png_claiming_size(40_000, 40_000))


def test_a_large_photo_that_must_shrink_is_reduced_to_a_receipts_working_size_first() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    photo = receipt_image((7000, 5000))
    photo.paste(noise(7000, 300), (0, 4700))
    content = encoded(photo, "JPEG", quality=90, exif=exif.tobytes())

    receipt = check_receipt(content, "big.jpg", max_bytes=len(content) - 1)

    image = decoded(receipt)
    assert receipt.downscaled and len(receipt.content) < len(content)
    assert image.size[0] < image.size[1] <= WORKING_LONGEST_SIDE, "upright, and no larger than a receipt needs"
    assert image.getpixel((image.width // 2, image.height // 2)) == pytest.approx((255, 255, 255), abs=8)


@pytest.mark.parametrize("mode", ["RGBA", "P", "LA", "1", "I;16"])
def test_a_large_png_in_any_mode_that_must_shrink_is_reduced_strip_by_strip(mode: str) -> None:
    image = Image.new(mode, (6001, 4001))
    content = encoded(image, "PNG", compress_level=1)

    receipt = check_receipt(content, "scan.png", max_bytes=len(content) - 1)

    shrunk = decoded(receipt)
    assert max(shrunk.size) <= WORKING_LONGEST_SIDE and shrunk.width / shrunk.height == pytest.approx(1.5, rel=0.01)


@pytest.mark.parametrize(
    ("original_name", "extension", "expected"),
    [
        ("../../etc/passwd", ".jpg", "passwd.jpg"),
        ("C:\\Users\\ana\\Desktop\\taxi.jpeg", ".jpg", "taxi.jpg"),
        ("rece ipt .", ".png", "rece ipt.png"),
        ("<script>.jpg", ".jpg", "script.jpg"),
        ("no extension", ".pdf", "no extension.pdf"),
        ("lunch 12:30 #team & co {v2}?.HEIC", ".jpg", "lunch 12 30 team co v2.jpg"),
        ("tab\there\nnewline\x00null\u202egpj.exe", ".jpg", "tab here newline null gpj.jpg"),
        ("Café receipt  .pdf  ", ".pdf", "Café receipt.pdf"),
        ("Joe's taxi (airport) 1+1!.png", ".png", "Joe's taxi (airport) 1 1!.png"),
        ("report.final.v2.docx", ".pdf", "report.final.v2.pdf"),
        ("", ".gif", "receipt.gif"),
        (".jpg", ".jpg", "receipt.jpg"),
        ("...", ".tif", "receipt.tif"),
        ("%%%", ".bmp", "receipt.bmp"),
    ],
)
def test_file_names_are_made_safe_and_always_end_with_the_real_types_extension(
    original_name: str, extension: str, expected: str
) -> None:
    assert safe_file_name(original_name, extension) == expected


def test_a_very_long_name_is_cut_to_a_readable_length_without_a_trailing_space() -> None:
    name = safe_file_name(("word " * 60) + ".jpg", ".jpg")

    assert name.endswith("word.jpg") and len(name) <= 104
    assert check_receipt(MINIMAL_PDF, "a" * 300, max_bytes=LIMIT).file_name == "a" * 100 + ".pdf"
