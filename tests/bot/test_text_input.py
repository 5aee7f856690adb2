"""What outside text, amounts and dates the bot stores, and the one-line reason when it refuses them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.payments.input import PaymentIn, parse_amount, validate_payment
from bot.text_input import InvalidInput, checked_text, is_decimal_digits, search_text, text_problem


def valid(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "pay_1",
        "account": {"id": "acc-1", "name": "Operating", "currency": "SGD"},
        "amount": "12.50",
        "currency": "SGD",
        "date": "2026-11-20",
        "payee": "Figma Inc",
    }
    body.update(fields)
    return body


def errors_of(raw: dict[str, Any]) -> dict[str, str]:
    result = validate_payment(raw, 0)
    assert isinstance(result, list), "refused"
    return {error.field: error.message for error in result}


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("Figma\x00Inc", "a control character (U+0000); found at character 6"),
        ("\x1b[31mRED", "a control character (U+001B); found at character 1"),
        ("Fig\x7fma", "a control character (U+007F)"),
        ("Fig\x85ma", "a control character (U+0085)"),
        ("Figma\tInc", "a control character (U+0009)"),
        ("moc.elgoog\u202eevil", "an invisible formatting character (U+202E)"),
        ("a\u2066b", "an invisible formatting character (U+2066)"),
        ("half \ud83d of an emoji", "a broken character (an unpaired UTF-16 surrogate)"),
    ],
)
def test_a_single_line_text_with_control_or_invisible_characters_is_refused_saying_which_and_where(
    value: str, found: str
) -> None:
    problem = text_problem(value, limit=255)

    assert problem is not None and problem.startswith(f"must not contain {found}")


@pytest.mark.parametrize("value", ["Figma\nInc", "Figma\rInc", "Figma\u2028Inc", "Figma\u2029Inc"])
def test_a_single_line_text_is_one_line(value: str) -> None:
    assert text_problem(value, limit=255) == "must be one line; found a line break at character 6"


@pytest.mark.parametrize(
    "value",
    ["Figma Inc", "Café Ñandú 東京 🧾", "Müller & Söhne <GmbH>", "شركة", "a\u200db", "x" * 255, ""],
)
def test_ordinary_text_in_any_script_is_accepted(value: str) -> None:
    assert text_problem(value, limit=255) is None


def test_multiline_text_keeps_line_breaks_and_tabs_but_not_other_controls() -> None:
    assert text_problem("Seats\nfor Q4\r\n\tteam", limit=4000, multiline=True) is None
    assert text_problem("Seats\x00", limit=4000, multiline=True) == (
        "must not contain a control character (U+0000); found at character 6"
    )


def test_length_is_counted_in_characters_and_the_message_gives_both_numbers() -> None:
    assert text_problem("é" * 255, limit=255) is None
    assert text_problem("x" * 10_000, limit=255) == "must be at most 255 characters (this one has 10000)"


def test_checked_text_strips_names_the_field_and_turns_blank_into_none() -> None:
    assert checked_text("reference", "The reference", "  INV-9  ", limit=255) == "INV-9"
    assert checked_text("reference", "The reference", "   ", limit=255) is None
    assert checked_text("reference", "The reference", None, limit=255) is None
    with pytest.raises(InvalidInput) as refused:
        checked_text("reference", "The reference", "R" * 256, limit=255)
    assert refused.value.field == "reference"
    assert refused.value.message == "The reference must be at most 255 characters (this one has 256)."


def test_a_search_query_loses_control_characters_and_is_capped() -> None:
    assert search_text("Fig\x00ma\u202e") == "Figma"
    assert len(search_text("a" * 5000)) == 255


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("123.45", Decimal("123.45")),
        (" 7 ", Decimal("7")),
        ("0.10", Decimal("0.10")),
        ("\u0661\u0662\u0663.\u0664\u0665", 'must be a decimal string such as "123.45"'),  # Arabic-Indic digits
        ("\uff11\uff12\uff13.\uff14\uff15", 'must be a decimal string such as "123.45"'),  # full-width digits
        ("12.\uff150", 'must be a decimal string such as "123.45"'),
        ("²", 'must be a decimal string such as "123.45"'),
        ("1e3", 'must be a decimal string such as "123.45"'),
        ("12.50\n", Decimal("12.50")),
        ("12.50\nx", 'must be a decimal string such as "123.45"'),
        ("NaN", 'must be a decimal string such as "123.45"'),
        ("1_000", 'must be a decimal string such as "123.45"'),
    ],
)
def test_amounts_are_ascii_digits_with_an_optional_decimal_point(raw: str, expected: Decimal | str) -> None:
    assert parse_amount(raw, "SGD") == expected


@pytest.mark.parametrize(
    "written", ["2026-W47-1", "2026W471", "20261120", "2026-324", "\uff12\uff10\uff12\uff16-11-20", "2026-11-2\uff10"]
)
def test_a_date_is_only_ever_yyyy_mm_dd(written: str) -> None:
    assert errors_of(valid(date=written)) == {"date": "must be an ISO date written YYYY-MM-DD, such as 2026-11-20"}


def test_a_real_date_is_accepted() -> None:
    accepted = validate_payment(valid(date="2026-02-28"), 0)

    assert isinstance(accepted, PaymentIn) and accepted.date == date(2026, 2, 28)


@pytest.mark.parametrize(
    "fields",
    [
        {"id": "pay\x00"},
        {"payee": "Figma\x00"},
        {"description": "seats\x1b[2J"},
        {"category": "Soft\u202eware"},
        {"reference": "INV\n9"},
        {"spender_email": "ana\x00@example.com"},
        {"currency": "SG\x00"},
    ],
)
def test_every_text_field_refuses_control_characters_naming_the_field(fields: dict[str, str]) -> None:
    [(field, message)] = errors_of(valid(**fields)).items()

    assert field == next(iter(fields))
    assert message.startswith(("must not contain", "must be one line")) or "ISO 4217" in message


def test_the_source_accounts_fields_are_checked_too() -> None:
    problems = errors_of(valid(account={"id": "acc\x00", "name": "Op\x1b", "currency": "SGD"}))

    assert set(problems) == {"account.id", "account.name"}


def test_a_description_keeps_its_line_breaks() -> None:
    accepted = validate_payment(valid(description="Line one\nLine two"), 0)

    assert isinstance(accepted, PaymentIn) and accepted.description == "Line one\nLine two"


def test_digits_are_ascii_only() -> None:
    assert is_decimal_digits("042")
    assert not any(is_decimal_digits(text) for text in ("\u0663", "\uff13", "²", "", "1 ", "-1"))
