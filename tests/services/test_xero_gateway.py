"""The typed Xero gateway against the Xero emulator (real xero-python calls over loopback): what goes out as
the SDK's models comes back as our own data, and Xero's refusals as our errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import SecretStr

from bot.clock import FrozenClock
from bot.xero.errors import XeroValidationError
from bot.xero.gateway import XeroGateway
from bot.xero.types import SpendMoney, TenantRef
from sandbox.xero import XeroEmulator
from sandbox.xero.consent import connect
from storage.uow import UnitOfWorkFactory


class IssuedTokens:
    """The token manager as the gateway sees it: the access token Xero issued at consent."""

    def __init__(self, access_token: str) -> None:
        self._access_token = access_token
        self.on_auth_lost: Any = None

    def access_token(self, token_set_id: int) -> str:
        return self._access_token

    def refresh(self, token_set_id: int, *, rejected_access_token: str) -> str:
        raise AssertionError("not expected: the access token is fresh")


@pytest.fixture
def emulator() -> Iterator[XeroEmulator]:
    with XeroEmulator(attachment_max_bytes=1000) as running:
        yield running
        running.assert_no_spec_violations()


@pytest.fixture
def gateway(emulator: XeroEmulator, uow: UnitOfWorkFactory, clock: FrozenClock) -> XeroGateway:
    issued = connect(emulator.url, client_id=emulator.client_id, client_secret=emulator.client_secret)
    settings: Any = SimpleNamespace(
        xero_api_url=emulator.url,
        xero_client_id=emulator.client_id,
        xero_client_secret=SecretStr(emulator.client_secret),
    )
    tokens: Any = IssuedTokens(issued["access_token"])
    return XeroGateway(settings=settings, tokens=tokens, uow=uow, clock=clock)


@pytest.fixture
def tenant(emulator: XeroEmulator) -> TenantRef:
    return TenantRef(1, 1, emulator.default_tenant_id, "Demo Company (UK)", 1)


def spend(emulator: XeroEmulator, contact_id: str, **fields: Any) -> SpendMoney:
    bank = next(a["AccountID"] for a in emulator.accounts(emulator.default_tenant_id) if a.get("Code") == "090")
    values: dict[str, Any] = {
        "contact_id": contact_id,
        "bank_account_id": str(bank),
        "date": date(2026, 1, 1),
        "reference": "INV-77",
        "url": "https://bot.example.com/?xeb=1-1",
        "description": "Figma seats",
        "amount": Decimal("120.00"),
        "account_code": "463",
        "tax_type": "INPUT2",
    } | fields
    return SpendMoney(**values)


def test_a_batch_answers_each_transaction_and_a_repeated_key_creates_nothing_more(
    gateway: XeroGateway, emulator: XeroEmulator, tenant: TenantRef
) -> None:
    contact = emulator.add_contact(tenant.tenant_id, "Figma Inc")
    emulator.archive_account(tenant.tenant_id, "429")
    batch = [spend(emulator, contact), spend(emulator, contact, account_code="429", url="https://b.example/?xeb=1-2")]

    good, refused = gateway.create_spend_money(tenant, batch, "key-1")
    again = gateway.create_spend_money(tenant, batch, "key-1")

    assert good.xero_id is not None and not good.refused
    assert refused.refused and any("429" in e for e in refused.errors)
    assert again[0].xero_id == good.xero_id
    [stored] = [t for t in emulator.bank_transactions(tenant.tenant_id) if t.get("Type") == "SPEND"]
    assert stored["DateString"].startswith("2026-01-01") and stored["Url"] == "https://bot.example.com/?xeb=1-1"


def test_the_look_up_pages_through_one_reference_exactly(
    gateway: XeroGateway, emulator: XeroEmulator, tenant: TenantRef
) -> None:
    contact = emulator.add_contact(tenant.tenant_id, "Bank")
    spends = [spend(emulator, contact, reference="Transfer A", url=f"https://b.example/?xeb=1-{n}") for n in range(5)]
    gateway.create_spend_money(tenant, spends, "key-2")
    gateway.create_spend_money(tenant, [spend(emulator, contact, reference="Transfer")], "key-3")

    pages = [gateway.spends_with_reference(tenant, "Transfer A", page=n, page_size=2) for n in (1, 2, 3)]

    assert [len(p) for p in pages] == [2, 2, 1]
    assert sorted(f.url for p in pages for f in p) == sorted(s.url for s in spends)
    assert {f.status for p in pages for f in p} == {"AUTHORISED"}


def test_receipts_notes_and_updates_reach_the_transaction(
    gateway: XeroGateway, emulator: XeroEmulator, tenant: TenantRef
) -> None:
    contact = emulator.add_contact(tenant.tenant_id, "Figma Inc")
    [created] = gateway.create_spend_money(tenant, [spend(emulator, contact)], "key-4")
    xero_id = created.xero_id or ""

    attachment = gateway.attach_receipt(tenant, xero_id, "invoice.pdf", b"%PDF-1.4", "key-5")
    gateway.history_note(tenant, xero_id, "No receipt: lost", "key-6")
    changed = spend(emulator, contact, account_code="429", xero_id=xero_id)
    [updated] = gateway.update_spend_money(tenant, [changed], "key-7")

    assert attachment and emulator.attachments(tenant.tenant_id, xero_id) == [("invoice.pdf", b"%PDF-1.4")]
    assert any("No receipt: lost" in str(h) for h in emulator.history(tenant.tenant_id, xero_id))
    assert updated.xero_id == xero_id
    with pytest.raises(XeroValidationError, match="larger than Xero accepts"):
        gateway.attach_receipt(tenant, xero_id, "scan.pdf", b"x" * 1001, "key-8")


def test_contacts_and_reference_data_come_back_as_our_own_data(
    gateway: XeroGateway, emulator: XeroEmulator, tenant: TenantRef
) -> None:
    fresh, taken = gateway.create_contacts(tenant, ["Fresh Co", "uber"], "key-9")
    [found] = gateway.contacts_named(tenant, "Uber")  # the emulator's organisation has it

    assert fresh.contact is not None and fresh.contact.name == "Fresh Co" and not fresh.errors
    assert taken.contact is None and taken.errors and taken.name == "uber"
    assert found.name == "Uber" and found.status == "ACTIVE"
    organisation = gateway.organisation(tenant)
    assert organisation.name == "Demo Company (UK)" and organisation.base_currency == "GBP"
    accounts = {a.code: a for a in gateway.accounts(tenant)}
    assert accounts["090"].type == "BANK" and accounts["463"].account_class
    assert any(r.tax_type == "INPUT2" and r.can_apply_to_expenses for r in gateway.tax_rates(tenant))
    assert all(c.options for c in gateway.tracking_categories(tenant))
    assert "Fresh Co" in {c.name for c in gateway.contacts(tenant, page=1)}
    [granted] = gateway.connections(1)
    assert granted.tenant_id == tenant.tenant_id and granted.tenant_type == "ORGANISATION"
