"""In-memory data held by the emulator: organisations (tenants) and OAuth grants.

Xero objects are kept as the JSON dicts Xero returns, so reads are just copies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

XeroObject = dict[str, Any]


@dataclass
class StoredAttachment:
    attachment_id: str
    file_name: str
    content: bytes
    mime_type: str


@dataclass
class Tenant:
    tenant_id: str
    organisation: XeroObject
    accounts: list[XeroObject]
    tax_rates: list[XeroObject]
    tracking_categories: list[XeroObject]
    contacts: list[XeroObject]
    bank_transactions: dict[str, XeroObject] = field(default_factory=dict)
    attachments: dict[str, list[StoredAttachment]] = field(default_factory=dict)
    history: dict[str, list[XeroObject]] = field(default_factory=dict)
    lock_date: date | None = None

    @property
    def name(self) -> str:
        return str(self.organisation["Name"])

    def account_by_code(self, code: str) -> XeroObject | None:
        return next((a for a in self.accounts if a.get("Code") == code), None)

    def account_by_id(self, account_id: str) -> XeroObject | None:
        return next((a for a in self.accounts if a["AccountID"] == account_id), None)

    def tax_rate(self, tax_type: str) -> XeroObject | None:
        return next((t for t in self.tax_rates if t["TaxType"] == tax_type), None)

    def contact_by_id(self, contact_id: str) -> XeroObject | None:
        return next((c for c in self.contacts if c["ContactID"] == contact_id), None)

    def active_contact_named(self, name: str) -> XeroObject | None:
        wanted = name.strip().casefold()
        return next(
            (c for c in self.contacts if c["ContactStatus"] == "ACTIVE" and c["Name"].strip().casefold() == wanted),
            None,
        )

    def tracking_category(self, *, category_id: str | None, name: str | None) -> XeroObject | None:
        for category in self.tracking_categories:
            if category_id and category["TrackingCategoryID"] == category_id:
                return category
            if not category_id and name and category["Name"].casefold() == name.strip().casefold():
                return category
        return None


@dataclass
class Connection:
    connection_id: str
    tenant_id: str
    auth_event_id: str
    created: datetime
    updated: datetime


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    auth_event_id: str
    expires_at: datetime
    used: bool = False


@dataclass
class Grant:
    """One user consent (Xero's "auth event"); every token rotated from it shares it."""

    auth_event_id: str
    client_id: str
    scope: str
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    auth_event_id: str
    expires_at: datetime
    revoked: bool = False


@dataclass
class RefreshToken:
    token: str
    auth_event_id: str
    expires_at: datetime
    first_used_at: datetime | None = None
    revoked: bool = False
