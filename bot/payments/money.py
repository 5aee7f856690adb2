"""Money and currencies: which codes exist, how many minor units each has (Babel's CLDR data), and how an
amount is shown. The one place the bot learns a currency's decimals from."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from babel.numbers import get_currency_precision, list_currencies

# ISO 4217 codes, less the testing and "no currency" codes.
CURRENCIES = frozenset(code for code in list_currencies() if re.fullmatch(r"[A-Z]{3}", code)) - {"XXX", "XTS"}


@lru_cache(maxsize=512)
def minor_units(currency: str) -> int:
    """How many decimals an amount in `currency` has (2 for an unknown code); remembered, as Babel's look-up is slow
    and an import asks once a line."""
    return int(get_currency_precision(currency))


def quantum(currency: str) -> Decimal:
    """The smallest amount of `currency`: 0.01 for EUR, 1 for JPY, 0.001 for KWD."""
    return Decimal(1).scaleb(-minor_units(currency))


def money_text(amount: Decimal, currency: str) -> str:
    """ "SGD 1,234.50": grouped, with the currency's minor units (more only if the amount really has them)."""
    exponent = quantum(currency.upper())
    if amount == amount.quantize(exponent):
        amount = amount.quantize(exponent)
    return f"{currency} {amount:,f}"
