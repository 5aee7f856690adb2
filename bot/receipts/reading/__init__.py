"""Reading a receipt's total, currency, date, merchant, tax and number from its file, each with a confidence.

`read_receipt(data, content_type)` reads one file (a digital PDF from its own text, a photo or a scan by local
OCR) and never raises for a bad file; `ReadingPool` runs readings on worker threads of their own, bounded."""

from bot.receipts.reading.model import Engine, FieldConfidence, ReceiptReading
from bot.receipts.reading.pool import ReadingPool, read_receipt

__all__ = ["Engine", "FieldConfidence", "ReadingPool", "ReceiptReading", "read_receipt"]
