"""Workspace settings an admin edits in `/xero settings`: finance channel, bank account and category mappings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError

from bot.clock import Clock
from bot.connection.roles import Access, Actor, Roles
from bot.errors import DomainError
from bot.payments.cards import AccountChoice, TaxChoice
from bot.settings import Settings
from bot.text_input import NAME_MAX, is_decimal_digits, is_slack_channel_id, text_problem
from storage.models import CategoryMapping
from storage.repositories import category_key
from storage.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class BankAccountChoice:
    account_id: str
    name: str
    code: str | None
    currency: str


@dataclass(frozen=True)
class SourceAccountRow:
    source_account_id: int
    external_id: str
    name: str
    currency: str
    mapped_to: str | None  # a Xero AccountID


@dataclass(frozen=True)
class CategoryRow:
    category: str
    account_code: str
    tax_type: str | None


@dataclass(frozen=True)
class Reminders:
    first_after_days: int = 1
    every_days: int = 3
    max_reminders: int = 3
    timezone: str = "UTC"


@dataclass(frozen=True)
class WorkspaceSettingsView:
    finance_channel: str | None
    connected: bool
    reminders: Reminders = field(default_factory=Reminders)
    source_accounts: list[SourceAccountRow] = field(default_factory=list)
    bank_accounts: list[BankAccountChoice] = field(default_factory=list)
    categories: list[CategoryRow] = field(default_factory=list)
    accounts: list[AccountChoice] = field(default_factory=list)
    tax_rates: list[TaxChoice] = field(default_factory=list)


@dataclass
class SettingsChange:
    finance_channel: str | None = None
    bank_mapping: dict[int, str | None] = field(default_factory=dict)  # source account id -> Xero AccountID
    new_category: str | None = None
    new_category_account: str | None = None
    new_category_tax: str | None = None
    remove_categories: list[str] = field(default_factory=list)
    reminders: dict[str, str] = field(default_factory=dict)  # as typed: first_after_days, every_days, ...


class SettingsRefused(DomainError):
    """Some fields are wrong; `errors` maps a field to what to do."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class WorkspaceSettingsService:
    def __init__(self, *, settings: Settings, uow: UnitOfWorkFactory, clock: Clock, roles: Roles) -> None:
        self._settings = settings
        self._uow = uow
        self._clock = clock
        self._roles = roles

    def view(self, actor: Actor) -> WorkspaceSettingsView:
        self._roles.require(actor, Access.ADMIN, "change the bot's settings")
        with self._uow() as work:
            workspace = work.workspaces.get(actor.workspace_id)
            connection = work.connections.active_for(actor.workspace_id)
            channel = (workspace.finance_channel_id if workspace else None) or self._settings.finance_channel
            banks = (
                [
                    BankAccountChoice(a.account_id, a.name, a.code, a.currency_code or "")
                    for a in work.reference.bank_accounts(connection.id)
                    if a.status == "ACTIVE"
                ]
                if connection
                else []
            )
            return WorkspaceSettingsView(
                finance_channel=channel,
                connected=connection is not None,
                reminders=Reminders(
                    workspace.reminder_first_after_days,
                    workspace.reminder_every_days,
                    workspace.reminder_max,
                    workspace.timezone,
                )
                if workspace
                else Reminders(),
                source_accounts=[
                    SourceAccountRow(s.id, s.external_id, s.name, s.currency, s.xero_bank_account_id)
                    for s in work.payments.source_accounts(actor.workspace_id)
                ],
                bank_accounts=banks,
                categories=[
                    CategoryRow(m.category, m.account_code, m.tax_type)
                    for m in work.payments.category_mappings(actor.workspace_id)
                ],
                accounts=[
                    AccountChoice(a.code or "", a.name, a.tax_type)
                    for a in (work.reference.usable_line_accounts(connection.id) if connection else [])
                ],
                tax_rates=[
                    TaxChoice(r.tax_type, r.name, r.effective_rate)
                    for r in (work.reference.usable_tax_rates(connection.id) if connection else [])
                ],
            )

    def save(self, actor: Actor, change: SettingsChange) -> None:
        current = self.view(actor)
        errors: dict[str, str] = {}
        banks = {b.account_id: b for b in current.bank_accounts}
        sources = {s.source_account_id: s for s in current.source_accounts}
        claimed: dict[str, int] = {s.mapped_to: s.source_account_id for s in current.source_accounts if s.mapped_to}
        for source_id, xero_account_id in change.bank_mapping.items():
            source = sources.get(source_id)
            if source is None or xero_account_id is None:
                continue
            bank = banks.get(xero_account_id)
            if bank is None:
                errors[f"bank:{source_id}"] = "That Xero account is not an active bank account any more."
            elif bank.currency != source.currency:
                errors[f"bank:{source_id}"] = (
                    f"{bank.name} is in {bank.currency}; {source.name} pays in {source.currency}."
                )
            else:
                holder = claimed.get(xero_account_id)
                still_held = change.bank_mapping.get(holder, xero_account_id) == xero_account_id if holder else False
                if holder is not None and holder != source_id and still_held:
                    other = sources[holder]
                    errors[f"bank:{source_id}"] = (
                        f"{bank.name} is already connected to another bank account ({other.name}). "
                        "Unmap it there first, or choose a different Xero bank account."
                    )
                claimed[xero_account_id] = source_id
        if change.finance_channel is not None and not is_slack_channel_id(change.finance_channel):
            errors["finance_channel"] = "Choose a channel from the list."
        if change.new_category is not None:
            problem = text_problem(change.new_category, limit=NAME_MAX)
            if problem is not None:
                errors["new_category"] = f"The category name {problem}."
        if change.new_category_tax is not None and all(
            t.tax_type != change.new_category_tax for t in current.tax_rates
        ):
            errors["new_category_tax"] = "That tax rate can't be used on spending in Xero; pick another."
        # A name that could not have been stored cannot name a mapping to remove.
        change.remove_categories = [n for n in change.remove_categories if text_problem(n, limit=NAME_MAX) is None]
        account_codes = {a.code for a in current.accounts}
        if change.new_category and not change.new_category_account:
            errors["new_category_account"] = "Choose the Xero account for this category."
        if change.new_category_account and change.new_category_account not in account_codes:
            errors["new_category_account"] = "That account can't be used for spending in Xero."
        if change.new_category_account and not change.new_category:
            errors["new_category"] = "Name the category (as your bank export or card provider calls it)."
        errors.update(_reminder_errors(change.reminders))
        if errors:
            raise SettingsRefused(errors)
        self._apply(actor, change)

    def _apply(self, actor: Actor, change: SettingsChange) -> None:
        now = self._clock.now()
        try:
            with self._uow() as work:
                workspace = work.workspaces.get(actor.workspace_id)
                assert workspace is not None
                if change.finance_channel != workspace.finance_channel_id and change.finance_channel:
                    workspace.finance_channel_id = change.finance_channel
                _map_bank_accounts(work, actor, change.bank_mapping, now)
                if change.reminders:
                    workspace.reminder_first_after_days = int(change.reminders["first_after_days"])
                    workspace.reminder_every_days = int(change.reminders["every_days"])
                    workspace.reminder_max = int(change.reminders["max_reminders"])
                    workspace.timezone = change.reminders["timezone"].strip()
                _change_categories(work, actor, change)
                work.audit.record(
                    workspace_id=actor.workspace_id,
                    actor_user_id=actor.user_id,
                    action="settings.changed",
                    finance_channel=change.finance_channel,
                    bank_mapping={str(k): v for k, v in change.bank_mapping.items()},
                    new_category=change.new_category,
                    removed_categories=change.remove_categories,
                )
                work.commit()
        except IntegrityError:
            raise DomainError(
                "Another admin mapped that Xero bank account at the same moment. Open settings again and retry."
            ) from None


def _map_bank_accounts(work: UnitOfWork, actor: Actor, mapping_of: dict[int, str | None], now: datetime) -> None:
    """Unmap what changes first, so two accounts can swap Xero bank accounts without breaking the unique index."""
    for source in work.payments.source_accounts(actor.workspace_id):
        if source.id in mapping_of and source.xero_bank_account_id != mapping_of[source.id]:
            source.xero_bank_account_id = None
    work.session.flush()
    for source in work.payments.source_accounts(actor.workspace_id):
        if mapping_of.get(source.id):
            source.xero_bank_account_id = mapping_of[source.id]
            source.mapped_by_user_id = actor.user_id
            source.mapped_at = now


def _change_categories(work: UnitOfWork, actor: Actor, change: SettingsChange) -> None:
    for name in change.remove_categories:
        mapping = work.payments.category_mapping(actor.workspace_id, name)
        if mapping is not None:
            work.session.delete(mapping)
    if not (change.new_category and change.new_category_account):
        return
    mapping = work.payments.category_mapping(actor.workspace_id, change.new_category)
    if mapping is None:
        mapping = CategoryMapping(
            workspace_id=actor.workspace_id,
            category_key=category_key(change.new_category),
            category=change.new_category.strip(),
        )
        work.session.add(mapping)
    mapping.account_code = change.new_category_account
    mapping.tax_type = change.new_category_tax
    mapping.tracking = []
    mapping.updated_by_user_id = actor.user_id


REMINDER_LIMITS = {"first_after_days": (0, 60), "every_days": (1, 60), "max_reminders": (0, 20)}
TIMEZONE_MAX = 64


def _reminder_errors(values: dict[str, str]) -> dict[str, str]:
    """Whole numbers in range, and a real time zone name; keys name the fields."""
    errors: dict[str, str] = {}
    if not values:
        return errors
    for key, (low, high) in REMINDER_LIMITS.items():
        text = values.get(key, "").strip()
        if not is_decimal_digits(text) or len(text) > 3 or not low <= int(text) <= high:
            errors[key] = f"Enter a whole number from {low} to {high}."
    zone = values.get("timezone", "").strip()
    try:
        if text_problem(zone, limit=TIMEZONE_MAX) is not None:
            raise ValueError(zone)
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
        errors["timezone"] = "Enter a time zone name such as Europe/London or Asia/Singapore."
    return errors
