"""Each payment's Xero contact: a stored contact matched by name, else one created once in Xero."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from bot.sync.items import SyncItem
from bot.sync.parts import RunReport, SyncParts
from bot.xero.errors import XeroValidationError
from bot.xero.types import TenantRef, XeroContact


class ContactResolver:
    def __init__(self, parts: SyncParts) -> None:
        self._parts = parts

    def resolve(self, tenant: TenantRef, items: list[SyncItem], report: RunReport) -> list[SyncItem]:
        """Each item with a Xero ContactID; raises XeroError when a contact can be neither found nor created."""
        missing = self._missing(tenant, items)
        if missing:
            self._create(tenant, missing, report)
        resolved: list[SyncItem] = []
        with self._parts.uow() as work:
            for item in items:
                if item.contact_id:
                    resolved.append(item)
                    continue
                contact = work.reference.contact_named(tenant.connection_id, item.contact_name)
                if contact is None:
                    name = item.contact_name
                    raise XeroValidationError([f"the contact {name} could not be found or created in Xero"])
                resolved.append(replace(item, contact_id=contact.contact_id))
        return resolved

    def _missing(self, tenant: TenantRef, items: list[SyncItem]) -> list[str]:
        """The contact names (one spelling each) our copy of Xero's contacts does not have."""
        missing: dict[str, str] = {}
        with self._parts.uow() as work:
            for item in items:
                if item.contact_id:
                    continue
                known = work.reference.contact_named(tenant.connection_id, item.contact_name)
                if known is not None:
                    missing.pop(item.contact_name.casefold(), None)
                else:
                    missing[item.contact_name.casefold()] = item.contact_name
        return list(missing.values())

    def _create(self, tenant: TenantRef, names: list[str], report: RunReport) -> None:
        key = "xeb-contacts-" + hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()[:40]
        gateway = self._parts.gateway
        report.requests += 1
        answers = gateway.create_contacts(tenant, names, key)
        created = [a.contact for a in answers if a.contact is not None]
        for answer in answers:
            if answer.errors:  # most likely a contact Xero has that our copy does not yet: find it
                report.requests += 1
                created += gateway.contacts_named(tenant, answer.name)
        with self._parts.uow() as work:
            work.reference.upsert_contacts(tenant.connection_id, [_row(c) for c in created])
            work.commit()


def _row(contact: XeroContact) -> dict[str, object]:
    return {
        "contact_id": contact.contact_id,
        "name": contact.name,
        "status": contact.status,
        "email": contact.email,
        "updated_utc": None,  # as created or found now; the next reference refresh brings Xero's time
    }
