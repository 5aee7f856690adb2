"""A foreign-currency spend as each source says it (webhook, CSV, OFX): the account's amount and the original one,
checked by the same rules, and the Xero line's description that carries the original."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.imports.sources import parse_export
from bot.payments.foreign import line_description
from bot.payments.input import PaymentIn, SourceAccountIn
from bot.payments.webhook import WebhookAnswer, parse_batch
from storage.models import Payment
from tests.sources.test_parsers import debit, ofx_statement, write

SGD = SourceAccountIn(id="dbs-card", name="DBS Card", currency="SGD")


def webhook(**fields: Any) -> list[PaymentIn] | WebhookAnswer:
    body = {
        "id": "pay_1",
        "account": {"id": "acc-sgd-1", "name": "Operating SGD", "currency": "SGD"},
        "amount": "120.00",
        "currency": "SGD",
        "date": "2026-11-20",
        "payee": "Figma Inc",
    } | fields
    return parse_batch(json.dumps(body).encode())


def errors(answer: list[PaymentIn] | WebhookAnswer) -> list[tuple[str, str]]:
    assert isinstance(answer, WebhookAnswer) and answer.status == 400
    return [(e["field"], e["message"]) for e in answer.body["errors"]]


def test_the_webhook_takes_an_original_amount_and_currency_together() -> None:
    [taken] = webhook(original_amount="89.00", original_currency="USD")  # type: ignore[misc]
    assert (taken.amount, taken.original_amount, taken.original_currency) == (
        Decimal("120.00"),
        Decimal("89.00"),
        "USD",
    )
    [plain] = webhook()  # type: ignore[misc]
    assert (plain.original_amount, plain.original_currency) == (None, None)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"original_amount": "89.00"}, ("original_currency", "is required with original_amount")),
        ({"original_currency": "USD"}, ("original_amount", "is required with original_currency")),
        ({"original_amount": "89.00", "original_currency": "usd"}, ("original_currency", "must be an ISO 4217")),
        ({"original_amount": "89.00", "original_currency": "SGD"}, ("original_currency", "must differ from the")),
        ({"original_amount": "12.5", "original_currency": "JPY"}, ("original_amount", "has more decimal places")),
        ({"original_amount": "-89.00", "original_currency": "USD"}, ("original_amount", "must be positive")),
        ({"original_amount": 89, "original_currency": "USD"}, ("original_amount", "must be a decimal string")),
    ],
)
def test_the_webhook_refuses_an_original_that_is_half_given_or_wrong_naming_the_field(
    fields: dict[str, Any], expected: tuple[str, str]
) -> None:
    [(field, message)] = errors(webhook(**fields))
    assert field == expected[0] and message.startswith(expected[1]), message


def test_a_csv_export_with_original_columns_carries_the_original(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "card.csv",
        "Date,Payee,Amount,Original amount,Original currency\n"
        "2026-11-02,Figma Inc,-120.00,-89.00,USD\n"
        "2026-11-03,Kopi Co,-4.50,,\n"
        "2026-11-04,Notion,-13.60,10,USD\n"
        "2026-11-05,Odd,-1.00,1.00,ZZZ\n",
    )
    export = parse_export(path, account=SGD)
    originals = {p.payee: (p.amount, p.original_amount, p.original_currency) for _, p in export.payments}
    assert originals == {
        "Figma Inc": (Decimal("120.00"), Decimal("89.00"), "USD"),
        "Kopi Co": (Decimal("4.50"), None, None),
        "Notion": (Decimal("13.60"), Decimal("10"), "USD"),
    }
    [(line, reason)] = export.invalid
    assert line == 5 and reason.startswith('original_currency "ZZZ" must be an ISO 4217 currency code'), reason


def test_an_ofx_transaction_converted_from_another_currency_keeps_the_original(tmp_path: Path) -> None:
    converted = "\n<ORIGCURRENCY>\n<CURRATE>1.3483\n<CURSYM>USD\n</ORIGCURRENCY>"
    in_usd = "\n<CURRENCY>\n<CURRATE>1.3483\n<CURSYM>USD\n</CURRENCY>"
    no_rate = "\n<CURRENCY>\n<CURSYM>USD\n</CURRENCY>"
    path = write(
        tmp_path,
        "card.ofx",
        ofx_statement(
            debit("T1", "-120.00", name="FIGMA", extra=converted),
            debit("T2", "-89.00", name="FIGMA", extra=in_usd),
            debit("T3", "-5.00", name="KOPI"),
            debit("T4", "-89.00", name="NOTION", extra=no_rate),
        ),
    )
    export = parse_export(path)
    found = {p.id: (p.amount, p.currency, p.original_amount, p.original_currency) for _, p in export.payments}
    assert found == {
        "T1": (Decimal("120.00"), "SGD", Decimal("89.00"), "USD"),  # 120.00 / 1.3483 = 89.0009…
        "T2": (Decimal("120.00"), "SGD", Decimal("89.00"), "USD"),  # 89.00 * 1.3483 = 119.9987
        "T3": (Decimal("5.00"), "SGD", None, None),
    }
    [(number, reason)] = export.invalid
    assert number == 4 and reason.startswith('CURRENCY/CURSYM "USD" has no positive CURRATE'), reason


def test_the_xero_line_carries_the_original_and_stays_within_xeros_limit() -> None:
    spend = Payment(payee="Figma Inc", description=None, original_amount=Decimal("89"), original_currency="USD")
    assert line_description(spend) == "Figma Inc — USD 89.00"
    long = Payment(payee="X", description="d" * 4000, original_amount=Decimal("1234.5"), original_currency="USD")
    assert len(line_description(long)) == 4000 and line_description(long).endswith(" — USD 1,234.50")
    assert line_description(Payment(payee="Kopi Co", description="Coffee")) == "Coffee"
