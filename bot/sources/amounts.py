"""Amounts as bank exports write them: signs, separators, symbols, and the currency's minor units."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bot.payment_input import CURRENCIES, minor_units

# An optional sign or currency symbol/code on either side of the sign, then the number, then an optional trailing minus.
WRITTEN_AMOUNT = re.compile(
    r"""^(?P<sign>[-+])?\s*(?P<symbol>[^\d\s.,()+-]{1,4})?\s*(?P<sign_after_symbol>[-+])?\s*
        (?P<number>[\d.,]+)\s*(?P<trailing_minus>-)?$""",
    re.VERBOSE,
)
POINT_DECIMAL = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^\.\d+$")
COMMA_DECIMAL = re.compile(r"^(\d{1,3}(\.\d{3})+|\d+),\d{1,2}$")


def read_signed_amount(text: str) -> Decimal | None:
    """
    The signed amount a cell means, or None if it is not one.

    "1,234.56" and "1.234,56" both read as 1234.56: a comma is the decimal mark only when one or two digits follow it
    at the end, so "1,234" is one thousand two hundred and thirty-four. "(12.50)" and "12.50-" are negative.
    """
    cell = text.strip()
    negative = False
    if cell.startswith("(") and cell.endswith(")"):
        negative = True
        cell = cell[1:-1].strip()
    match = WRITTEN_AMOUNT.match(cell)
    if match is None:
        return None
    signs = [match["sign"], match["sign_after_symbol"], "-" if match["trailing_minus"] else None]
    written_signs = [sign for sign in signs if sign]
    if len(written_signs) > 1 or (negative and written_signs):
        return None
    negative = negative or written_signs == ["-"]
    number = match["number"]
    if POINT_DECIMAL.match(number):
        plain = number.replace(",", "")
    elif COMMA_DECIMAL.match(number):
        plain = number.replace(".", "").replace(",", ".")
    else:
        return None
    try:
        amount = Decimal(plain)
    except InvalidOperation:
        return None
    return -amount if negative else amount


def without_extra_zeros(amount: Decimal, currency: str | None) -> Decimal:
    """12.340 SGD is 12.34: zeros past the currency's minor units are not extra precision, other digits are."""
    if currency not in CURRENCIES:
        return amount
    places = minor_units(str(currency))
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places and amount == amount.quantize(Decimal(1).scaleb(-places)):
        return amount.quantize(Decimal(1).scaleb(-places))
    return amount


def quantised(amount: Decimal, currency: str) -> Decimal:
    """12.5 SGD as 12.50, so every payment carries the currency's minor units."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)))


def as_decimal_text(amount: Decimal) -> str:
    """The positive decimal string the webhook expects, never in exponent notation."""
    return format(abs(amount), "f")
