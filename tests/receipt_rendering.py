"""Drawing generated receipts (tests/receipt_samples.py) as a reader meets them: a photo taken by hand (tilted,
in perspective, blurred, noisy, faded), a scan inside a PDF, or a digital PDF with its own text layer."""

from __future__ import annotations

import io
import random
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from tests.receipt_samples import ReceiptContent, Row

FONTS = Path("/usr/share/fonts/truetype/dejavu")
TILL_FONTS = ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSansCondensed.ttf")
INVOICE_FONTS = ("DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansCondensed.ttf")
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(name: str, size: int) -> Font:
    path = FONTS / name
    return ImageFont.truetype(str(path), size) if path.exists() else ImageFont.load_default(size)


def render(receipt: ReceiptContent, rng: random.Random) -> Image.Image:
    """The receipt as printed, in greyscale: a till roll 576 dots wide or an A4 page at 150 dpi."""
    till = receipt.layout == "till"
    width, margin = (576, 24) if till else (1240, 110)
    body = rng.randint(20, 26) if till else rng.randint(20, 24)
    font_name = rng.choice(TILL_FONTS if till else INVOICE_FONTS)
    height = _height(receipt.rows, body) + 2 * margin if till else 1754
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    y = float(margin)
    for row in receipt.rows:
        y += row.gap * body * 1.5
        font = _font(font_name, round(body * row.scale))
        for cell in row.cells:
            x = margin + cell.at * (width - 2 * margin)
            text_width = draw.textlength(cell.text, font=font)
            x -= text_width if cell.align == "right" else text_width / 2 if cell.align == "centre" else 0
            draw.text((x, y), cell.text, fill=0, font=font)
        y += body * 1.5 * row.scale
    return image


def _height(rows: tuple[Row, ...], body: int) -> int:
    return round(sum((row.gap + row.scale) * body * 1.5 for row in rows))


def photo(image: Image.Image, rng: random.Random) -> Image.Image:
    """A hand-held phone photo of the printed receipt: faded, low contrast, on a table, tilted up to 10°, in
    perspective, blurred and noisy, at a phone's resolution."""
    pixels: npt.NDArray[np.floating[Any]] = np.asarray(image, dtype=np.float32)
    if rng.random() < 0.5:  # thermal paper fading down the roll
        fade = np.linspace(1.0, rng.uniform(0.35, 0.8), pixels.shape[0])[:, None]
        pixels = 255 - (255 - pixels) * fade
    low, high = rng.uniform(0, 70), rng.uniform(190, 255)
    pixels = low + pixels * (high - low) / 255
    paper = Image.fromarray(pixels.clip(0, 255).astype(np.uint8))
    table = rng.randint(40, 140)
    pad = max(paper.size) // 8
    scene = Image.new("L", (paper.width + 2 * pad, paper.height + 2 * pad), table)
    scene.paste(paper, (pad, pad))
    scene = scene.rotate(rng.uniform(-10, 10), resample=Image.Resampling.BICUBIC, expand=True, fillcolor=table)
    scene = _perspective(scene, rng, table)
    scene = scene.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.4)))
    noisy = np.asarray(scene, dtype=np.float32) + np.random.default_rng(rng.randrange(2**32)).normal(
        0, rng.uniform(2, 10), (scene.height, scene.width)
    )
    scene = Image.fromarray(noisy.clip(0, 255).astype(np.uint8))
    longest = rng.randint(1600, 3000)
    factor = longest / max(scene.size)
    scene = scene.resize((round(scene.width * factor), round(scene.height * factor)), Image.Resampling.BILINEAR)
    return scene.convert("RGB")


def _perspective(image: Image.Image, rng: random.Random, fill: int) -> Image.Image:
    """The picture taken a little off square: each corner moved by up to 6% of the side."""
    w, h = image.size
    corners = [(0, 0), (w, 0), (w, h), (0, h)]
    moved = [(x + rng.uniform(-0.06, 0.06) * w, y + rng.uniform(-0.06, 0.06) * h) for x, y in corners]
    matrix, vector = [], []
    for (x, y), (u, v) in zip(corners, moved, strict=True):
        matrix += [[u, v, 1, 0, 0, 0, -x * u, -x * v], [0, 0, 0, u, v, 1, -y * u, -y * v]]
        vector += [x, y]
    coefficients = np.linalg.solve(np.array(matrix), np.array(vector))
    return image.transform(
        (w, h), Image.Transform.PERSPECTIVE, tuple(coefficients), Image.Resampling.BICUBIC, fillcolor=fill
    )


def jpeg(image: Image.Image, rng: random.Random) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=rng.randint(70, 92))
    return buffer.getvalue()


def scanned_pdf(image: Image.Image) -> bytes:
    """A scan: the page as a picture inside a PDF, with no text layer."""
    buffer = io.BytesIO()
    image.convert("L").save(buffer, "PDF", resolution=150)
    return buffer.getvalue()


def digital_pdf(receipt: ReceiptContent, rng: random.Random) -> bytes:
    """The receipt as accounting software or a shop's website makes it: a PDF with the text itself in it."""
    till = receipt.layout == "till"
    width, margin, body = (80.0, 4.0, rng.uniform(8, 9.5)) if till else (210.0, 18.0, rng.uniform(9, 11))
    line = body * 0.3528 * 1.5  # points to millimetres, and a line and a half
    height = sum((row.gap + row.scale) * line for row in receipt.rows) + 2 * margin if till else 297.0
    document = FPDF(unit="mm", format=(width, height))
    document.set_auto_page_break(False)
    document.add_page()
    unicode_font = (FONTS / "DejaVuSans.ttf").exists()
    if unicode_font:
        name = "DejaVuSansMono.ttf" if till else rng.choice(("DejaVuSans.ttf", "DejaVuSerif.ttf"))
        document.add_font("Receipt", fname=str(FONTS / name))
    y = margin
    for row in receipt.rows:
        y += row.gap * line + line * row.scale
        document.set_font("Receipt" if unicode_font else "Helvetica", size=body * row.scale)
        for cell in row.cells:
            text = (
                cell.text
                if unicode_font
                else cell.text.replace("€", "EUR").encode("latin-1", "replace").decode("latin-1")
            )
            x = margin + cell.at * (width - 2 * margin)
            text_width = document.get_string_width(text)
            x -= text_width if cell.align == "right" else text_width / 2 if cell.align == "centre" else 0
            document.text(x, y, text)
    return bytes(document.output())


def _latin(text: str) -> str:
    """What the PDF core fonts can draw, when the DejaVu fonts are not installed."""
    return text.replace("€", "EUR").encode("latin-1", "replace").decode("latin-1")
