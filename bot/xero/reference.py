"""Pull an organisation's reference data from Xero into storage, using If-Modified-Since where Xero has it."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.xero.gateway import XeroGateway
from bot.xero.types import TenantRef, XeroContact
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
        organisation = self._gateway.organisation(tenant)
        accounts = self._gateway.accounts(tenant, since=since)
        rates = self._gateway.tax_rates(tenant)
        categories = self._gateway.tracking_categories(tenant)
        contacts = self._contacts(tenant, since)
        with self._uow() as work:
            connection = work.connections.get(tenant.connection_id)
            if connection is None:
                return ReferenceCounts(0, 0, 0, 0)
            connection.tenant_name = organisation.name or connection.tenant_name
            connection.base_currency = organisation.base_currency
            connection.short_code = organisation.short_code
            connection.country_code = organisation.country_code
            counts = ReferenceCounts(
                accounts=work.reference.upsert_accounts(connection.id, (asdict(a) for a in accounts)),
                tax_rates=work.reference.replace_tax_rates(connection.id, (asdict(r) for r in rates)),
                tracking_categories=work.reference.replace_tracking(connection.id, (asdict(c) for c in categories)),
                contacts=work.reference.upsert_contacts(connection.id, (asdict(c) for c in contacts)),
            )
            connection.reference_synced_at = started
            connection.reference_next_at = started + REFRESH_EVERY
            work.commit()
        logger.info("reference data for connection %s refreshed: %s", tenant.connection_id, counts)
        return counts

    def _contacts(self, tenant: TenantRef, since: datetime | None) -> list[XeroContact]:
        found: list[XeroContact] = []
        page = 1
        while True:
            batch = self._gateway.contacts(tenant, page=page, since=since)
            found.extend(batch)
            if len(batch) < CONTACTS_PAGE_SIZE:
                return found
            page += 1
