"""XeroEmulator: a faithful local Xero (Identity + Accounting) over loopback HTTP, with test controls."""

from __future__ import annotations

import copy
import uuid
from datetime import date, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from sandbox.xero.clock import EmulatorClock
from sandbox.xero.faults import Fault
from sandbox.xero.limits import InjectedLimit, RateLimiter, RateLimitStats
from sandbox.xero.messages import EmulatorRequest, EmulatorResponse
from sandbox.xero.oauth import IdentityService
from sandbox.xero.openapi_check import VALIDATION_AVAILABLE, SpecChecker, default_spec_path, spec_checker
from sandbox.xero.pipeline import EmulatorCore, RecordedRequest
from sandbox.xero.seed import build_tenant, new_contact
from sandbox.xero.server import LoopbackServer
from sandbox.xero.state import Tenant, XeroObject
from sandbox.xero.xero_dates import ms_date, ms_date_of_day

_UNSET: Any = object()


class XeroEmulator:
    def __init__(
        self,
        *,
        client_id: str = "emulator-client-id",
        client_secret: str = "emulator-client-secret",
        minute_limit: int = 60,
        concurrent_limit: int = 5,
        day_limit: int = 5000,
        app_minute_limit: int = 10_000,
        window_seconds: float = 60.0,
        attachment_max_bytes: int = 10 * 1024 * 1024,
        latency_seconds: float = 0.0,
        spec_path: Path | None = _UNSET,
        validate: bool = True,
        port: int = 0,
        seed: bool = True,
    ) -> None:
        self.clock = EmulatorClock()
        self.client_id = client_id
        self.client_secret = client_secret
        self._tenants: dict[str, Tenant] = {}
        self._server = LoopbackServer(self._handle, port)
        # without the dev extra there is nothing to check with (the demo's case)
        unset_spec = default_spec_path() if VALIDATION_AVAILABLE else None
        resolved_spec = unset_spec if spec_path is _UNSET else spec_path
        self.spec_path: Path | None = resolved_spec if resolved_spec and resolved_spec.is_file() else None
        checker = spec_checker(self.spec_path) if validate and self.spec_path else None
        self._core = EmulatorCore(
            clock=self.clock,
            identity=IdentityService(
                self.clock,
                client_id=client_id,
                client_secret=client_secret,
                tenants=self._tenants,
                issuer=lambda: self.url,
            ),
            limiter=RateLimiter(
                self.clock,
                minute_limit=minute_limit,
                day_limit=day_limit,
                app_minute_limit=app_minute_limit,
                concurrent_limit=concurrent_limit,
                window_seconds=window_seconds,
            ),
            tenants=self._tenants,
            base_url=lambda: self.url,
            checker=checker,
            attachment_max_bytes=attachment_max_bytes,
            latency_seconds=latency_seconds,
        )
        if seed:
            self.add_organisation(name="Demo Company (UK)", short_code="!Dm0UK")

    # --- lifecycle ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def accounting_url(self) -> str:
        return f"{self.url}/api.xro/2.0"

    def start(self) -> XeroEmulator:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> XeroEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _handle(self, request: EmulatorRequest) -> EmulatorResponse:
        return self._core.handle(request)

    # --- settings tests may change while running ----------------------------------------------------

    @property
    def validating(self) -> bool:
        return self._core.checker is not None

    @property
    def spec(self) -> SpecChecker | None:
        return self._core.checker

    @property
    def latency_seconds(self) -> float:
        return self._core.latency_seconds

    @latency_seconds.setter
    def latency_seconds(self, seconds: float) -> None:
        self._core.latency_seconds = seconds

    @property
    def attachment_max_bytes(self) -> int:
        return self._core.attachment_max_bytes

    @attachment_max_bytes.setter
    def attachment_max_bytes(self, size: int) -> None:
        self._core.attachment_max_bytes = size

    # --- organisations and seed data ---------------------------------------------------------------

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

    # --- identity controls -------------------------------------------------------------------------

    @property
    def consent_tenants(self) -> list[str] | None:
        return self._core.identity.consent_tenants

    @consent_tenants.setter
    def consent_tenants(self, tenant_ids: list[str] | None) -> None:
        unknown = [t for t in tenant_ids or [] if t not in self._tenants]
        if unknown:
            raise KeyError(f"unknown tenant ids {unknown}")
        self._core.identity.consent_tenants = list(tenant_ids) if tenant_ids is not None else None

    @property
    def consent_page(self) -> bool:
        """On, the authorize endpoint shows an "Allow access" page a person clicks (the demo) before redirecting."""
        return self._core.identity.consent_page

    @consent_page.setter
    def consent_page(self, shown: bool) -> None:
        self._core.identity.consent_page = shown

    @property
    def next_authorize_error(self) -> str | None:
        return self._core.identity.next_authorize_error

    @next_authorize_error.setter
    def next_authorize_error(self, error: str | None) -> None:
        self._core.identity.next_authorize_error = error

    @property
    def refresh_count(self) -> int:
        return self._core.identity.refresh_count

    @property
    def user(self) -> dict[str, str]:
        return self._core.identity.user

    def connection_ids(self) -> dict[str, str]:
        """tenant id → connection id, for the tenants currently connected."""
        with self._core.lock:
            return {c.tenant_id: c.connection_id for c in self._core.identity.connections.values()}

    def disconnect_tenant(self, tenant_id: str) -> None:
        with self._core.lock:
            self._core.identity.disconnect_tenant(tenant_id)

    def revoke_all_tokens(self) -> None:
        with self._core.lock:
            self._core.identity.revoke_all_tokens()

    # --- limits, faults, observation ---------------------------------------------------------------

    @property
    def stats(self) -> RateLimitStats:
        return self._core.limiter.stats

    @property
    def minute_limit(self) -> int:
        return self._core.limiter.minute_limit

    def in_flight(self, tenant_id: str | None = None) -> int:
        """Accounting requests being handled right now (for catching a client mid-request)."""
        return self._core.limiter.in_flight(tenant_id or self.default_tenant_id)

    def inject_rate_limit(self, problem: str = "minute", retry_after: int | None = 1, count: int = 1) -> None:
        with self._core.lock:
            self._core.limiter.injected.append(InjectedLimit(problem, retry_after, count))

    def inject_fault(
        self,
        method: str = "PUT",
        path_prefix: str = "/api.xro/2.0/BankTransactions",
        kind: str = "500",
        count: int = 1,
        *,
        seconds: float = 0.0,
        retry_after: int | None = None,
    ) -> None:
        fault = Fault(method.upper(), path_prefix, kind, count, seconds=seconds, retry_after=retry_after)
        with self._core.lock:
            self._core.faults.add(fault)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._core.lock:
            return list(self._core.requests)

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method.upper() and r.path == path]

    @property
    def spec_violations(self) -> list[str]:
        return self._core.spec_violations

    def assert_no_spec_violations(self) -> None:
        if self._core.spec_violations:
            listed = "\n  ".join(self._core.spec_violations)
            raise AssertionError(f"requests or responses that break Xero's OpenAPI spec:\n  {listed}")
