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
# A lone "$" is many currencies; words on the receipt tell which.
_DOLLAR_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(singapore|UEN|GST\s*reg)", re.IGNORECASE), "SGD"),
    (re.compile(r"\b(australia|ABN)\b", re.IGNORECASE), "AUD"),
    (re.compile(r"\b(new zealand|NZBN)\b", re.IGNORECASE), "NZD"),
    (re.compile(r"\b(canada|HST|GST/HST)\b", re.IGNORECASE), "CAD"),
    (re.compile(r"\bhong kong\b", re.IGNORECASE), "HKD"),
)
# The codes recognised on their own: ISO also has codes that are everyday words on receipts (CUP, ALL, TOP).
_COMMON_CODES = frozenset(
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
        for symbol, code in _SYMBOLS:
            if symbol in rest:
                votes[code] += rest.count(symbol)
                rest = rest.replace(symbol, " ")
        dollars += rest.count("$")
        votes.update(code for code in _CODE.findall(rest) if code in _COMMON_CODES)
    if votes:
        code, count = votes.most_common(1)[0]
        agreeing = count / sum(votes.values())
        return CurrencyGuess(code, round(0.6 + 0.35 * agreeing, 2))
    if dollars:
        text = "\n".join(lines)
        for pattern, code in _DOLLAR_HINTS:
            if pattern.search(text):
                return CurrencyGuess(code, 0.7)
        return CurrencyGuess("USD", 0.5)
    return None
