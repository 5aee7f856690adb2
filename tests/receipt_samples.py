"""Labelled receipts made by code, for the reading tests and benchmarks/receipt_reading.py: what is printed on
each receipt (rows of cells) and the fields a reader should find. tests/receipt_rendering.py draws them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from tests.receipt_locales import LOCALES, Locale

Align = Literal["left", "right", "centre"]
Layout = Literal["till", "invoice"]
__all__ = ["LOCALES", "Cell", "Locale", "ReceiptContent", "Row", "Truth", "content", "money"]


@dataclass(frozen=True)
class Cell:
    text: str
    at: float  # where on the line, 0 (left margin) to 1 (right margin); the anchor of `align`
    align: Align = "left"


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    scale: float = 1.0  # the font size relative to the body text
    gap: float = 0.0  # blank space before the row, in lines


@dataclass(frozen=True)
class Truth:
    total: Decimal
    currency: str
    date: date
    merchant: str
    tax: Decimal
    number: str


@dataclass(frozen=True)
class ReceiptContent:
    layout: Layout
    locale: str
    rows: tuple[Row, ...]
    truth: Truth


_FIRST = ("Kopi", "Blue", "Harbour", "Golden", "Maple", "Olive", "Cedar", "Lucky", "Corner", "Urban", "Green", "Silver")
_SECOND = ("Bakery", "Books", "Garage", "Coffee", "Hardware", "Stationers", "Kitchen", "Florist", "Pharmacy", "Print")
_ITEMS = (
    "Coffee",
    "Sandwich",
    "Notebook A5",
    "Printer paper",
    "USB cable",
    "Taxi fare",
    "Lunch set",
    "Pens x10",
    "Toner",
    "Parking",
    "Train ticket",
    "Water 1.5L",
    "Croissant",
    "Team dinner",
    "Adapter",
    "Postage",
)
CENT = Decimal("0.01")


def money(value: Decimal, locale: Locale, *, symbol: bool = True) -> str:
    whole, cents = f"{value:.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", locale.group)
    number = f"{grouped}{locale.decimal}{cents}"
    return locale.symbol.format(number) if symbol else number


def content(rng: random.Random, layout: Layout, locale: Locale) -> ReceiptContent:
    """One receipt in `locale`: a merchant, 2 to 8 items, tax on top of the net, a date and a number."""
    merchant = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)}"
    legal = f"{merchant} {rng.choice(locale.suffixes)}"
    issued = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 1000))
    items = [
        (rng.choice(_ITEMS), rng.randint(1, 3), Decimal(rng.randint(150, 25000 if layout == "invoice" else 4000)) / 100)
        for _ in range(rng.randint(2, 8))
    ]
    net = sum((qty * price for _, qty, price in items), Decimal(0))
    tax = (net * locale.tax_rate).quantize(CENT, ROUND_HALF_UP)
    total = net + tax
    number = rng.choice(("R-{:06d}", "INV-{:04d}", "{:07d}", "F2025-{:03d}")).format(
        rng.randint(1, 999999 if layout == "till" else 9999)
    )
    truth = Truth(total, locale.currency, issued, merchant, tax, number)
    printed_date = issued.strftime(rng.choice(locale.dates))
    build = _till_rows if layout == "till" else _invoice_rows
    rows = build(rng, locale, legal, items, net, tax, total, number, printed_date)
    return ReceiptContent(layout, locale.name, tuple(rows), truth)


def _till_rows(
    rng: random.Random,
    locale: Locale,
    legal: str,
    items: list[tuple[str, int, Decimal]],
    net: Decimal,
    tax: Decimal,
    total: Decimal,
    number: str,
    printed_date: str,
) -> list[Row]:
    rows = [
        Row((Cell(legal.upper() if rng.random() < 0.5 else legal, 0.5, "centre"),), scale=1.3),
        Row(
            (Cell(f"{rng.randint(1, 250)} {rng.choice(('High Street', 'Orchard Road', 'Market St'))}", 0.5, "centre"),)
        ),
        Row((Cell(locale.country_line, 0.5, "centre"),)),
        Row((Cell(f"Tel {rng.randint(6000, 9999)} {rng.randint(1000, 9999)}", 0.5, "centre"),)),
        Row((Cell(f"{locale.number_label} {number}", 0),), gap=0.6),
        Row((Cell(f"Date: {printed_date}", 0), Cell(f"{rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}", 1, "right"))),
    ]
    for index, (name, qty, price) in enumerate(items):
        rows.append(
            Row(
                (Cell(f"{qty} x {name}", 0), Cell(money(qty * price, locale, symbol=False), 1, "right")),
                gap=0.6 if index == 0 else 0.0,
            )
        )
    rows += [
        Row((Cell(locale.subtotal_label, 0), Cell(money(net, locale, symbol=False), 1, "right")), gap=0.6),
        Row((Cell(locale.tax_label, 0), Cell(money(tax, locale, symbol=False), 1, "right"))),
        Row((Cell(rng.choice(locale.total_labels), 0), Cell(money(total, locale), 1, "right")), scale=1.2),
        Row(
            (Cell(rng.choice(("VISA", "MASTERCARD", "CARD")), 0), Cell(money(total, locale, symbol=False), 1, "right"))
        ),
        Row(
            (Cell(rng.choice(("Thank you!", "Thank you for shopping with us", "Please come again")), 0.5, "centre"),),
            gap=0.8,
        ),
    ]
    return rows


def _invoice_rows(
    rng: random.Random,
    locale: Locale,
    legal: str,
    items: list[tuple[str, int, Decimal]],
    net: Decimal,
    tax: Decimal,
    total: Decimal,
    number: str,
    printed_date: str,
) -> list[Row]:
    customer = f"{rng.choice(_FIRST)} {rng.choice(('Labs', 'Studio', 'Partners'))} {rng.choice(locale.suffixes)}"
    rows = [
        Row((Cell(legal, 0), Cell("INVOICE", 1, "right")), scale=1.6),
        Row((Cell(f"{rng.randint(1, 250)} {rng.choice(('King Street', 'Rue de la Paix', 'Hauptstraße'))}", 0),)),
        Row((Cell(locale.country_line, 0), Cell(f"{locale.number_label} {number}", 1, "right"))),
        Row((Cell(f"accounts@{legal.split()[0].lower()}.example", 0), Cell(f"Date: {printed_date}", 1, "right"))),
        Row((Cell("Bill to:", 0),), gap=1.0),
        Row((Cell(customer, 0),)),
        Row((Cell(f"{rng.randint(1, 99)} Market Lane", 0),)),
        Row(
            (
                Cell("Description", 0),
                Cell("Qty", 0.6, "right"),
                Cell("Unit price", 0.8, "right"),
                Cell("Amount", 1, "right"),
            ),
            gap=1.0,
        ),
    ]
    for name, qty, price in items:
        rows.append(
            Row(
                (
                    Cell(name, 0),
                    Cell(str(qty), 0.6, "right"),
                    Cell(money(price, locale, symbol=False), 0.8, "right"),
                    Cell(money(qty * price, locale, symbol=False), 1, "right"),
                )
            )
        )
    rows += [
        Row((Cell(locale.subtotal_label, 0.6), Cell(money(net, locale), 1, "right")), gap=0.8),
        Row((Cell(locale.tax_label, 0.6), Cell(money(tax, locale), 1, "right"))),
        Row((Cell(rng.choice(locale.total_labels), 0.6), Cell(money(total, locale), 1, "right")), scale=1.2),
        Row((Cell("Payment within 30 days. Thank you for your business.", 0),), gap=1.5),
    ]
    return rows
