"""The locales of the generated receipts: how each prints money, dates and the labels of its fields."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Locale:
    name: str
    currency: str
    symbol: str  # "{}" stands for the number
    decimal: str
    group: str
    dates: tuple[str, ...]  # strftime formats; "%-d" is the day without a leading zero
    tax_label: str
    tax_rate: Decimal
    total_labels: tuple[str, ...]
    subtotal_label: str
    number_label: str
    suffixes: tuple[str, ...]
    country_line: str


LOCALES = (
    Locale(
        "en-SG",
        "SGD",
        "S${}",
        ".",
        ",",
        ("%d/%m/%Y", "%-d %b %Y"),
        "GST 9%",
        Decimal("0.09"),
        ("TOTAL", "Grand total", "Amount due"),
        "Subtotal",
        "Receipt No:",
        ("Pte Ltd", "Pte. Ltd."),
        "Singapore 238801",
    ),
    Locale(
        "en-US",
        "USD",
        "${}",
        ".",
        ",",
        ("%b %-d, %Y", "%Y-%m-%d"),
        "Sales tax 8.875%",
        Decimal("0.08875"),
        ("TOTAL DUE", "Total", "Balance"),
        "Subtotal",
        "Receipt #",
        ("Inc.", "LLC"),
        "New York, NY 10001",
    ),
    Locale(
        "en-GB",
        "GBP",
        "£{}",
        ".",
        ",",
        ("%d/%m/%Y", "%-d %B %Y"),
        "VAT 20%",
        Decimal("0.20"),
        ("Total", "Balance due", "Amount due"),
        "Net",
        "Invoice No.",
        ("Ltd", "Limited"),
        "London EC1A 1BB",
    ),
    Locale(
        "de-DE",
        "EUR",
        "{} €",
        ",",
        ".",
        ("%d.%m.%Y",),
        "MwSt 19%",
        Decimal("0.19"),
        ("Summe", "Gesamtbetrag", "Total"),
        "Netto",
        "Rechnung Nr.",
        ("GmbH", "AG"),
        "10115 Berlin",
    ),
    Locale(
        "fr-FR",
        "EUR",
        "{} €",
        ",",
        " ",
        ("%d/%m/%Y",),
        "TVA 20 %",
        Decimal("0.20"),
        ("Total TTC", "Net à payer"),
        "Total HT",
        "Facture n°",
        ("SARL", "SAS"),
        "75002 Paris",
    ),
    Locale(
        "en-AU",
        "AUD",
        "A${}",
        ".",
        ",",
        ("%d/%m/%Y", "%-d %b %Y"),
        "GST 10%",
        Decimal("0.10"),
        ("TOTAL", "Amount due"),
        "Subtotal",
        "Tax invoice #",
        ("Pty Ltd",),
        "Sydney NSW 2000",
    ),
    Locale(
        "en-IE",
        "EUR",
        "EUR {}",
        ".",
        ",",
        ("%Y-%m-%d", "%d %b %Y"),
        "VAT 23%",
        Decimal("0.23"),
        ("Grand total", "Total"),
        "Subtotal",
        "Invoice number:",
        ("Ltd", "DAC"),
        "Dublin 2",
    ),
)
