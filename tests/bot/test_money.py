"""Money has one source of truth: what an amount may carry when it comes in is what it shows when it goes out."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.payments.input import parse_amount
from bot.payments.money import CURRENCIES, minor_units, money_text


def test_an_amount_shows_the_decimals_its_currency_accepts() -> None:
    wrong = []
    for currency in sorted(CURRENCIES):
        places = minor_units(currency)
        smallest = Decimal(1).scaleb(-places)
        shown = money_text(Decimal(1), currency)
        decimals = shown.split(".")[1] if "." in shown else ""
        if parse_amount(f"{smallest:f}", currency) != smallest or len(decimals) != places:
            wrong.append(shown)
    assert wrong == []


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("1234.5"), "SGD", "SGD 1,234.50"),
        (Decimal("1500"), "JPY", "JPY 1,500"),
        (Decimal("1.5"), "KWD", "KWD 1.500"),
        (Decimal("12.345"), "SGD", "SGD 12.345"),
    ],
)
def test_money_text(amount: Decimal, currency: str, shown: str) -> None:
    assert money_text(amount, currency) == shown
