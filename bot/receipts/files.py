"""Decide whether downloaded bytes are a receipt Xero will take, and make them so.

The bytes decide, never the file name or Slack's mimetype: a renamed .exe stays refused, an iPhone
HEIC becomes a JPEG, and Slack's sign-in page (what a download without `files:read` returns) is
reported as the bot's failure rather than the user's.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from bot.receipts.errors import ReceiptDownloadFailed, ReceiptRefused
from bot.receipts.formats import (
    CONVERTED_TO_JPEG,
    JPEG,
    PDF,
    PNG,
    FileFormat,
    describe_content,
    detect_format,
    looks_like_html,
)
from bot.receipts.images import (
    DECODING,
    WORKING_LONGEST_SIDE,
    damaged,
    decode,
    encode,
    flatten_for_jpeg,
    shrink,
    size_text,
)

MAX_STEM_LENGTH = 100


@dataclass(frozen=True)
class AcceptedReceipt:
    content: bytes
    file_name: str
    mime_type: str
    sha256: str
    converted_from: str | None
    downscaled: bool


def check_receipt(content: bytes, original_name: str, *, max_bytes: int) -> AcceptedReceipt:
    """Return bytes Xero will accept as a receipt attachment, converted or shrunk if needed, or raise ReceiptRefused."""
    detected = detect_format(content)
    if detected is None:
        if looks_like_html(content):
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
                f"The PDF is {size_text(len(content), round_up=True)}; Xero accepts receipts up to "
                f"{size_text(max_bytes)}. Send a smaller PDF or a photo of the receipt."
            )
        if b"%%EOF" not in content[-1024:]:
            raise damaged(PDF)
        return _accepted(content, original_name, PDF, converted_from=None, downscaled=False)

    converted = detected in CONVERTED_TO_JPEG
    with DECODING:
        if not converted and len(content) <= max_bytes:
            decode(content, detected, longest_side=None)  # proves the pixels decode; the bytes are kept as sent
            return _accepted(content, original_name, detected, converted_from=None, downscaled=False)
        image, original_size = decode(content, detected, longest_side=WORKING_LONGEST_SIDE)
        reduced = image.width * image.height < original_size[0] * original_size[1]
        if converted:
            first_try = encode(flatten_for_jpeg(image), JPEG)
            if len(first_try) <= max_bytes:
                return _accepted(first_try, original_name, JPEG, converted_from=detected.label, downscaled=reduced)
        png_bytes = None
        if detected is PNG:
            # What the PNG would weigh at the working size: PNG size follows the pixel count.
            png_bytes = len(content) * image.width * image.height // (original_size[0] * original_size[1])
        shrunk, shrunk_format = shrink(image, max_bytes=max_bytes, png_bytes=png_bytes)
    return _accepted(
        shrunk,
        original_name,
        shrunk_format,
        converted_from=detected.label if converted else None,
        downscaled=True,
    )


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
    content: bytes, original_name: str, kind: FileFormat, *, converted_from: str | None, downscaled: bool
) -> AcceptedReceipt:
    return AcceptedReceipt(
        content=content,
        file_name=safe_file_name(original_name, kind.extension),
        mime_type=kind.mime_type,
        sha256=hashlib.sha256(content).hexdigest(),
        converted_from=converted_from,
        downscaled=downscaled,
    )
