"""The currency a receipt is in, from the symbols and ISO codes printed on it."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# Longest first, so that "S$" is not read as "$".
_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("US$", "USD"),
    ("AU$", "AUD"),
    ("NZ$", "NZD"),
    ("CA$", "CAD"),
    ("HK$", "HKD"),
    ("SG$", "SGD"),
    ("S$", "SGD"),
    ("A$", "AUD"),
    ("C$", "CAD"),
    ("R$", "BRL"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
    ("₹", "INR"),
    ("₩", "KRW"),
    ("฿", "THB"),
    ("₱", "PHP"),
    ("RM", "MYR"),
    ("Fr.", "CHF"),
)


def _symbol_pattern(symbol: str) -> re.Pattern[str]:
    """A symbol that starts with a letter must start a word ("S$", not "US$"); one of letters only ("RM") must also
    stand before a number, or "PHARMACY" would be in ringgit."""
    pattern = re.escape(symbol)
    if symbol[0].isalpha():
        pattern = r"(?<![A-Za-z])" + pattern
    if symbol.rstrip(".").isalpha():
        pattern += r"(?=\s?-?\d)"
    return re.compile(pattern)


_SYMBOL_PATTERNS = tuple((_symbol_pattern(symbol), code) for symbol, code in _SYMBOLS)
# A lone "$" is many currencies, and OCR often loses "€" and "£": the place or the tax on the receipt tells which.
_PLACE_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![a-z])(singapore|UEN|GST\s*reg)", re.IGNORECASE), "SGD"),
    (re.compile(r"\b(australia|ABN|NSW|VIC|QLD)\b"), "AUD"),
    (re.compile(r"\b(new zealand|NZBN)\b", re.IGNORECASE), "NZD"),
    (re.compile(r"\b(canada|HST|GST/HST)\b", re.IGNORECASE), "CAD"),
    (re.compile(r"\bhong kong\b", re.IGNORECASE), "HKD"),
    (re.compile(r"(?<![a-z])(london|united kingdom|england|scotland|wales)", re.IGNORECASE), "GBP"),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"), "GBP"),  # a UK postcode: EC1A 1BB
    (
        re.compile(
            r"(?<![a-z])(mwst|ust|tva|iva|btw|ttc|netto)(?![a-z])|(?<![a-z])(dublin|paris|berlin|ireland|france|deutschland)",
            re.IGNORECASE,
        ),
        "EUR",
    ),
    (re.compile(r"\d[.,]\d{2}\s?[eE](?![A-Za-z])"), "EUR"),  # "12,50€" read as "12,50e"
)
# The codes recognised on their own: ISO also has codes that are everyday words on receipts (CUP, ALL, TOP).
CURRENCY_CODES = frozenset(
    [
        "SGD",
        "USD",
        "EUR",
        "GBP",
        "AUD",
        "NZD",
        "CAD",
        "HKD",
        "JPY",
        "CHF",
        "INR",
        "MYR",
        "IDR",
        "THB",
        "PHP",
        "VND",
        "CNY",
        "KRW",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "HUF",
        "RON",
        "ZAR",
        "AED",
        "SAR",
        "ILS",
        "TRY",
        "TWD",
        "BRL",
        "MXN",
    ]
)
_CODE = re.compile(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])")


@dataclass(frozen=True)
class CurrencyGuess:
    code: str
    confidence: float


def currency_of(lines: list[str]) -> CurrencyGuess | None:
    """The currency named most often by code or symbol; a lone "$" is settled by the country the receipt names."""
    votes: Counter[str] = Counter()
    dollars = 0
    for line in lines:
        rest = line
        for pattern, code in _SYMBOL_PATTERNS:
            rest, count = pattern.subn(" ", rest)
            if count:
                votes[code] += count
        dollars += rest.count("$")
        votes.update(code for code in _CODE.findall(rest) if code in CURRENCY_CODES)
    if votes:
        code, count = votes.most_common(1)[0]
        agreeing = count / sum(votes.values())
        return CurrencyGuess(code, round(0.6 + 0.35 * agreeing, 2))
    text = "\n".join(lines)
    for pattern, code in _PLACE_HINTS:
        if pattern.search(text):
            return CurrencyGuess(code, 0.7 if dollars else 0.6)
    return CurrencyGuess("USD", 0.5) if dollars else None
