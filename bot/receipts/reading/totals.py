"""The total and the tax of a receipt, from the words that label them in the usual languages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from bot.receipts.reading.amounts import Amount, money_amounts
from bot.receipts.reading.lines import Line, letters_fixed, plain

_EXACT_TOTAL = re.compile(
    r"grand\s*total|total\s*(amount\s*)?(due|payable|to\s*pay|paid)|amount\s*(due|payable)|balance\s*due|"
    r"total\s*\(?\s*inc|total\s*ttc|montant\s*ttc|net\s*a\s*payer|a\s*payer|gesamt\s*betrag|gesamtbetrag|"
    r"zu\s*zahlen|endbetrag|importe\s*total|total\s*a\s*pagar|totale\s*(complessivo|documento)?|te\s*betalen|"
    r"total\s*eur|total\s*sgd|total\s*usd|total\s*gbp"
)
_TOTAL = re.compile(r"(?<![a-z])(total|totaal|totale|summe|gesamt|betrag|montant)(?![a-z])")
_BALANCE = re.compile(r"(?<![a-z])(balance|amount|saldo|solde)(?![a-z])")
_NOT_TOTAL = re.compile(
    r"sub\s*-?\s*total|\bnet\b|\bexcl|\bexc\b|before\s*tax|\bht\b|\bnetto\b|\bohne\b|\bitems?\b|\bqty\b|quantity|"
    r"saving|discount|\bchange\b|tender|rounding|\bpoints?\b|\bcash\b|\bdeposit\b|zwischensumme|sous\s*-?\s*total"
)
_TAX = re.compile(
    r"(?<![a-z])(gst|vat|tva|mwst|m\s*w\s*st|ust|iva|btw|sales\s*tax|tax|hst|pst|qst|consumption\s*tax|taxes|steuer)"
    r"(?![a-z])"
)
_TAX_NOT_AMOUNT = re.compile(r"\b(reg|registration|no\b|nr\b|number|id\b|invoice)|\bexcl|\bnet\b|\bbefore\b|\bht\b")
_RATE = re.compile(r"(\d{1,2}(?:[.,]\d{1,2})?)\s?%")


@dataclass(frozen=True)
class MoneyGuess:
    value: Decimal
    confidence: float


def total_of(lines: list[Line]) -> MoneyGuess | None:
    """The amount on the most total-like labelled line (ties: the larger amount); the largest price otherwise."""
    best: tuple[int, Decimal, float] | None = None
    for index, line in enumerate(lines):
        label = plain(letters_fixed(line.text))
        strength = _total_strength(label)
        if not strength:
            continue
        amount = _amount_for(lines, index)
        if amount is None or amount.value <= 0:
            continue
        candidate = (strength, amount.value, line.confidence)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is None:
        prices = [a.value for line in lines for a in money_amounts(line.text) if a.value > 0]
        return MoneyGuess(max(prices), 0.3) if prices else None
    strength, value, line_confidence = best
    base = {3: 0.9, 2: 0.85, 1: 0.6}[strength]
    return MoneyGuess(value, round(base * (0.5 + 0.5 * line_confidence), 2))


def tax_of(lines: list[Line], total: Decimal | None) -> MoneyGuess | None:
    """The tax amount: one per rate printed, added up when a receipt has several rates."""
    by_rate: dict[str, tuple[Decimal, float]] = {}
    for index, line in enumerate(lines):
        label = plain(letters_fixed(line.text))
        if not _TAX.search(label) or _TAX_NOT_AMOUNT.search(label):
            continue
        if re.search(r"\binc|\binkl|\bttc\b", label) and re.search(r"total|summe|betrag|montant", label):
            continue
        amount = _amount_for(lines, index)
        if amount is None or amount.value < 0 or (total is not None and amount.value >= total):
            continue
        rate = _RATE.search(line.text)
        by_rate[rate.group(1).replace(",", ".") if rate else ""] = (amount.value, line.confidence)
    if not by_rate:
        return None
    if "" in by_rate and len(by_rate) > 1:
        del by_rate[""]  # a tax line without its rate repeats one of those with it
    value = sum((value for value, _ in by_rate.values()), Decimal(0))
    line_confidence = min(confidence for _, confidence in by_rate.values())
    return MoneyGuess(value, round(0.85 * (0.5 + 0.5 * line_confidence), 2))


def agreeing(total: MoneyGuess | None, tax: MoneyGuess | None, lines: list[Line]) -> bool:
    """Whether a subtotal line plus the tax makes the total: both are then almost surely right."""
    if total is None or tax is None:
        return False
    for index, line in enumerate(lines):
        if re.search(r"sub\s*-?\s*total|zwischensumme|sous\s*-?\s*total|\bnet\b|\bexcl|\bht\b|netto", plain(line.text)):
            amount = _amount_for(lines, index)
            if amount is not None and abs(amount.value + tax.value - total.value) <= Decimal("0.01"):
                return True
    return False


def _total_strength(label: str) -> int:
    including = re.search(r"\binc|\binkl|\bttc\b", label) is not None
    if (_NOT_TOTAL.search(label) or _TAX.search(label)) and not including:
        return 0
    if _EXACT_TOTAL.search(label):
        return 3
    if _TOTAL.search(label):
        return 2
    if _BALANCE.search(label):
        return 1
    return 0


def _amount_for(lines: list[Line], index: int) -> Amount | None:
    """The rightmost price on the labelled line, or the first on the next line when the label stands alone."""
    amounts = money_amounts(lines[index].text)
    if amounts:
        return amounts[-1]
    if index + 1 < len(lines):
        following = lines[index + 1].text
        if len(re.sub(r"[^A-Za-z]", "", following)) <= 4:
            amounts = money_amounts(following)
            if amounts:
                return amounts[0]
    return None
