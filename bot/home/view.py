"""What the App Home shows a user: plain data for `handlers.home_blocks`, read from storage by HomeService."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from bot.payments.cards import PaymentCard

TABS = ("pending", "synced", "errors", "settings")
# The Synced tab's reconciliation filter: reconciled in Xero, or this month's synced a week ago and not reconciled.
RECONCILIATION = ("reconciled", "waiting")
PAGE_SIZE = 20


@dataclass(frozen=True)
class HomeFilter:
    """The tab, filters and page a user is looking at; kept in the Home view's private_metadata."""

    tab: str = "pending"
    source_account_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    spender: str | None = None
    page: int = 1
    reconciliation: str | None = None

    def to_json(self) -> str:
        data = asdict(self)
        data["date_from"] = self.date_from.isoformat() if self.date_from else None
        data["date_to"] = self.date_to.isoformat() if self.date_to else None
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str | None) -> HomeFilter:
        try:
            data = json.loads(text or "{}")
            return cls(
                tab=data.get("tab") if data.get("tab") in TABS else "pending",
                source_account_id=int(data["source_account_id"]) if data.get("source_account_id") else None,
                date_from=date.fromisoformat(data["date_from"]) if data.get("date_from") else None,
                date_to=date.fromisoformat(data["date_to"]) if data.get("date_to") else None,
                spender=str(data["spender"]) if data.get("spender") else None,
                page=max(1, int(data.get("page") or 1)),
                reconciliation=data["reconciliation"] if data.get("reconciliation") in RECONCILIATION else None,
            )
        except (ValueError, TypeError, KeyError):
            return cls()


@dataclass(frozen=True)
class HomeRow:
    card: PaymentCard
    labels: list[str]  # "Updated", "Missing receipt", "Sync error"
    permalink: str | None = None


@dataclass(frozen=True)
class SourceAccountOption:
    source_account_id: int
    name: str
    currency: str


@dataclass(frozen=True)
class BulkProgress:
    run_id: int
    total: int
    synced: int
    errors: int
    attachments_left: int
    running: bool


@dataclass(frozen=True)
class ReceiptNotes:
    """For finance: payments whose receipt differs (not kept anyway), and receipts a month without a payment."""

    mismatches: int = 0
    mismatch_lines: list[tuple[PaymentCard, str, str | None]] = field(default_factory=list)  # card, what, link
    stale: int = 0
    stale_lines: list[tuple[str, str, date]] = field(default_factory=list)  # sender, file name, day sent


@dataclass(frozen=True)
class HomeView:
    user_id: str
    access: str  # "employee" | "finance" | "admin"
    filter: HomeFilter
    counts: dict[str, int]  # per tab: pending, synced, errors
    rows: list[HomeRow] = field(default_factory=list)
    total: int = 0  # rows in this tab matching the filter
    ready: int = 0  # complete pending payments matching the filter ("Sync all ready")
    source_accounts: list[SourceAccountOption] = field(default_factory=list)
    bulk: BulkProgress | None = None
    connection_state: str = "never"  # connected | needs_reconnect | disconnected | never
    tenant_name: str | None = None
    totals: dict[str, Decimal] = field(default_factory=dict)  # per currency, this tab and filter
    receipt_notes: ReceiptNotes | None = None  # finance only (bot/receipts/matching_home.py)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))
