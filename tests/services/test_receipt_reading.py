"""Reading a receipt's fields from its lines of text, as a digital PDF or OCR gives them, across locales."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.receipts.reading.amounts import money_amounts, parse_number
from bot.receipts.reading.currency import currency_of
from bot.receipts.reading.dates import date_of
from bot.receipts.reading.fields import reading_of
from bot.receipts.reading.lines import Line, Segment, group_lines
from bot.receipts.reading.model import ReceiptReading


def read(text: str) -> ReceiptReading:
    """The reading of a receipt whose lines are `text`'s, as a digital PDF gives them."""
    return reading_of([Line(line.strip()) for line in text.strip().splitlines()], engine="text layer", pages_read=1)


@pytest.mark.parametrize(
    ("printed", "value"),
    [
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("1'234.56", "1234.56"),
        ("12,50", "12.50"),
        ("12.50", "12.50"),
        ("1,234,567.89", "1234567.89"),
        ("1.234", "1234"),
    ],
)
def test_amounts_in_every_locale(printed: str, value: str) -> None:
    assert parse_number(printed) == Decimal(value)


def test_one_mark_cannot_both_group_thousands_and_split_the_decimals() -> None:
    assert parse_number("1,234,56") is None


def test_percentages_dates_times_and_codes_are_not_prices() -> None:
    line = "GST 9% on 12/03/2024 at 12:30, INV-2024-001, tel 6123 4567: 1.24"
    assert [amount.value for amount in money_amounts(line)] == [Decimal("1.24")]


def test_a_whole_number_is_a_price_only_after_a_currency() -> None:
    reading = read("Ramen Ya\nTable 12\nTOTAL ¥1,480\nCash ¥2000")
    assert (reading.total, reading.currency) == (Decimal("1480"), "JPY")
    assert [amount.value for amount in money_amounts("Qty 2  Table 12  INV 2024  JPY 800")] == [Decimal("800")]


def test_ocr_spaces_inside_a_price_are_closed_up() -> None:
    assert [amount.value for amount in money_amounts("TOTAL S$12 .50")] == [Decimal("12.50")]


@pytest.mark.parametrize(
    ("printed", "issued"),
    [
        ("Date: 02/12/2026 14:33", date(2026, 12, 2)),
        ("02.12.2026", date(2026, 12, 2)),
        ("02.12.26", date(2026, 12, 2)),
        ("2026-12-02", date(2026, 12, 2)),
        ("2 Dec 2026", date(2026, 12, 2)),
        ("2 December 2026", date(2026, 12, 2)),
        ("Dec 2, 2026", date(2026, 12, 2)),
        ("2 déc. 2026", date(2026, 12, 2)),
        ("2. Dezember 2026", date(2026, 12, 2)),
        ("Date:18Sep 2024", date(2024, 9, 18)),
        ("Date:0ct 18,2024", date(2024, 10, 18)),  # OCR's zero for an O
        ("Date:240ctober2025", date(2025, 10, 24)),
        ("12/31/2026", date(2026, 12, 31)),  # month first only when the day cannot be the first number
        ("05/06/2026", date(2026, 6, 5)),  # ambiguous: day first
    ],
)
def test_dates_in_every_format(printed: str, issued: date) -> None:
    guess = date_of([printed])
    assert guess is not None and guess.value == issued


def test_the_issue_date_wins_over_the_due_date() -> None:
    guess = date_of(["Due date: 31/01/2027", "Invoice date: 02/12/2026"])
    assert guess is not None and guess.value == date(2026, 12, 2)


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        (["TOTAL S$6.00"], "SGD"),
        (["Summe 12,00 €"], "EUR"),
        (["Total £4.50"], "GBP"),
        (["Grand total EUR 1,200.00"], "EUR"),
        (["Total 12.00 USD", "ALL ITEMS", "1 CUP 3.00"], "USD"),
        (["ABN 12 345 678 901", "TOTAL $5.50"], "AUD"),
        (["TOTAL $5.50"], "USD"),
        (["Gesamtbetrag 14,25e"], "EUR"),  # OCR read "€" as "e"
        (["London EC1A 1BB", "Total 4.50"], "GBP"),
        (["BLUE PHARMACY", "TOTAL A$5.00"], "AUD"),  # not ringgit (RM) from the letters of PHARMACY
    ],
)
def test_currency_from_symbols_codes_and_the_country(lines: list[str], code: str) -> None:
    guess = currency_of(lines)
    assert guess is not None and guess.code == code


def test_a_singapore_till_receipt() -> None:
    reading = read("""
        KOPI CORNER PTE LTD
        12 Orchard Road #01-02
        GST Reg No: 201234567X
        TAX INVOICE
        Receipt No: R-004512
        Date: 02/12/2026 14:33
        2 x Kopi O   3.00
        1 x Kaya Toast   2.50
        Subtotal   5.50
        GST 9%   0.50
        TOTAL   S$6.00
        VISA   6.00
        Thank you!
    """)
    assert (reading.total, reading.currency, reading.date) == (Decimal("6.00"), "SGD", date(2026, 12, 2))
    assert (reading.merchant, reading.tax, reading.number) == ("Kopi Corner", Decimal("0.50"), "R-004512")
    assert reading.confidence.total >= 0.95  # subtotal and GST add up to it


def test_a_french_invoice_with_its_total_before_and_after_tax() -> None:
    reading = read("""
        Boulangerie Dupont SARL   FACTURE
        Facture n° F2026-118
        Le 15 août 2026
        Total HT   1 000,00 €
        TVA 20 %   200,00 €
        Net à payer   1 200,00 €
    """)
    assert (reading.total, reading.tax, reading.currency) == (Decimal("1200.00"), Decimal("200.00"), "EUR")
    assert (reading.merchant, reading.number, reading.date) == ("Boulangerie Dupont", "F2026-118", date(2026, 8, 15))


def test_a_german_receipt_with_two_vat_rates() -> None:
    reading = read("""
        Bäckerei Müller GmbH
        Rechnung Nr. 4711
        Datum: 31.01.2026
        MwSt 19%   1,90
        MwSt 7%   0,35
        Gesamtbetrag   14,25 €
    """)
    assert (reading.total, reading.tax, reading.date) == (Decimal("14.25"), Decimal("2.25"), date(2026, 1, 31))


@pytest.mark.parametrize(
    "label", ["Total", "TOTAL DUE", "Amount due", "Grand total", "Balance", "Total (incl. VAT)", "T0TAL"]
)
def test_total_labels(label: str) -> None:
    reading = read(f"Shop\nSubtotal   10.00\nVAT   2.00\n{label}   12.00\nCash   20.00\nChange   8.00")
    assert reading.total == Decimal("12.00")


@pytest.mark.parametrize("label", ["GST 9%", "VAT 20%", "TVA 20,0 %", "MwSt 19%", "Sales tax 8.875%", "GST9%"])
def test_tax_labels(label: str) -> None:
    assert read(f"Shop\n{label}   1.50\nTotal   11.50").tax == Decimal("1.50")


def test_no_tax_printed_as_zero_is_a_tax_of_zero() -> None:
    assert read("Shop\nGST 0%   0.00\nTotal   11.50").tax == Decimal("0.00")


def test_a_label_on_its_own_line_takes_the_amount_below_it() -> None:
    assert read("Shop\nAMOUNT DUE\n$42.10").total == Decimal("42.10")


def test_without_a_total_label_the_largest_price_is_a_guess() -> None:
    reading = read("Shop\nCoffee 3.50\nCake 4.20")
    assert reading.total == Decimal("4.20") and reading.confidence.total < 0.5


def test_the_customer_on_an_invoice_is_not_the_merchant() -> None:
    assert read("INVOICE\nBill to:\nBuyer Labs Ltd\n1 Road\nSeller Studio Ltd\nTotal 5.00").merchant == "Seller Studio"


def test_what_ocr_runs_together_is_still_read() -> None:
    reading = read("""
        UrbanFloristPtyLtd   INVOICE
        SydneyNsW2000   Taxinvoice#INV-5333
        Facturen°0398773
        Amountdue   A$1,231.51
    """)
    assert (reading.merchant, reading.number, reading.total) == ("Urban Florist", "INV-5333", Decimal("1231.51"))


def test_tilted_ocr_segments_side_by_side_make_one_line() -> None:
    segments = [Segment("TOTAL", 10, 100, 20), Segment("S$6.00", 300, 104, 20), Segment("VISA", 10, 130, 20)]
    assert [line.text for line in group_lines(segments)] == ["TOTAL  S$6.00", "VISA"]


def test_no_text_is_a_reading_with_a_problem() -> None:
    reading = read("   ")
    assert reading.problem and not reading.found_anything
