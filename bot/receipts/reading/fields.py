"""From a receipt's lines of text to its reading: every field found independently, then checked against the others."""

from __future__ import annotations

from bot.receipts.reading.currency import currency_of
from bot.receipts.reading.dates import date_of
from bot.receipts.reading.identity import merchant_of, number_of
from bot.receipts.reading.lines import Line
from bot.receipts.reading.model import Engine, FieldConfidence, ReceiptReading
from bot.receipts.reading.totals import MoneyGuess, agreeing, tax_of, total_of

NOTHING_READ = "No text could be read from the receipt."


def reading_of(lines: list[Line], *, engine: Engine, pages_read: int) -> ReceiptReading:
    lines = [line for line in lines if line.text.strip()]
    if not lines:
        return ReceiptReading(problem=NOTHING_READ, engine=engine, pages_read=pages_read)
    texts = [line.text for line in lines]
    total = total_of(lines)
    tax = tax_of(lines, total.value if total else None)
    if agreeing(total, tax, lines):
        assert total is not None and tax is not None
        total = MoneyGuess(total.value, max(total.confidence, 0.97))
        tax = MoneyGuess(tax.value, max(tax.confidence, 0.95))
    currency = currency_of(texts)
    issued = date_of(texts)
    merchant = merchant_of(lines)
    number = number_of(lines)
    return ReceiptReading(
        total=total.value if total else None,
        currency=currency.code if currency else None,
        date=issued.value if issued else None,
        merchant=merchant.value if merchant else None,
        tax=tax.value if tax else None,
        number=number.value if number else None,
        confidence=FieldConfidence(
            total=total.confidence if total else 0.0,
            currency=currency.confidence if currency else 0.0,
            date=issued.confidence if issued else 0.0,
            merchant=merchant.confidence if merchant else 0.0,
            tax=tax.confidence if tax else 0.0,
            number=number.confidence if number else 0.0,
        ),
        engine=engine,
        pages_read=pages_read,
    )
