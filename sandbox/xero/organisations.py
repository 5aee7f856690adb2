"""The emulator's organisations and their data, as tests set them up and read them back: each read is a copy, each
change made under the emulator's lock, as a request would make it."""

from __future__ import annotations

import copy
import uuid
from datetime import date, timedelta
from typing import Any

from sandbox.xero.clock import EmulatorClock
from sandbox.xero.pipeline import EmulatorCore
from sandbox.xero.seed import build_tenant, new_contact
from sandbox.xero.state import Tenant, XeroObject
from sandbox.xero.xero_dates import ms_date, ms_date_of_day


class OrganisationControls:
    """Part of XeroEmulator (which sets these attributes up)."""

    clock: EmulatorClock
    _core: EmulatorCore
    _tenants: dict[str, Tenant]

    def add_organisation(
        self, name: str = "Acme Ltd", base_currency: str = "GBP", country: str = "GB", short_code: str = "!Ab12C"
    ) -> str:
        tenant_id = str(uuid.uuid4())
        tenant = build_tenant(
            tenant_id=tenant_id,
            name=name,
            base_currency=base_currency,
            country=country,
            short_code=short_code,
            now=self.clock.now(),
        )
        with self._core.lock:
            self._tenants[tenant_id] = tenant
        return tenant_id

    @property
    def tenant_ids(self) -> list[str]:
        with self._core.lock:
            return list(self._tenants)

    @property
    def default_tenant_id(self) -> str:
        return self.tenant_ids[0]

    def organisation(self, tenant_id: str) -> XeroObject:
        with self._core.lock:
            return copy.deepcopy(self._tenant(tenant_id).organisation)

    def accounts(self, tenant_id: str) -> list[XeroObject]:
        with self._core.lock:
            return copy.deepcopy(self._tenant(tenant_id).accounts)

    def tax_rates(self, tenant_id: str) -> list[XeroObject]:
        with self._core.lock:
            return copy.deepcopy(self._tenant(tenant_id).tax_rates)

    def tracking_categories(self, tenant_id: str) -> list[XeroObject]:
        with self._core.lock:
            return copy.deepcopy(self._tenant(tenant_id).tracking_categories)

    def contacts(self, tenant_id: str) -> list[XeroObject]:
        with self._core.lock:
            return copy.deepcopy(self._tenant(tenant_id).contacts)

    def bank_transactions(self, tenant_id: str) -> list[XeroObject]:
        with self._core.lock:
            return copy.deepcopy(list(self._tenant(tenant_id).bank_transactions.values()))

    def attachments(self, tenant_id: str, bank_transaction_id: str) -> list[tuple[str, bytes]]:
        with self._core.lock:
            stored = self._tenant(tenant_id).attachments.get(bank_transaction_id, [])
            return [(attachment.file_name, attachment.content) for attachment in stored]

    def history(self, tenant_id: str, bank_transaction_id: str) -> list[XeroObject]:
        with self._core.lock:
            return copy.deepcopy(self._tenant(tenant_id).history.get(bank_transaction_id, []))

    def archive_account(self, tenant_id: str, code: str) -> None:
        with self._core.lock:
            account = self._tenant(tenant_id).account_by_code(code)
            if account is None:
                raise KeyError(f"no account with code {code}")
            account["Status"] = "ARCHIVED"
            account["UpdatedDateUTC"] = ms_date(self.clock.now())

    def archive_tracking_option(self, tenant_id: str, category_name: str, option_name: str) -> None:
        with self._core.lock:
            category = self._tenant(tenant_id).tracking_category(category_id=None, name=category_name)
            if category is None:
                raise KeyError(f"no tracking category {category_name}")
            option = next((o for o in category["Options"] if o["Name"] == option_name), None)
            if option is None:
                raise KeyError(f"no option {option_name} in {category_name}")
            option["Status"] = "ARCHIVED"

    def set_tax_rate_status(self, tenant_id: str, tax_type: str, status: str) -> None:
        with self._core.lock:
            tax_rate = self._tenant(tenant_id).tax_rate(tax_type)
            if tax_rate is None:
                raise KeyError(f"no tax rate {tax_type}")
            tax_rate["Status"] = status

    def add_contact(self, tenant_id: str, name: str, *, status: str = "ACTIVE") -> str:
        contact = new_contact(str(uuid.uuid4()), name, self.clock.now(), status=status)
        with self._core.lock:
            self._tenant(tenant_id).contacts.append(contact)
        return str(contact["ContactID"])

    def rename_contact(self, tenant_id: str, contact_id: str, name: str) -> None:
        self._update_contact(tenant_id, contact_id, Name=name)

    def archive_contact(self, tenant_id: str, contact_id: str) -> None:
        self._update_contact(tenant_id, contact_id, ContactStatus="ARCHIVED")

    def _update_contact(self, tenant_id: str, contact_id: str, **fields: Any) -> None:
        with self._core.lock:
            contact = self._tenant(tenant_id).contact_by_id(contact_id)
            if contact is None:
                raise KeyError(f"no contact {contact_id}")
            contact.update(fields)
            contact["UpdatedDateUTC"] = ms_date(self.clock.now())

    def reconcile(self, tenant_id: str, bank_transaction_id: str) -> None:
        with self._core.lock:
            transaction = self._tenant(tenant_id).bank_transactions[bank_transaction_id]
            transaction["IsReconciled"] = True
            transaction["UpdatedDateUTC"] = ms_date(self.clock.now())

    def lock_period(self, tenant_id: str, *, before: date) -> None:
        """Documents dated before `before` can no longer be created or edited."""
        lock_date = before - timedelta(days=1)
        with self._core.lock:
            tenant = self._tenant(tenant_id)
            tenant.lock_date = lock_date
            tenant.organisation["EndOfYearLockDate"] = ms_date_of_day(lock_date)
            tenant.organisation["PeriodLockDate"] = ms_date_of_day(lock_date)

    def _tenant(self, tenant_id: str) -> Tenant:
        try:
            return self._tenants[tenant_id]
        except KeyError:
            raise KeyError(f"no organisation with tenant id {tenant_id}") from None
