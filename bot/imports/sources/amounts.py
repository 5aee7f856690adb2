"""Amounts as bank exports write them: signs (Unicode minus too), separators, symbols, codes and CR/DR marks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from bot.payments.money import CURRENCIES, minor_units

MINUS_SIGNS = dict.fromkeys(map(ord, "\u2212\u2012\u2013\u2014\u2010\u2011\ufe63\uff0d"), "-")
GROUP_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2009\u2007"), " ")
DOLLARS = frozenset(
    {
        "USD",
        "CAD",
        "AUD",
        "NZD",
        "SGD",
        "HKD",
        "MXN",
        "TWD",
        "ARS",
        "CLP",
        "COP",
        "UYU",
        "BSD",
        "BBD",
        "BZD",
        "BMD",
        "BND",
        "FJD",
        "JMD",
        "KYD",
        "NAD",
        "TTD",
        "XCD",
        "LRD",
        "SBD",
        "SRD",
        "GYD",
        "DOP",
        "CUP",
    }
)
SYMBOLS: dict[str, frozenset[str]] = {
    "$": DOLLARS,
    "US$": frozenset({"USD"}),
    "U$S": frozenset({"USD"}),
    "S$": frozenset({"SGD"}),
    "A$": frozenset({"AUD"}),
    "AU$": frozenset({"AUD"}),
    "C$": frozenset({"CAD"}),
    "CA$": frozenset({"CAD"}),
    "NZ$": frozenset({"NZD"}),
    "HK$": frozenset({"HKD"}),
    "NT$": frozenset({"TWD"}),
    "MX$": frozenset({"MXN"}),
    "R$": frozenset({"BRL"}),
    "€": frozenset({"EUR"}),
    "£": frozenset({"GBP"}),
    "¥": frozenset({"JPY", "CNY"}),
    "₹": frozenset({"INR"}),
    "₩": frozenset({"KRW"}),
    "₺": frozenset({"TRY"}),
    "₽": frozenset({"RUB"}),
    "₪": frozenset({"ILS"}),
    "₱": frozenset({"PHP"}),
    "฿": frozenset({"THB"}),
    "₫": frozenset({"VND"}),
    "₦": frozenset({"NGN"}),
    "ZŁ": frozenset({"PLN"}),
    "KČ": frozenset({"CZK"}),
    "KR": frozenset({"SEK", "NOK", "DKK", "ISK"}),
    "FR": frozenset({"CHF"}),
    "FR.": frozenset({"CHF"}),
    "R": frozenset({"ZAR"}),
    "RM": frozenset({"MYR"}),
    "RP": frozenset({"IDR"}),
}
# A sign, symbol or code around the number; the number is ASCII digits with separators (never other scripts' digits).
CELL = re.compile(r"^(?P<before>[^0-9.,]*?)(?P<number>[0-9](?:[0-9.,' ]*[0-9])?|[.,][0-9]+)(?P<after>[^0-9]*)$")
MARK = re.compile(r"^(?P<rest>.*?)\s*(?<![A-Za-z])(?P<mark>CR|DR)\.?$", re.IGNORECASE)
POINT_DECIMAL = re.compile(r"^(?:[0-9]{1,3}(?:([,' ])[0-9]{3})?(?:\1[0-9]{3})*|[0-9]+)(?:\.[0-9]+)?$|^\.[0-9]+$")
COMMA_DECIMAL = re.compile(r"^(?:[0-9]{1,3}(?:([.' ])[0-9]{3})?(?:\1[0-9]{3})*|[0-9]+)(?:,[0-9]+)?$|^,[0-9]+$")
DECIMAL_MARKS = (".", ",")
LARGEST = Decimal(10) ** 13
"""The webhook takes at most 13 digits before the point (`bot.payments.input.DECIMAL`); the database holds 14."""
PLAIN = re.compile(r"^-?[0-9]{1,15}(?:\.[0-9]{1,6})?$")


@dataclass(frozen=True)
class WrittenAmount:
    """A cell's amount, signed as written ("-", parentheses, a trailing minus, "DR"), and the currencies it names."""

    value: Decimal
    currencies: frozenset[str] | None = None


def read_amount(text: str, decimal_mark: str) -> WrittenAmount | None:
    """The amount a cell means with the file's decimal mark ("." or ","), or None if it is not one."""
    if decimal_mark == "." and PLAIN.match(text):
        return WrittenAmount(Decimal(text))
    cell = text.strip().translate(MINUS_SIGNS).translate(GROUP_SPACES)
    negative = False
    marked = MARK.match(cell)
    if marked is not None:
        cell, negative = marked["rest"].strip(), marked["mark"].upper() == "DR"
    if cell.startswith("(") and cell.endswith(")"):
        if marked is not None:
            return None
        cell, negative = cell[1:-1].strip(), True
    match = CELL.match(cell)
    if match is None:
        return None
    signs, currencies = _around(match["before"], match["after"])
    if signs is None or (signs and (negative or marked is not None)):
        return None
    negative = negative or signs == "-"
    number = _plain_number(match["number"], decimal_mark)
    if number is None:
        return None
    return WrittenAmount(-number if negative else number, currencies)


def _around(before: str, after: str) -> tuple[str | None, frozenset[str] | None]:
    """The sign written around a number ("" for none; None if there are several) and the currencies named there."""
    signs = ""
    currencies: frozenset[str] | None = None
    trailing = after.rstrip()
    if trailing.endswith("-"):
        signs, after = "-", trailing[:-1]
    for part in (before, after):
        text = part.strip()
        for sign in "+-":
            if text.startswith(sign) or text.endswith(sign):
                if signs:
                    return None, None
                signs = sign
                text = text.strip(sign).strip()
        if not text:
            continue
        named = _currencies_named(text)
        if named is None or currencies is not None:
            return None, None
        currencies = named
    return signs, currencies


def _currencies_named(text: str) -> frozenset[str] | None:
    upper = text.upper()
    if upper in CURRENCIES:
        return frozenset({upper})
    return SYMBOLS.get(upper)


def _plain_number(number: str, decimal_mark: str) -> Decimal | None:
    pattern = POINT_DECIMAL if decimal_mark == "." else COMMA_DECIMAL
    if not pattern.match(number):
        return None
    grouping = "," if decimal_mark == "." else "."
    plain = number.replace(grouping, "").replace("'", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(plain)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def decimal_evidence(text: str) -> str | None:
    """Which decimal mark a cell proves: "1,25" and "1.234,56" prove ","; "1.25" proves "."; "1,234" proves nothing."""
    if PLAIN.match(text):
        point = text.find(".")
        return None if point < 0 or len(text) - point - 1 == 3 else "."
    digits = text.translate(GROUP_SPACES).replace(" ", "").replace("'", "")
    last = max(digits.rfind("."), digits.rfind(","))
    if last < 0:
        return None
    mark = digits[last]
    other = "," if mark == "." else "."
    if other in digits[:last]:
        return mark
    after = len(re.match(r"[0-9]*", digits[last + 1 :]).group())  # type: ignore[union-attr]
    if digits.count(mark) > 1:
        return other
    return None if after == 3 else mark


def without_extra_zeros(amount: Decimal, currency: str | None) -> Decimal:
    """12.340 SGD is 12.34: zeros past the currency's minor units are not extra precision, other digits are."""
    if currency not in CURRENCIES:
        return amount
    places = minor_units(str(currency))
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places and amount == amount.quantize(Decimal(1).scaleb(-places)):
        return amount.quantize(Decimal(1).scaleb(-places))
    return amount


def exact_amount(amount: Decimal, currency: str) -> Decimal | None:
    """A positive amount in the currency's minor units (12.5 SGD is 12.50, 12.340 is 12.34); None when it has digits
    past them (12.345), more than the webhook's 13 before the point, or is not a plain number: the webhook's rules
    then refuse it with their reason."""
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int) or exponent > 0 or amount >= LARGEST:
        return None
    try:
        exact = amount.quantize(_quantum(currency))
    except InvalidOperation:
        return None
    return exact if exact == amount else None


@lru_cache(maxsize=64)
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def quantised(amount: Decimal, currency: str) -> Decimal:
    """12.5 SGD as 12.50, so every payment carries the currency's minor units."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)))


def as_decimal_text(amount: Decimal) -> str:
    """The positive decimal string the webhook expects, never in exponent notation."""
    return format(abs(amount), "f")
