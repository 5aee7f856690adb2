"""The Xero emulator and a Spend Money of several lines: with Inclusive amounts the lines add up to the Total, a
document whose sent totals do not equal its lines is refused in Xero's words, and an update's lines replace the old
ones."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from sandbox.xero import XeroEmulator
from sandbox.xero.consent import connect
from tests.sandbox.xero_fixtures import RawClient


@pytest.fixture
def emulator() -> Iterator[XeroEmulator]:
    with XeroEmulator() as running:
        yield running
        running.assert_no_spec_violations()


@pytest.fixture
def raw(emulator: XeroEmulator) -> RawClient:
    issued = connect(emulator.url, client_id=emulator.client_id, client_secret=emulator.client_secret)
    return RawClient(emulator, issued["access_token"])


def line(amount: float, account: str = "429", tax: str = "INPUT2") -> dict[str, Any]:
    return {"Description": "Seats", "Quantity": 1, "UnitAmount": amount, "AccountCode": account, "TaxType": tax}


def spend(lines: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "Type": "SPEND",
        "Contact": {"Name": "Figma Inc"},
        "BankAccount": {"Code": "090"},
        "Date": "2026-11-20",
        "LineAmountTypes": "Inclusive",
        "LineItems": lines,
    } | fields


def test_three_inclusive_lines_add_up_to_the_total_each_with_its_own_tax(raw: RawClient) -> None:
    tenant = raw.emulator.default_tenant_id
    lines = [line(40.00), line(50.00, "463"), line(30.00, tax="NONE")]

    answer = raw.call("PUT", "/BankTransactions", tenant, {"BankTransactions": [spend(lines, Total=120.00)]})

    assert answer.status == 200
    [stored] = answer.json()["BankTransactions"]
    assert [(i["AccountCode"], i["LineAmount"], i["TaxAmount"]) for i in stored["LineItems"]] == [
        ("429", 40.0, 6.67),
        ("463", 50.0, 8.33),
        ("429", 30.0, 0.0),
    ]
    assert (Decimal(str(stored["Total"])), Decimal(str(stored["TotalTax"]))) == (Decimal("120"), Decimal("15"))
    assert Decimal(str(stored["SubTotal"])) == Decimal("105")


def test_totals_sent_that_the_lines_do_not_add_up_to_are_refused_in_xeros_words(raw: RawClient) -> None:
    tenant = raw.emulator.default_tenant_id
    uneven = spend([line(40.00), line(79.99)], Total=120.00, SubTotal=100.00)

    answer = raw.call("PUT", "/BankTransactions", tenant, {"BankTransactions": [uneven]})

    assert answer.status == 400
    [element] = answer.json()["Elements"]
    assert [e["Message"] for e in element["ValidationErrors"]] == [
        "The document sub total does not equal the sub total of the lines.",
        "The document total does not equal the total of the lines.",
    ]
    assert raw.emulator.bank_transactions(tenant) == []


def test_an_update_replaces_the_lines_with_those_sent(raw: RawClient) -> None:
    tenant = raw.emulator.default_tenant_id
    created = raw.call("PUT", "/BankTransactions", tenant, {"BankTransactions": [spend([line(120.00)])]})
    [first] = created.json()["BankTransactions"]
    three = spend([line(40.00), line(50.00, "463"), line(30.00)])

    updated = raw.call("POST", f"/BankTransactions/{first['BankTransactionID']}", tenant, {"BankTransactions": [three]})

    assert updated.status == 200
    [stored] = raw.emulator.bank_transactions(tenant)
    assert [Decimal(str(i["LineAmount"])) for i in stored["LineItems"]] == [Decimal(40), Decimal(50), Decimal(30)]
    assert first["LineItems"][0]["LineItemID"] not in {i["LineItemID"] for i in stored["LineItems"]}
    assert Decimal(str(stored["Total"])) == Decimal("120")
