"""A receipt that fits a demo payment: its merchant, date, total and the VAT in it, as a small PDF with a text layer
(what most e-mailed receipts are), so the demo shows the bot reading a receipt and finding that it matches."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

VAT_RATE = Decimal("20")  # the demo organisation's standard VAT: a receipt shows the VAT in its total


def receipt_lines(payee: str, amount: Decimal, currency: str, day: dt.date, reference: str) -> list[str]:
    vat = (amount * VAT_RATE / (100 + VAT_RATE)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return [
        payee,
        "RECEIPT",
        f"Receipt no. {reference}",
        f"Date {day.strftime('%d/%m/%Y')}",
        f"Subtotal {currency} {amount - vat:.2f}",
        f"VAT {VAT_RATE}% {currency} {vat:.2f}",
        f"Total {currency} {amount:.2f}",
        "Paid by card. Thank you!",
    ]


def receipt_pdf(lines: list[str]) -> bytes:
    """One A6 page of Helvetica text: the PDF objects written out, with the byte offsets its xref table needs."""
    text = "".join(f"BT /F1 11 Tf 24 {380 - 24 * n} Td ({_escaped(line)}) Tj ET\n" for n, line in enumerate(lines))
    stream = text.encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 298 420] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _escaped(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
