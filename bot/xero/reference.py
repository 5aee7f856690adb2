"""Pull an organisation's reference data from Xero into storage, using If-Modified-Since where Xero has it."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.clock import Clock
from bot.xero.gateway import TenantRef, XeroGateway
from storage.uow import UnitOfWorkFactory

logger = logging.getLogger(__name__)

REFRESH_EVERY = timedelta(hours=6)
CONTACTS_PAGE_SIZE = 100


@dataclass(frozen=True)
class ReferenceCounts:
    accounts: int
    tax_rates: int
    tracking_categories: int
    contacts: int


class ReferenceDataSync:
    def __init__(self, *, gateway: XeroGateway, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._gateway = gateway
        self._uow = uow
        self._clock = clock

    def refresh(self, tenant: TenantRef, *, full: bool = False) -> ReferenceCounts:
        """Bring the stored copy up to date; `full` ignores what was fetched before."""
        started = self._clock.now()
        with self._uow() as work:
            connection = work.connections.get(tenant.connection_id)
            since = None if full or connection is None else connection.reference_synced_at
        organisation = self._gateway.accounting(tenant, "get_organisations").organisations[0]
        accounts = self._gateway.accounting(tenant, "get_accounts", **_since(since)).accounts or []
        rates = self._gateway.accounting(tenant, "get_tax_rates").tax_rates or []
        categories = self._gateway.accounting(tenant, "get_tracking_categories").tracking_categories or []
        contacts = self._contacts(tenant, since)
        with self._uow() as work:
            connection = work.connections.get(tenant.connection_id)
            if connection is None:
                return ReferenceCounts(0, 0, 0, 0)
            connection.tenant_name = organisation.name or connection.tenant_name
            connection.base_currency = _value(organisation.base_currency)
            connection.short_code = organisation.short_code
            connection.country_code = _value(organisation.country_code)
            counts = ReferenceCounts(
                accounts=work.reference.upsert_accounts(connection.id, (_account(a) for a in accounts)),
                tax_rates=work.reference.replace_tax_rates(connection.id, (_tax_rate(r) for r in rates)),
                tracking_categories=work.reference.replace_tracking(connection.id, (_category(c) for c in categories)),
                contacts=work.reference.upsert_contacts(connection.id, (_contact(c) for c in contacts)),
            )
            connection.reference_synced_at = started
            connection.reference_next_at = started + REFRESH_EVERY
            work.commit()
        logger.info("reference data for connection %s refreshed: %s", tenant.connection_id, counts)
        return counts

    def _contacts(self, tenant: TenantRef, since: datetime | None) -> list[Any]:
        found: list[Any] = []
        page = 1
        while True:
            batch = (
                self._gateway.accounting(
                    tenant, "get_contacts", page=page, include_archived=True, **_since(since)
                ).contacts
                or []
            )
            found.extend(batch)
            if len(batch) < CONTACTS_PAGE_SIZE:
                return found
            page += 1


def _since(when: datetime | None) -> dict[str, Any]:
    return {} if when is None else {"if_modified_since": when.astimezone(UTC)}


def _value(item: Any) -> Any:
    return item.value if isinstance(item, enum.Enum) else item


def _utc(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _account(account: Any) -> dict[str, Any]:
    return {
        "account_id": str(account.account_id),
        "code": account.code,
        "name": account.name or "",
        "type": _value(account.type) or "",
        "account_class": _value(account._class),
        "status": _value(account.status) or "ACTIVE",
        "tax_type": account.tax_type,
        "system_account": _value(account.system_account) or None,
        "bank_account_type": _value(account.bank_account_type) or None,
        "currency_code": _value(account.currency_code),
        "updated_utc": _utc(account.updated_date_utc),
    }


def _tax_rate(rate: Any) -> dict[str, Any]:
    effective = rate.effective_rate
    return {
        "tax_type": rate.tax_type,
        "name": rate.name or rate.tax_type,
        "status": _value(rate.status) or "ACTIVE",
        "effective_rate": Decimal(str(effective)) if effective is not None else None,
        "can_apply_to_expenses": bool(rate.can_apply_to_expenses),
        "can_apply_to_assets": bool(rate.can_apply_to_assets),
        "can_apply_to_liabilities": bool(rate.can_apply_to_liabilities),
    }


def _category(category: Any) -> dict[str, Any]:
    return {
        "tracking_category_id": str(category.tracking_category_id),
        "name": category.name or "",
        "status": _value(category.status) or "ACTIVE",
        "options": [_option(option) for option in category.options or []],
    }


def _option(option: Any) -> dict[str, Any]:
    return {
        "tracking_option_id": str(option.tracking_option_id),
        "name": option.name or "",
        "status": _value(option.status) or "ACTIVE",
    }


def _contact(contact: Any) -> dict[str, Any]:
    return {
        "contact_id": str(contact.contact_id),
        "name": contact.name or "",
        "status": _value(contact.contact_status) or "ACTIVE",
        "email": contact.email_address,
        "updated_utc": _utc(contact.updated_date_utc),
    }
