"""Who issued a receipt (its top lines) and its number (the value after "Receipt No", "Invoice #", "Facture n°")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.coding.payees import normalise
from bot.receipts.reading.amounts import money_amounts
from bot.receipts.reading.dates import dates_in
from bot.receipts.reading.lines import Line, letters_fixed, plain

# OCR drops spaces ("Invoicenumber:0643377", "Facturen°118"): the strong labels need no word boundary after them.
_NUMBER_LABEL = re.compile(
    r"(?<![a-z])(?:tax\s*)?(?P<label>receipt|invoice|rechnung|facture|factura|fattura|factuur|"
    r"(?:inv|bill|beleg|bon|ticket|transaction|trans|txn|order|document|doc|ref|reference)\b)\.?\s*"
    r"(?P<mark>no\b\.?|no\.|nr\.?|n°|(?-i:n(?=[A-Z0-9]))|n\s?o\.|number|num\b\.?|#|nummer|numero|-?id\b)?\s*[:#.]?\s*"
    r"(?P<value>[A-Za-z0-9][A-Za-z0-9\-/.]{1,30})",
    re.IGNORECASE,
)
_STRONG_LABELS = frozenset(
    {"receipt", "invoice", "inv", "rechnung", "facture", "factura", "fattura", "factuur", "bill"}
)
_NOT_MERCHANT = re.compile(
    r"\b(receipt|invoice|tax invoice|facture|rechnung|quittung|kassenbon|ticket|welcome|thank|merci|danke|tel|phone|"
    r"fax|www|http|email|e-mail|gst|vat|tva|mwst|uen|abn|reg|date|cashier|table|order|page|bill to|billed to|"
    r"customer|kunde|client|copy|duplicate|original)\b|@|\.com\b",
    re.IGNORECASE,
)
_CUSTOMER_LABEL = re.compile(
    r"\b(bill(ed)?\s*to|ship(ped)?\s*to|customer|sold\s*to|client|kunde|rechnungsempfanger|deliver\s*to)\b"
)
_COMPANY = re.compile(
    r"\b(pte\.?\s*ltd|ltd|limited|gmbh|inc|llc|llp|plc|sarl|sas|s\.?a\.?|b\.?v\.?|ag|kg|co\.|sdn\s*bhd|pty)\b\.?",
    re.IGNORECASE,
)
# OCR runs words together ("UrbanFloristPtyLtd"); a long run with capitals inside is split where they start.
_GLUED_SUFFIX = re.compile(r"\b([A-Za-z]{4,}?)(pte\.?ltd|pty\.?ltd|ltd|limited|gmbh|sarl|llc)\.?$", re.IGNORECASE)
_RUN_TOGETHER = re.compile(r"\b[A-Za-z]*[a-z][A-Z][A-Za-z]*\b")
_TOP_LINES = 8


@dataclass(frozen=True)
class TextGuess:
    value: str
    confidence: float


def merchant_of(lines: list[Line]) -> TextGuess | None:
    """The first top line that names someone (not a title, address, phone or date); a line with a company form
    (Pte Ltd, GmbH, SARL) among the top lines is surer. The name is tidied as payees are on the card."""
    candidates: list[tuple[int, Line]] = []
    skip_until = -1
    for index, line in enumerate(lines[: _TOP_LINES + 4]):
        if _CUSTOMER_LABEL.search(plain(line.text)):
            skip_until = index + 2  # the customer's name and address follow
            continue
        if index <= skip_until:
            continue
        # Beside the name an invoice may print its title or number: each part of the line counts on its own.
        parts = [_spaced(part) for part in line.text.split("  ")]
        parts = [part for part in parts if _names_someone(part)]
        if parts:
            candidates.append((index, Line(parts[0], line.confidence)))
    if not candidates:
        return None
    with_company = [(index, line) for index, line in candidates if _COMPANY.search(line.text) and index < _TOP_LINES]
    index, line = with_company[0] if with_company else candidates[0]
    base = 0.85 if with_company else (0.7 if index < 3 else 0.45)
    name = normalise(line.text.strip(" *-=#:")).name
    return TextGuess(name, round(base * (0.5 + 0.5 * line.confidence), 2)) if name else None


def number_of(lines: list[Line]) -> TextGuess | None:
    """The receipt or invoice number: a value with a digit after a number label; receipt and invoice labels first."""
    best: tuple[float, str] | None = None
    for line in lines:
        for match in _NUMBER_LABEL.finditer(letters_fixed(line.text)):
            value = match.group("value").rstrip(".-/")
            if not re.search(r"\d", value) or dates_in(value) or (money_amounts(value) and "-" not in value):
                continue
            strong = match.group("label").lower() in _STRONG_LABELS
            marked = match.group("mark") is not None
            score = (0.9 if strong and marked else 0.75 if strong or marked else 0.5) * (0.5 + 0.5 * line.confidence)
            if best is None or score > best[0]:
                best = (score, value)
    return TextGuess(best[1], round(best[0], 2)) if best else None


def _names_someone(text: str) -> bool:
    letters = sum(char.isalpha() for char in text)
    if letters < 3 or letters < 0.5 * len(text.replace(" ", "")):
        return False
    if _NOT_MERCHANT.search(text) or dates_in(text) or money_amounts(text):
        return False
    return not re.match(r"^\s*\d+[\s,]+\w+", text)  # a street address: "12 High Street"


def _spaced(text: str) -> str:
    def split(match: re.Match[str]) -> str:
        word = match.group(0)
        return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", word) if len(word) >= 10 else word

    spaced = _RUN_TOGETHER.sub(split, text)
    return re.sub(r"(?<=pt[ey])\.?(?=ltd)", " ", _GLUED_SUFFIX.sub(r"\1 \2", spaced), flags=re.IGNORECASE)
