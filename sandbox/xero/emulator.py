"""XeroEmulator: a faithful local Xero (Identity + Accounting) over loopback HTTP, with test controls."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

from sandbox.xero.clock import EmulatorClock
from sandbox.xero.faults import Fault
from sandbox.xero.in_xero import InXeroControls
from sandbox.xero.limits import InjectedLimit, RateLimiter, RateLimitStats
from sandbox.xero.messages import EmulatorRequest, EmulatorResponse
from sandbox.xero.oauth import IdentityService
from sandbox.xero.openapi_check import VALIDATION_AVAILABLE, SpecChecker, spec_checker
from sandbox.xero.organisations import OrganisationControls
from sandbox.xero.pipeline import EmulatorCore, RecordedRequest
from sandbox.xero.server import LoopbackServer
from sandbox.xero.spec_file import default_spec_path
from sandbox.xero.state import Tenant

_UNSET: Any = object()


def _spec_file(spec_path: Path | None) -> Path | None:
    """The OpenAPI file answers are checked against: the one given, else Xero's (none without the dev extra, as in
    the demo)."""
    if spec_path is _UNSET:
        spec_path = default_spec_path() if VALIDATION_AVAILABLE else None
    return spec_path if spec_path and spec_path.is_file() else None


class XeroEmulator(OrganisationControls, InXeroControls):
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
        self.spec_path = _spec_file(spec_path)
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
