"""Plain data the Slack builders render: a payment as finance sees it, and the coding choices on offer.

Services build these from storage; the builders in `handlers/` turn them into Block Kit without touching
the database, so the builders can be tested as data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from bot.payments.lifecycle import PaymentState

STATIC_SELECT_LIMIT = 100


@dataclass(frozen=True)
class AccountChoice:
    code: str
    name: str
    tax_type: str | None = None


@dataclass(frozen=True)
class TaxChoice:
    tax_type: str
    name: str
    rate: Decimal | None = None


@dataclass(frozen=True)
class TrackingOptionChoice:
    option_id: str
    name: str


@dataclass(frozen=True)
class TrackingChoice:
    category_id: str
    name: str
    options: list[TrackingOptionChoice]


@dataclass(frozen=True)
class CodingChoices:
    """What a payment may be coded to in the connected organisation (usable items only)."""

    accounts: list[AccountChoice] = field(default_factory=list)
    tax_rates: list[TaxChoice] = field(default_factory=list)
    tracking: list[TrackingChoice] = field(default_factory=list)

    @property
    def accounts_need_search(self) -> bool:
        """More accounts than a static select can hold: use an external select that searches."""
        return len(self.accounts) > STATIC_SELECT_LIMIT


@dataclass(frozen=True)
class DuplicateOf:
    """The earlier payment a card's payment may repeat (bot/coding/duplicates.py)."""

    payment_id: int
    amount: Decimal
    currency: str
    date: date
    payee: str
    url: str | None = None  # its Slack message


@dataclass(frozen=True)
class ReceiptCheckView:
    """What one read receipt says against its payment (bot/receipts/matching_view.py)."""

    receipt_id: int
    file_name: str
    outcome: str  # "matches", "differs" or "unread"
    differences: tuple[str, ...] = ()  # "Receipt total SGD 45.00, payment SGD 54.00"
    notes: tuple[str, ...] = ()  # the FX tolerance that let a foreign total match
    tax: str | None = None  # "Receipt shows GST 4.13; GST on Purchases 9% gives 4.50"
    kept_by_user_id: str | None = None  # "Keep anyway"
    problem: str | None = None  # why the reader could not read it


@dataclass(frozen=True)
class SplitLineCard:
    """One line of a split payment as people see it (bot/payments/splits.py)."""

    amount: Decimal
    account: AccountChoice
    tax_rate: TaxChoice
    tracking: dict[str, str] = field(default_factory=dict)  # category id -> option id
    description: str | None = None


@dataclass(frozen=True)
class PaymentCard:
    payment_id: int
    version: int
    state: PaymentState
    amount: Decimal
    currency: str
    date: date
    payee: str
    source_account_name: str
    source_account_currency: str
    description: str | None = None
    reference: str | None = None
    category: str | None = None
    spender_user_id: str | None = None
    spender_email: str | None = None
    account: AccountChoice | None = None
    tax_rate: TaxChoice | None = None
    tracking: dict[str, str] = field(default_factory=dict)  # category id -> option id
    contact_name: str | None = None
    receipts: int = 0
    no_receipt_reason: str | None = None
    exclusion_reason: str | None = None
    excluded_by_user_id: str | None = None
    xero_url: str | None = None
    sync_error: str | None = None
    can_approve: bool = False
    coded_because: str | None = None  # "Suggested from 4 earlier payments to Figma", or the category mapping
    coding_note: str | None = None  # "Coded differently before: …"
    duplicate_of: DuplicateOf | None = None
    receipt_checks: tuple[ReceiptCheckView, ...] = ()
    original: str | None = None  # "USD 89.00": a foreign-currency spend as charged, before conversion
    split: tuple[SplitLineCard, ...] = ()  # its lines when split; empty for one line
    xero_status: str | None = None  # what Xero says of its transaction: "reconciled", "changed", "deleted"
    xero_reconciled_on: dt.date | None = None
    xero_changes: tuple[tuple[str, str, str], ...] = ()  # (field, sent, in Xero) of each difference
