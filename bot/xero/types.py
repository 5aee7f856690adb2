"""What the bot sends to and reads from Xero, as plain typed data: no xero-python model leaves bot.xero."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class TenantRef:
    """What a call needs to know about a connection; plain data, safe to pass between threads."""

    connection_id: int
    workspace_id: int
    tenant_id: str
    tenant_name: str
    token_set_id: int


@dataclass(frozen=True)
class TrackingChoice:
    category_id: str
    option_id: str


@dataclass(frozen=True)
class SpendLine:
    """One line of a Spend Money transaction; its amount includes tax."""

    description: str
    amount: Decimal
    account_code: str
    tax_type: str
    tracking: tuple[TrackingChoice, ...] = ()


@dataclass(frozen=True)
class SpendMoney:
    """One Spend Money transaction, tax-inclusive: one line of the fields below, or one per line of `split` (adding
    up to `amount`); `xero_id` set when it updates one Xero has."""

    contact_id: str
    bank_account_id: str
    date: date
    reference: str
    url: str
    description: str
    amount: Decimal
    account_code: str
    tax_type: str
    tracking: tuple[TrackingChoice, ...] = ()
    xero_id: str | None = None
    split: tuple[SpendLine, ...] = ()

    @property
    def lines(self) -> tuple[SpendLine, ...]:
        """What Xero gets as the LineItems: all of them, every time (an update replaces the transaction's lines)."""
        if self.split:
            return self.split
        return (SpendLine(self.description, self.amount, self.account_code, self.tax_type, self.tracking),)


@dataclass(frozen=True)
class SpendAnswer:
    """Xero's answer for one transaction of a batch: its id, or Xero's reasons for refusing it."""

    xero_id: str | None
    errors: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return bool(self.errors) or self.xero_id is None


@dataclass(frozen=True)
class FoundSpend:
    """A Spend Money transaction as a look-up sees it."""

    xero_id: str
    url: str
    status: str


@dataclass(frozen=True)
class XeroContact:
    """A Xero contact, keyed as storage keeps it."""

    contact_id: str
    name: str
    status: str = "ACTIVE"
    email: str | None = None
    updated_utc: datetime | None = None


@dataclass(frozen=True)
class ContactAnswer:
    """Xero's answer for one contact of a batch: the contact, or Xero's reasons for refusing it."""

    name: str
    contact: XeroContact | None
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Organisation:
    name: str | None
    base_currency: str | None
    short_code: str | None
    country_code: str | None


@dataclass(frozen=True)
class XeroAccount:
    account_id: str
    code: str | None
    name: str
    type: str
    account_class: str | None
    status: str
    tax_type: str | None
    system_account: str | None
    bank_account_type: str | None
    currency_code: str | None
    updated_utc: datetime | None


@dataclass(frozen=True)
class XeroTaxRate:
    tax_type: str
    name: str
    status: str
    effective_rate: Decimal | None
    can_apply_to_expenses: bool
    can_apply_to_assets: bool
    can_apply_to_liabilities: bool


@dataclass(frozen=True)
class XeroTrackingOption:
    tracking_option_id: str
    name: str
    status: str


@dataclass(frozen=True)
class XeroTrackingCategory:
    tracking_category_id: str
    name: str
    status: str
    options: list[XeroTrackingOption] = field(default_factory=list)


@dataclass(frozen=True)
class GrantedTenant:
    """One of Xero's /connections: an organisation (or practice) a token set may use."""

    connection_id: str
    tenant_id: str
    tenant_name: str | None
    tenant_type: str


@dataclass(frozen=True)
class SpendInXero:
    """A Spend Money transaction as Xero has it now: what the bot compares with what it sent."""

    xero_id: str
    status: str
    reconciled: bool
    updated_utc: datetime | None
    date: date | None
    total: Decimal | None
    lines: tuple[tuple[str, str], ...]  # (account code, tax type) of each line
    contact_name: str


@dataclass(frozen=True)
class SpendPage:
    """One page of the transactions changed since a time; `more` when Xero has further pages."""

    spends: list[SpendInXero]
    more: bool
