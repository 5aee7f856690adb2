"""The Xero emulator, exercised through the real xero-python SDK over loopback."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import urllib3
from xero_python.accounting import (
    Account,
    BankTransaction,
    BankTransactions,
    Contact,
    Contacts,
    HistoryRecord,
    HistoryRecords,
    LineAmountTypes,
    LineItem,
    LineItemTracking,
)
from xero_python.exceptions import AccountingBadRequestException, HTTPStatusException, RateLimitException

from sandbox.xero import XeroEmulator
from sandbox.xero.consent import DEFAULT_REDIRECT_URI, consent_redirect, exchange_code
from tests.sandbox.xero_fixtures import RawClient, SdkSession, connected_session, form_post, wire_sdk_to
from tests.specs import require_xero_spec

JAN_5 = date(2024, 1, 5)


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[XeroEmulator]:
    options: dict[str, Any] = getattr(request, "param", {})
    with XeroEmulator(spec_path=require_xero_spec(), **options) as running:
        assert running.validating
        wire_sdk_to(running, monkeypatch)
        yield running
        running.assert_no_spec_violations()


@pytest.fixture
def session(emulator: XeroEmulator) -> SdkSession:
    return connected_session(emulator)


@pytest.fixture
def tenant(emulator: XeroEmulator) -> str:
    return emulator.default_tenant_id


@pytest.fixture
def raw(session: SdkSession) -> RawClient:
    return RawClient(session.emulator, session.token["access_token"])


def spend(**overrides: Any) -> BankTransaction:
    fields: dict[str, Any] = {
        "type": "SPEND",
        "contact": Contact(name="Pret A Manger"),
        "bank_account": Account(code="090"),
        "date": JAN_5,
        "reference": "PAY-1",
        "line_amount_types": LineAmountTypes.INCLUSIVE,
        "line_items": [
            LineItem(
                description="Coffee", quantity=1, unit_amount=Decimal("12.50"), account_code="429", tax_type="INPUT2"
            )
        ],
    }
    fields.update(overrides)
    return BankTransaction(**fields)


def raw_spend(**overrides: Any) -> dict[str, Any]:
    element: dict[str, Any] = {
        "Type": "SPEND",
        "Contact": {"Name": "Pret A Manger"},
        "BankAccount": {"Code": "090"},
        "Date": "2024-01-05",
        "LineItems": [{"Description": "Coffee", "UnitAmount": 12.5, "AccountCode": "429"}],
    }
    element.update(overrides)
    return element


def create_one(session: SdkSession, tenant: str, transaction: BankTransaction | None = None) -> BankTransaction:
    created = session.accounting.create_bank_transactions(
        tenant, BankTransactions(bank_transactions=[transaction or spend()])
    )
    return created.bank_transactions[0]


def validation_messages(session: SdkSession, tenant: str, transaction: BankTransaction) -> list[str]:
    result = session.accounting.create_bank_transactions(
        tenant, BankTransactions(bank_transactions=[transaction]), summarize_errors=False
    )
    element = result.bank_transactions[0]
    assert element.status_attribute_string == "ERROR"
    return [error.message for error in element.validation_errors]


def _text(value: Any) -> str:
    """SDK models hold enums for some fields and strings for others."""
    return str(getattr(value, "value", value))


# --- seed data ----------------------------------------------------------------------------------


def test_seeded_chart_tax_rates_and_tracking_look_like_a_real_uk_org(session: SdkSession, tenant: str) -> None:
    accounts = session.accounting.get_accounts(tenant).accounts
    usable = [a for a in accounts if _text(a.status) == "ACTIVE" and _text(a.type) != "BANK" and not a.system_account]
    assert len(usable) > 100
    assert {"404", "420", "429", "433", "453", "463", "493", "494"} <= {a.code for a in usable}
    banks = [a for a in accounts if _text(a.type) == "BANK"]
    assert {(b.code, _text(b.currency_code)) for b in banks} >= {("090", "GBP"), ("092", "USD")}
    assert any(_text(b.bank_account_type) == "CREDITCARD" for b in banks)
    assert any(_text(a.status) == "ARCHIVED" for a in accounts)
    assert {_text(a.system_account) for a in accounts} >= {"DEBTORS", "CREDITORS", "GST"}

    rates = {r.tax_type: r for r in session.accounting.get_tax_rates(tenant).tax_rates}
    assert rates["INPUT2"].can_apply_to_expenses and not rates["OUTPUT2"].can_apply_to_expenses
    assert rates["INPUT2"].effective_rate == Decimal(20)
    assert any(r.status != "ACTIVE" for r in rates.values())

    active = session.accounting.get_tracking_categories(tenant).tracking_categories
    assert {c.name: [o.name for o in c.options] for c in active} == {
        "Region": ["North", "South"],
        "Department": ["Sales", "Marketing", "Engineering"],
    }
    everything = session.accounting.get_tracking_categories(tenant, include_archived=True).tracking_categories
    assert len(everything) == 3
    organisation = session.accounting.get_organisations(tenant).organisations[0]
    assert (organisation.name, _text(organisation.base_currency)) == ("Demo Company (UK)", "GBP")


# --- OAuth ----------------------------------------------------------------------------------------


def test_consent_grants_chosen_organisations_and_connections_filter_by_auth_event(emulator: XeroEmulator) -> None:
    second = emulator.add_organisation(name="Acme Ltd", base_currency="USD", country="US")
    emulator.consent_tenants = [emulator.default_tenant_id, second]
    session = connected_session(emulator)

    connections = session.identity.get_connections()
    assert {c.tenant_id for c in connections} == {emulator.default_tenant_id, second}
    auth_event_id = connections[0].auth_event_id
    assert len(session.identity.get_connections(auth_event_id=str(auth_event_id))) == 2
    organisation = session.accounting.get_organisations(second).organisations[0]
    assert (organisation.name, _text(organisation.base_currency)) == ("Acme Ltd", "USD")
    assert session.token["id_token"].count(".") == 2


def test_authorize_and_token_errors_match_xero(emulator: XeroEmulator) -> None:
    http = urllib3.PoolManager(retries=False)
    bad_client = http.request(
        "GET",
        f"{emulator.url}/identity/connect/authorize",
        fields={"response_type": "code", "client_id": "nope", "redirect_uri": DEFAULT_REDIRECT_URI, "scope": "openid"},
        redirect=False,
    )
    assert bad_client.status == 400 and bad_client.headers["Content-Type"].startswith("text/html")

    emulator.next_authorize_error = "access_denied"
    assert consent_redirect(emulator.url, client_id=emulator.client_id) == {
        "error": "access_denied",
        "state": "state-1",
    }

    code = consent_redirect(emulator.url, client_id=emulator.client_id)["code"]
    token_url = f"{emulator.url}/connect/token"
    base = {"client_id": emulator.client_id, "client_secret": emulator.client_secret}
    mismatched = form_post(
        token_url, {**base, "grant_type": "authorization_code", "code": code, "redirect_uri": "http://evil/cb"}
    )
    assert (mismatched.status, mismatched.json()) == (400, {"error": "invalid_grant"})
    wrong_secret = form_post(token_url, {**base, "client_secret": "x", "grant_type": "authorization_code"})
    assert (wrong_secret.status, wrong_secret.json()) == (400, {"error": "invalid_client"})
    unsupported = form_post(token_url, {**base, "grant_type": "password"})
    assert unsupported.json() == {"error": "unsupported_grant_type"}

    issued = exchange_code(emulator.url, code=code, client_id=emulator.client_id, client_secret=emulator.client_secret)
    assert issued["expires_in"] == 1800 and issued["token_type"] == "Bearer" and issued["refresh_token"]
    reused = form_post(
        token_url, {**base, "grant_type": "authorization_code", "code": code, "redirect_uri": DEFAULT_REDIRECT_URI}
    )
    assert reused.json() == {"error": "invalid_grant"}

    expired_code = consent_redirect(emulator.url, client_id=emulator.client_id)["code"]
    emulator.clock.advance(5 * 60 + 1)
    late = form_post(
        token_url,
        {**base, "grant_type": "authorization_code", "code": expired_code, "redirect_uri": DEFAULT_REDIRECT_URI},
    )
    assert late.json() == {"error": "invalid_grant"}


def test_half_an_hour_later_the_sdk_refreshes_once_and_rotation_has_a_grace_period(
    emulator: XeroEmulator, session: SdkSession, tenant: str
) -> None:
    first_refresh_token = session.token["refresh_token"]
    emulator.clock.advance(30 * 60)

    session.accounting.get_organisations(tenant)
    session.accounting.get_organisations(tenant)

    assert emulator.refresh_count == 1
    assert len(session.saved) == 1
    assert session.saved[0]["refresh_token"] not in (None, first_refresh_token)

    grace_use = form_post(
        f"{emulator.url}/connect/token",
        {
            "grant_type": "refresh_token",
            "refresh_token": first_refresh_token,
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
        },
    )
    assert grace_use.status == 200 and grace_use.json()["refresh_token"] != first_refresh_token

    emulator.clock.advance(31 * 60)
    after_grace = form_post(
        f"{emulator.url}/connect/token",
        {
            "grant_type": "refresh_token",
            "refresh_token": first_refresh_token,
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
        },
    )
    assert (after_grace.status, after_grace.json()) == (400, {"error": "invalid_grant"})


def test_expired_access_token_is_401_and_unknown_tenant_is_403(
    emulator: XeroEmulator, raw: RawClient, tenant: str
) -> None:
    missing_tenant = raw.call("GET", "/Organisation", None)
    assert missing_tenant.status == 403 and missing_tenant.json()["Detail"] == "AuthenticationUnsuccessful"
    other = emulator.add_organisation(name="Not Consented Ltd")
    assert raw.call("GET", "/Organisation", other).json()["Title"] == "Forbidden"

    emulator.clock.advance(30 * 60)
    expired = raw.call("GET", "/Organisation", tenant)
    assert expired.status == 401 and expired.json()["Detail"].startswith("TokenExpired")


def test_sdk_with_wrong_tenant_gets_403(session: SdkSession) -> None:
    with pytest.raises(HTTPStatusException) as raised:
        session.accounting.get_organisations("00000000-0000-0000-0000-000000000000")
    assert raised.value.status == 403


def test_revocation_removes_the_consents_connections(
    emulator: XeroEmulator, session: SdkSession, raw: RawClient, tenant: str
) -> None:
    refresh_token = session.token["refresh_token"]

    session.client.revoke_oauth2_token()

    assert emulator.connection_ids() == {}
    assert raw.call("GET", f"{emulator.url}/connections", None).json() == []
    assert raw.call("GET", "/Organisation", tenant).json()["Detail"] == "AuthenticationUnsuccessful"
    refresh = form_post(
        f"{emulator.url}/connect/token",
        {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
        },
    )
    assert (refresh.status, refresh.json()) == (400, {"error": "invalid_grant"})


def test_deleting_a_connection_disconnects_that_tenant(emulator: XeroEmulator, session: SdkSession) -> None:
    second = emulator.add_organisation(name="Second Org")
    emulator.consent_tenants = [emulator.default_tenant_id, second]
    session = connected_session(emulator)
    connection_id = emulator.connection_ids()[second]

    session.identity.delete_connection(connection_id)

    assert [c.tenant_id for c in session.identity.get_connections()] == [emulator.default_tenant_id]
    with pytest.raises(HTTPStatusException) as forbidden:
        session.accounting.get_organisations(second)
    assert forbidden.value.status == 403
    with pytest.raises(HTTPStatusException) as missing:
        session.identity.delete_connection(connection_id)
    assert missing.value.status == 404

    emulator.disconnect_tenant(emulator.default_tenant_id)
    assert session.identity.get_connections() == []


# --- BankTransactions -------------------------------------------------------------------------------


def test_spend_money_round_trip_with_tracking_contact_and_exact_totals(
    emulator: XeroEmulator, session: SdkSession, tenant: str
) -> None:
    transaction = spend(
        url="https://slack.com/archives/C1/p1",
        line_items=[
            LineItem(
                description="Team lunch",
                quantity=2,
                unit_amount=Decimal("12.50"),
                account_code="420",
                tax_type="INPUT2",
                tracking=[
                    LineItemTracking(name="Region", option="North"),
                    LineItemTracking(name="Department", option="Engineering"),
                ],
            ),
            LineItem(description="Taxi", quantity=1, unit_amount=Decimal("9.99"), account_code="493"),
        ],
        contact=Contact(name="Brand New Supplier"),
    )
    created = create_one(session, tenant, transaction)
    fetched = session.accounting.get_bank_transaction(tenant, created.bank_transaction_id).bank_transactions[0]

    assert fetched.date == JAN_5
    assert fetched.status == "AUTHORISED" and fetched.is_reconciled is False
    assert (fetched.sub_total, fetched.total_tax, fetched.total) == (
        Decimal("29.15"),
        Decimal("5.84"),
        Decimal("34.99"),
    )
    # 9.99 inclusive of 20% holds exactly 1.665 of VAT, rounded half away from zero
    assert [line.tax_amount for line in fetched.line_items] == [Decimal("4.17"), Decimal("1.67")]
    assert _text(fetched.currency_code) == "GBP" and fetched.reference == "PAY-1"
    assert fetched.url == "https://slack.com/archives/C1/p1"
    assert {(t.name, t.option) for t in fetched.line_items[0].tracking} == {
        ("Region", "North"),
        ("Department", "Engineering"),
    }
    assert any(c["Name"] == "Brand New Supplier" for c in emulator.contacts(tenant))
    assert fetched.contact.contact_id == created.contact.contact_id


@pytest.mark.parametrize(
    ("amount_types", "expected"),
    [
        (LineAmountTypes.EXCLUSIVE, ("100.00", "20.00", "120.00")),
        (LineAmountTypes.INCLUSIVE, ("83.33", "16.67", "100.00")),
        (LineAmountTypes.NOTAX, ("100.00", "0.00", "100.00")),
    ],
)
def test_line_amount_types_compute_totals_with_decimal_rounding(
    session: SdkSession, tenant: str, amount_types: LineAmountTypes, expected: tuple[str, str, str]
) -> None:
    line = LineItem(description="Laptop stand", unit_amount=Decimal(100), account_code="463", tax_type="INPUT2")
    created = create_one(session, tenant, spend(line_amount_types=amount_types, line_items=[line]))
    assert (created.sub_total, created.total_tax, created.total) == tuple(Decimal(v) for v in expected)


def test_summarize_errors_false_creates_the_valid_elements_and_flags_the_invalid_one(
    emulator: XeroEmulator, session: SdkSession, tenant: str
) -> None:
    bad = spend(line_items=[LineItem(description="x", unit_amount=Decimal(1), account_code="999")])
    result = session.accounting.create_bank_transactions(
        tenant, BankTransactions(bank_transactions=[spend(), bad, spend(reference="PAY-3")]), summarize_errors=False
    )

    statuses = [element.status_attribute_string for element in result.bank_transactions]
    assert statuses == ["OK", "ERROR", "OK"]
    assert result.bank_transactions[1].validation_errors[0].message == (
        "Account code '999' is not a valid code for this document."
    )
    assert len(emulator.bank_transactions(tenant)) == 2


def test_summarized_errors_answer_400_yet_still_create_the_valid_elements(
    emulator: XeroEmulator, session: SdkSession, tenant: str
) -> None:
    bad = spend(line_items=[LineItem(description="x", unit_amount=Decimal(1), account_code="999")])
    with pytest.raises(AccountingBadRequestException) as raised:
        session.accounting.create_bank_transactions(tenant, BankTransactions(bank_transactions=[spend(), bad]))
    assert raised.value.reason == "Account code '999' is not a valid code for this document."
    assert raised.value.status == 400
    assert len(emulator.bank_transactions(tenant)) == 1


def _line(**fields: Any) -> list[LineItem]:
    base: dict[str, Any] = {"description": "Thing", "unit_amount": Decimal(10), "account_code": "429"}
    base.update(fields)
    return [LineItem(**base)]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"line_items": _line(account_code="999")}, "Account code '999' is not a valid code for this document."),
        (
            {"line_items": _line(account_code="430")},
            "The account code '430' has been archived, or deleted. Each line item must reference a valid account.",
        ),
        ({"line_items": _line(account_code="091")}, "Account code '091' is a bank account"),
        ({"line_items": _line(account_code="800")}, "Account code '800' is a system account"),
        ({"bank_account": Account(code="429")}, "Account code '429' is not a bank account"),
        ({"bank_account": Account(code="777")}, "The BankAccount '777' could not be found."),
        (
            {"line_items": _line(tax_type="OUTPUT2")},
            "The TaxType code 'OUTPUT2' cannot be used with account code '429'.",
        ),
        ({"line_items": _line(tax_type="INPUT")}, "The TaxType code 'INPUT' has been archived, or deleted"),
        ({"line_items": _line(tax_type="INPUT9")}, "The TaxType code 'INPUT9' does not exist"),
        (
            {"line_items": _line(tracking=[LineItemTracking(name="Region", option="East")])},
            "The TrackingOption 'East' has been archived, or deleted.",
        ),
        (
            {"line_items": _line(tracking=[LineItemTracking(name="Region", option="West")])},
            "The TrackingOption 'West' does not exist in TrackingCategory 'Region'.",
        ),
        (
            {"line_items": _line(tracking=[LineItemTracking(name="Cost Centre", option="CC-100")])},
            "The TrackingCategory 'Cost Centre' has been archived, or deleted.",
        ),
        (
            {
                "line_items": _line(
                    tracking=[
                        LineItemTracking(name="Region", option="North"),
                        LineItemTracking(name="Department", option="Sales"),
                        LineItemTracking(name="Project", option="X"),
                    ]
                )
            },
            "A line item can have at most 2 tracking categories.",
        ),
        ({"contact": None}, "A Contact must be specified for this type of transaction."),
        (
            {"contact": Contact(contact_id="00000000-0000-0000-0000-000000000001")},
            "The contact with ContactID '00000000-0000-0000-0000-000000000001' could not be found.",
        ),
        ({"date": None}, "A Date must be specified for a bank transaction."),
        ({"line_items": []}, "At least one line item must be specified."),
        ({"line_items": [LineItem(account_code="429")]}, "Each line item must have a Description or an amount."),
        ({"url": "not a url"}, "The Url 'not a url' is not a valid URL."),
    ],
)
def test_each_validation_rule_reports_xero_style_messages(
    emulator: XeroEmulator, session: SdkSession, tenant: str, overrides: dict[str, Any], expected: str
) -> None:
    messages = validation_messages(session, tenant, spend(**overrides))
    assert any(message.startswith(expected) for message in messages), messages
    assert emulator.bank_transactions(tenant) == []


def test_archived_in_xero_after_seeding_is_rejected(emulator: XeroEmulator, session: SdkSession, tenant: str) -> None:
    emulator.archive_account(tenant, "453")
    emulator.archive_tracking_option(tenant, "Department", "Sales")
    emulator.set_tax_rate_status(tenant, "RRINPUT", "DELETED")
    line = _line(account_code="453", tax_type="RRINPUT", tracking=[LineItemTracking(name="Department", option="Sales")])
    messages = validation_messages(session, tenant, spend(line_items=line))
    assert messages == [
        "The account code '453' has been archived, or deleted. Each line item must reference a valid account.",
        "The TaxType code 'RRINPUT' has been archived, or deleted, and cannot be used.",
        "The TrackingOption 'Sales' has been archived, or deleted. "
        "Each tracking item must reference an active tracking option.",
    ]


def test_updates_replace_lines_but_not_when_reconciled_or_locked(
    emulator: XeroEmulator, session: SdkSession, tenant: str
) -> None:
    created = create_one(session, tenant)
    new_lines = _line(unit_amount=Decimal("20.00"), description="Coffee beans")
    updated = session.accounting.update_bank_transaction(
        tenant,
        created.bank_transaction_id,
        BankTransactions(bank_transactions=[spend(line_items=new_lines, line_amount_types=LineAmountTypes.NOTAX)]),
    ).bank_transactions[0]
    assert updated.bank_transaction_id == created.bank_transaction_id
    assert (updated.total, len(updated.line_items)) == (Decimal("20.00"), 1)

    emulator.reconcile(tenant, created.bank_transaction_id)
    with pytest.raises(AccountingBadRequestException) as reconciled:
        session.accounting.update_bank_transaction(
            tenant, created.bank_transaction_id, BankTransactions(bank_transactions=[spend()])
        )
    assert reconciled.value.reason == (
        "This Bank Transaction cannot be edited as it has been reconciled with a Bank Statement."
    )

    other = create_one(session, tenant)
    emulator.lock_period(tenant, before=date(2024, 2, 1))
    with pytest.raises(AccountingBadRequestException) as locked:
        session.accounting.update_or_create_bank_transactions(
            tenant, BankTransactions(bank_transactions=[spend(bank_transaction_id=other.bank_transaction_id)])
        )
    assert locked.value.reason.startswith("The document date cannot be before the end of year lock date, 31 Jan 2024")
    assert len(emulator.bank_transactions(tenant)) == 2


def test_queries_filter_by_reference_and_type_page_and_modified_since(
    emulator: XeroEmulator, session: SdkSession, tenant: str
) -> None:
    session.accounting.create_bank_transactions(
        tenant,
        BankTransactions(
            bank_transactions=[spend(reference="A"), spend(reference="B"), spend(type="RECEIVE", reference="A")]
        ),
    )
    by_reference = session.accounting.get_bank_transactions(tenant, where='Reference=="A" AND Type=="SPEND"')
    assert [(t.reference, t.type) for t in by_reference.bank_transactions] == [("A", "SPEND")]
    page = session.accounting.get_bank_transactions(tenant, page=1, page_size=2, order="Reference DESC")
    assert [t.reference for t in page.bank_transactions] == ["B", "A"]
    assert page.pagination.item_count == 3 and page.pagination.page_count == 2

    emulator.clock.advance(60)
    checkpoint = emulator.clock.now()
    emulator.clock.advance(60)
    emulator.reconcile(tenant, by_reference.bank_transactions[0].bank_transaction_id)
    changed = session.accounting.get_bank_transactions(tenant, if_modified_since=checkpoint)
    assert [t.is_reconciled for t in changed.bank_transactions] == [True]


def test_accounts_if_modified_since_returns_only_what_changed(
    emulator: XeroEmulator, session: SdkSession, tenant: str
) -> None:
    emulator.clock.advance(10)
    checkpoint = emulator.clock.now()
    emulator.clock.advance(10)
    emulator.archive_account(tenant, "485")
    changed = session.accounting.get_accounts(tenant, if_modified_since=checkpoint).accounts
    assert [(a.code, a.status) for a in changed] == [("485", "ARCHIVED")]


def test_contacts_paging_search_and_unique_names(emulator: XeroEmulator, session: SdkSession, tenant: str) -> None:
    for number in range(70):
        emulator.add_contact(tenant, f"Supplier {number:03d}")
    first = session.accounting.get_contacts(tenant, page=1).contacts
    second = session.accounting.get_contacts(tenant, page=2).contacts
    assert (len(first), len(second)) == (100, 10)  # 40 seeded active + 70 added; archived excluded
    assert len(session.accounting.get_contacts(tenant, page=1, include_archived=True).contacts) == 100
    assert [c.name for c in session.accounting.get_contacts(tenant, search_term="pret").contacts] == ["Pret A Manger"]
    assert [c.name for c in session.accounting.get_contacts(tenant, where='Name=="Uber"').contacts] == ["Uber"]

    created = session.accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="Fresh Co")]))
    assert created.contacts[0].name == "Fresh Co"
    with pytest.raises(AccountingBadRequestException) as duplicate:
        session.accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="fresh co")]))
    assert duplicate.value.reason == (
        "The contact name fresh co is already assigned to another contact. "
        "The contact name must be unique across all active contacts."
    )

    checkpoint = emulator.clock.now()
    emulator.clock.advance(5)
    emulator.rename_contact(tenant, created.contacts[0].contact_id, "Fresh Company")
    changed = session.accounting.get_contacts(tenant, if_modified_since=checkpoint).contacts
    assert [c.name for c in changed] == ["Fresh Company"]


# --- exactly-once ------------------------------------------------------------------------------------


def test_idempotency_key_replays_the_first_response(emulator: XeroEmulator, session: SdkSession, tenant: str) -> None:
    batch = BankTransactions(bank_transactions=[spend()])
    first = session.accounting.create_bank_transactions(tenant, batch, idempotency_key="payment-42")
    again = session.accounting.create_bank_transactions(tenant, batch, idempotency_key="payment-42")
    assert first.bank_transactions[0].bank_transaction_id == again.bank_transactions[0].bank_transaction_id
    assert len(emulator.bank_transactions(tenant)) == 1

    with pytest.raises(AccountingBadRequestException) as reused:
        session.accounting.create_bank_transactions(
            tenant, BankTransactions(bank_transactions=[spend(reference="other")]), idempotency_key="payment-42"
        )
    assert "has already been used with a different request" in reused.value.body.decode()
    with pytest.raises(AccountingBadRequestException):
        session.accounting.create_bank_transactions(tenant, batch, idempotency_key="k" * 129)

    emulator.clock.advance(6 * 60 + 1)
    session.accounting.create_bank_transactions(tenant, batch, idempotency_key="payment-42")
    assert len(emulator.bank_transactions(tenant)) == 2


def test_a_dropped_put_is_resent_by_urllib3_and_duplicates_without_an_idempotency_key(
    emulator: XeroEmulator, session: SdkSession, tenant: str
) -> None:
    emulator.inject_fault("PUT", "/api.xro/2.0/BankTransactions", kind="commit_then_drop")
    session.accounting.create_bank_transactions(tenant, BankTransactions(bank_transactions=[spend()]))
    assert len(emulator.bank_transactions(tenant)) == 2
    assert [r.status for r in emulator.requests_to("PUT", "/api.xro/2.0/BankTransactions")] == [None, 200]


def test_a_dropped_put_with_an_idempotency_key_creates_once(
    emulator: XeroEmulator, session: SdkSession, tenant: str
) -> None:
    emulator.inject_fault("PUT", "/api.xro/2.0/BankTransactions", kind="commit_then_drop")
    created = session.accounting.create_bank_transactions(
        tenant, BankTransactions(bank_transactions=[spend()]), idempotency_key="pay-7"
    )
    stored = emulator.bank_transactions(tenant)
    assert [t["BankTransactionID"] for t in stored] == [created.bank_transactions[0].bank_transaction_id]


def test_500_and_503_faults_commit_nothing(emulator: XeroEmulator, session: SdkSession, tenant: str) -> None:
    emulator.inject_fault("PUT", "/api.xro/2.0/BankTransactions", kind="500")
    with pytest.raises(HTTPStatusException) as server_error:
        create_one(session, tenant)
    assert server_error.value.status == 500
    emulator.inject_fault("POST", "/api.xro/2.0/BankTransactions", kind="503")
    with pytest.raises(HTTPStatusException) as unavailable:
        session.accounting.update_or_create_bank_transactions(tenant, BankTransactions(bank_transactions=[spend()]))
    assert unavailable.value.status == 503
    assert emulator.bank_transactions(tenant) == []


# --- rate limits -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("emulator", [{"minute_limit": 3}], indirect=True)
def test_minute_limit_gives_429_with_retry_after_and_counts_down(
    emulator: XeroEmulator, session: SdkSession, tenant: str
) -> None:
    remaining = []
    for _ in range(3):
        _, _status, headers = session.accounting.get_organisations(tenant, _return_http_data_only=False)
        remaining.append(headers["X-MinLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    assert headers["X-DayLimit-Remaining"] == "4997" and "X-AppMinLimit-Remaining" in headers

    with pytest.raises(RateLimitException) as limited:
        session.accounting.update_or_create_bank_transactions(tenant, BankTransactions(bank_transactions=[spend()]))
    assert limited.value.rate_limit == "minute"
    assert 1 <= int(limited.value.headers["Retry-After"]) <= 60
    assert emulator.stats.rate_limited == 1 and emulator.bank_transactions(tenant) == []

    emulator.clock.advance(60)
    session.accounting.get_organisations(tenant)
    assert emulator.stats.calls_per_tenant[tenant] == 4


@pytest.mark.parametrize("emulator", [{"day_limit": 2}], indirect=True)
def test_day_limit_retry_after_runs_to_the_end_of_the_day(session: SdkSession, tenant: str) -> None:
    session.accounting.get_organisations(tenant)
    session.accounting.get_organisations(tenant)
    with pytest.raises(RateLimitException) as limited:
        session.accounting.update_or_create_bank_transactions(tenant, BankTransactions(bank_transactions=[spend()]))
    assert limited.value.rate_limit == "day"
    assert 86_000 < int(limited.value.headers["Retry-After"]) <= 86_400


@pytest.mark.parametrize("emulator", [{"app_minute_limit": 2}], indirect=True)
def test_app_minute_limit_spans_tenants(emulator: XeroEmulator) -> None:
    second = emulator.add_organisation(name="Second Org")
    emulator.consent_tenants = [emulator.default_tenant_id, second]
    session = connected_session(emulator)
    session.accounting.get_organisations(emulator.default_tenant_id)
    session.accounting.get_organisations(second)
    with pytest.raises(RateLimitException) as limited:
        session.accounting.update_or_create_bank_transactions(second, BankTransactions(bank_transactions=[spend()]))
    assert limited.value.rate_limit == "appminute"
    assert limited.value.headers["X-AppMinLimit-Remaining"] == "0"


def test_urllib3_silently_retries_a_get_after_429_with_retry_after(
    emulator: XeroEmulator, session: SdkSession, tenant: str
) -> None:
    emulator.inject_rate_limit(problem="minute", retry_after=0, count=1)
    session.accounting.get_organisations(tenant)
    assert [r.status for r in emulator.requests_to("GET", "/api.xro/2.0/Organisation")] == [429, 200]


@pytest.mark.parametrize("emulator", [{"concurrent_limit": 2, "latency_seconds": 0.3}], indirect=True)
def test_concurrent_limit_rejects_the_third_call_in_flight(emulator: XeroEmulator, raw: RawClient, tenant: str) -> None:
    statuses: list[tuple[int, str | None]] = []
    lock = threading.Lock()

    def call() -> None:
        response = raw.call("GET", "/Organisation", tenant)
        with lock:
            statuses.append((response.status, response.headers.get("X-Rate-Limit-Problem")))

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses, key=str) == [(200, None), (200, None), (429, "concurrent"), (429, "concurrent")]
    assert emulator.stats.max_concurrency_observed == 2


# --- attachments and history -------------------------------------------------------------------------------


def test_attachments_upload_list_download_and_limits(
    emulator: XeroEmulator, session: SdkSession, raw: RawClient, tenant: str
) -> None:
    transaction_id = create_one(session, tenant).bank_transaction_id
    uploaded = session.accounting.create_bank_transaction_attachment_by_file_name(
        tenant, transaction_id, "receipt 1.pdf", b"%PDF-1.4 receipt"
    ).attachments[0]
    assert (uploaded.file_name, uploaded.mime_type, uploaded.content_length) == ("receipt 1.pdf", "application/pdf", 16)
    assert session.accounting.get_bank_transaction(tenant, transaction_id).bank_transactions[0].has_attachments
    download = raw.call(
        "GET", f"/BankTransactions/{transaction_id}/Attachments/receipt%201.pdf", tenant, contentType="application/pdf"
    )
    assert download.data == b"%PDF-1.4 receipt"

    session.accounting.update_bank_transaction_attachment_by_file_name(
        tenant, transaction_id, "receipt 1.pdf", b"%PDF-1.4 better"
    )
    assert emulator.attachments(tenant, transaction_id) == [("receipt 1.pdf", b"%PDF-1.4 better")]

    with pytest.raises(AccountingBadRequestException) as heic:
        session.accounting.create_bank_transaction_attachment_by_file_name(tenant, transaction_id, "IMG_1.HEIC", b"x")
    assert heic.value.reason == "The file IMG_1.HEIC isn't a supported file type."

    for number in range(2, 11):
        session.accounting.create_bank_transaction_attachment_by_file_name(
            tenant, transaction_id, f"r{number}.JPG", b"jpeg"
        )
    with pytest.raises(AccountingBadRequestException) as eleventh:
        session.accounting.create_bank_transaction_attachment_by_file_name(tenant, transaction_id, "r11.png", b"p")
    assert eleventh.value.reason == "A maximum of 10 attachments can be added to a document."
    listed = session.accounting.get_bank_transaction_attachments(tenant, transaction_id).attachments
    assert len(listed) == 10

    emulator.attachment_max_bytes = 1000
    other_id = create_one(session, tenant).bank_transaction_id
    with pytest.raises(HTTPStatusException) as too_big:
        session.accounting.create_bank_transaction_attachment_by_file_name(tenant, other_id, "big.pdf", b"x" * 1001)
    assert too_big.value.status == 413


def test_history_notes_are_stored_and_returned(session: SdkSession, tenant: str) -> None:
    transaction_id = create_one(session, tenant).bank_transaction_id
    session.accounting.create_bank_transaction_history_record(
        tenant, transaction_id, HistoryRecords(history_records=[HistoryRecord(details="Approved by @ana in Slack")])
    )
    records = session.accounting.get_bank_transactions_history(tenant, transaction_id).history_records
    assert [(r.changes, r.details) for r in records] == [
        ("Created", "Received through the Xero API"),
        ("Note", "Approved by @ana in Slack"),
    ]


def test_a_history_note_longer_than_xero_allows_or_on_an_unknown_transaction_is_refused(
    session: SdkSession, tenant: str
) -> None:
    transaction_id = create_one(session, tenant).bank_transaction_id
    with pytest.raises(AccountingBadRequestException) as too_long:
        session.accounting.create_bank_transaction_history_record(
            tenant,
            transaction_id,
            HistoryRecords(history_records=[HistoryRecord(details="ok"), HistoryRecord(details="x" * 251)]),
        )
    assert too_long.value.reason == "The Details of a history note must not be longer than 250 characters."
    session.accounting.create_bank_transaction_history_record(
        tenant, transaction_id, HistoryRecords(history_records=[HistoryRecord(details="y" * 250)])
    )
    records = session.accounting.get_bank_transactions_history(tenant, transaction_id).history_records
    assert [r.details for r in records if r.changes == "Note"] == ["y" * 250], "nothing of the refused request is kept"
    with pytest.raises(HTTPStatusException) as unknown:
        session.accounting.create_bank_transaction_history_record(
            tenant, str(uuid.uuid4()), HistoryRecords(history_records=[HistoryRecord(details="z")])
        )
    assert unknown.value.status == 404


# --- OpenAPI conformance -----------------------------------------------------------------------------------------


def test_requests_that_break_the_spec_are_rejected_and_recorded(
    emulator: XeroEmulator, raw: RawClient, tenant: str
) -> None:
    wrong_type = raw.call("PUT", "/BankTransactions", tenant, {"BankTransactions": [raw_spend(Type="NOT_A_TYPE")]})
    assert wrong_type.status == 400
    assert wrong_type.json()["Title"] == "Request does not match Xero's OpenAPI spec"
    assert "NOT_A_TYPE" in wrong_type.json()["Detail"]
    wrong_field = raw.call("PUT", "/BankTransactions", tenant, {"BankTransactions": [raw_spend(LineItems="none")]})
    assert wrong_field.status == 400

    assert len(emulator.spec_violations) == 2
    assert emulator.spec_violations[0].startswith("PUT /api.xro/2.0/BankTransactions: request:")
    assert emulator.bank_transactions(tenant) == []
    emulator.spec_violations.clear()


def test_iso_dates_and_raw_json_are_accepted_and_returned_in_xero_format(raw: RawClient, tenant: str) -> None:
    response = raw.call("PUT", "/BankTransactions", tenant, {"BankTransactions": [raw_spend()]})
    stored = response.json()["BankTransactions"][0]
    assert stored["Date"] == "/Date(1704412800000+0000)/" and stored["DateString"] == "2024-01-05T00:00:00"
    assert (stored["SubTotal"], stored["TotalTax"], stored["Total"]) == (12.5, 2.5, 15.0)  # 429 defaults to INPUT2
    assert response.headers["X-MinLimit-Remaining"] == "59"


def test_every_sdk_call_in_a_typical_sync_matches_the_spec(
    emulator: XeroEmulator, session: SdkSession, tenant: str
) -> None:
    session.accounting.get_accounts(tenant)
    session.accounting.get_tax_rates(tenant)
    session.accounting.get_tracking_categories(tenant)
    session.accounting.get_contacts(tenant, page=1)
    created = create_one(session, tenant)
    session.accounting.update_or_create_bank_transactions(
        tenant, BankTransactions(bank_transactions=[spend(bank_transaction_id=created.bank_transaction_id)])
    )
    session.accounting.get_bank_transactions(tenant, where='Reference=="PAY-1"', page=1)
    assert emulator.spec_violations == []
    assert len(emulator.requests) >= 8


def test_the_clock_runs_in_real_time_until_a_test_advances_it(emulator: XeroEmulator) -> None:
    assert abs(emulator.clock.now() - datetime.now(UTC)) < timedelta(seconds=1)
    emulator.clock.advance(3600)
    assert emulator.clock.now() - datetime.now(UTC) > timedelta(minutes=59)


def test_what_a_person_does_in_xero_moves_the_transaction_into_the_next_modified_since_page(
    emulator: XeroEmulator, session: SdkSession, tenant: str
) -> None:
    kept, edited, deleted, reconciled = (create_one(session, tenant) for _ in range(4))
    emulator.clock.advance(60)
    checkpoint = emulator.clock.now()
    emulator.clock.advance(60)
    emulator.edit_in_xero(
        tenant, edited.bank_transaction_id, amount=Decimal("15.00"), account_code="463", day=date(2024, 1, 6)
    )
    emulator.delete_in_xero(tenant, deleted.bank_transaction_id)
    emulator.reconcile_in_xero(tenant, reconciled.bank_transaction_id)

    changed = session.accounting.get_bank_transactions(
        tenant, if_modified_since=checkpoint, where='Type=="SPEND"', order="UpdatedDateUTC ASC", page=1, page_size=1000
    )
    by_id = {t.bank_transaction_id: t for t in changed.bank_transactions}
    assert list(by_id) == [edited.bank_transaction_id, deleted.bank_transaction_id, reconciled.bank_transaction_id]
    after_edit = by_id[edited.bank_transaction_id]
    assert (after_edit.total, after_edit.line_items[0].account_code, after_edit.date) == (
        Decimal("15.00"),
        "463",
        date(2024, 1, 6),
    )
    assert (
        by_id[deleted.bank_transaction_id].status == "DELETED" and by_id[reconciled.bank_transaction_id].is_reconciled
    )
    assert changed.pagination.item_count == 3 and kept.bank_transaction_id not in by_id
    assert [h["Changes"] for h in emulator.history(tenant, edited.bank_transaction_id)] == ["Created", "Edited"]
    with pytest.raises(ValueError, match="reconciled with a Bank Statement"):
        emulator.edit_in_xero(tenant, reconciled.bank_transaction_id, amount=Decimal("1.00"))
    emulator.unreconcile_in_xero(tenant, reconciled.bank_transaction_id)
    emulator.edit_in_xero(tenant, reconciled.bank_transaction_id, amount=Decimal("1.00"))
    [again] = session.accounting.get_bank_transaction(tenant, reconciled.bank_transaction_id).bank_transactions
    assert (again.is_reconciled, again.total) == (False, Decimal("1.00"))
