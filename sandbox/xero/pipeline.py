"""What happens to each request: identity endpoints, or auth → tenant → limits → faults → spec → handler."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.xero import accounting
from sandbox.xero.clock import EmulatorClock
from sandbox.xero.context import TenantCall
from sandbox.xero.faults import Fault, FaultPlan
from sandbox.xero.idempotency import IdempotencyStore
from sandbox.xero.limits import Admission, RateLimiter
from sandbox.xero.messages import EmulatorRequest, EmulatorResponse, json_response, not_found, problem
from sandbox.xero.oauth import IdentityService
from sandbox.xero.openapi_check import SpecChecker
from sandbox.xero.state import Tenant

XERO_500_MESSAGE = (
    "An error occurred in Xero. Check the API Status page http://status.developer.xero.com for current "
    "service status. Contact the API support team at api@xero.com for more assistance."
)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    status: int | None
    response_body: bytes


@dataclass
class EmulatorCore:
    clock: EmulatorClock
    identity: IdentityService
    limiter: RateLimiter
    tenants: dict[str, Tenant]
    base_url: Callable[[], str]
    checker: SpecChecker | None
    attachment_max_bytes: int
    latency_seconds: float
    lock: threading.RLock = field(default_factory=threading.RLock)
    faults: FaultPlan = field(default_factory=FaultPlan)
    idempotency: IdempotencyStore | None = None
    requests: list[RecordedRequest] = field(default_factory=list)
    spec_violations: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.idempotency is None:
            self.idempotency = IdempotencyStore(self.clock)

    def handle(self, request: EmulatorRequest) -> EmulatorResponse:
        response = self._respond(request)
        with self.lock:
            self.requests.append(
                RecordedRequest(
                    method=request.method,
                    path=request.path,
                    query=request.query,
                    headers=dict(request.headers),
                    body=request.body,
                    status=None if response.drop_connection else response.status,
                    response_body=response.body,
                )
            )
        return response

    def _respond(self, request: EmulatorRequest) -> EmulatorResponse:
        if accounting.is_accounting_path(request.path):
            return self._accounting(request)
        with self.lock:
            fault = self.faults.take(request.method, request.path)
        early = _delay_or_fail(fault, 0.0)
        if early is not None:
            return early
        with self.lock:
            response = self._identity(request)
        response.drop_connection = fault is not None and fault.kind == "commit_then_drop"
        return response

    def _identity(self, request: EmulatorRequest) -> EmulatorResponse:
        method, path = request.method, request.path
        if method == "GET" and path == "/identity/connect/authorize":
            return self.identity.authorize(request)
        if method == "POST" and path == "/connect/token":
            return self.identity.token(request)
        if method == "POST" and path == "/connect/revocation":
            return self.identity.revocation(request)
        if path.lower() == "/connections" or path.lower().startswith("/connections/"):
            return self._connections(request)
        return not_found()

    def _connections(self, request: EmulatorRequest) -> EmulatorResponse:
        unauthorized = self.identity.bearer_problem(request)
        if unauthorized is not None:
            return unauthorized
        connection_id = request.path.split("/", 2)[2] if request.path.count("/") >= 2 else ""
        if request.method == "GET" and not connection_id:
            response = self.identity.list_connections(request)
        elif request.method == "DELETE" and connection_id:
            response = self.identity.delete_connection(connection_id)
        else:
            return problem(405, "Method Not Allowed", f"{request.method} {request.path}")
        response.headers.update(self.limiter.app_remaining())
        return response

    def _accounting(self, request: EmulatorRequest) -> EmulatorResponse:
        with self.lock:
            refusal = self.identity.bearer_problem(request)
            tenant_id = request.header("xero-tenant-id") or ""
            if refusal is None and (tenant_id not in self.tenants or not self.identity.is_connected(tenant_id)):
                refusal = problem(403, "Forbidden", "AuthenticationUnsuccessful", Instance=str(uuid.uuid4()))
            if refusal is not None:
                return refusal
            admission = self.limiter.admit(tenant_id)
            if admission.problem is not None:
                return _too_many_requests(admission)
            fault = self.faults.take(request.method, request.path)
        try:
            response = self._admitted(request, self.tenants[tenant_id], fault)
        finally:
            with self.lock:
                self.limiter.release(tenant_id)
        response.headers.update(admission.remaining)
        return response

    def _admitted(self, request: EmulatorRequest, tenant: Tenant, fault: Fault | None) -> EmulatorResponse:
        early = _delay_or_fail(fault, self.latency_seconds)
        if early is not None:
            return early
        spec_problem = self.checker.request_problem(request) if self.checker else None
        if spec_problem is not None:
            return self._spec_violation(request, "request", spec_problem)
        response = self._run_once(request, tenant)
        response_problem = self.checker.response_problem(request, response) if self.checker else None
        if response_problem is not None:
            with self.lock:
                self.spec_violations.append(f"{request.method} {request.path}: response: {response_problem}")
        response.drop_connection = fault is not None and fault.kind == "commit_then_drop"
        return response

    def _run_once(self, request: EmulatorRequest, tenant: Tenant) -> EmulatorResponse:
        """Runs the handler, or replays the stored response for a repeated Idempotency-Key."""
        assert self.idempotency is not None
        key = request.header("idempotency-key") if request.method in ("PUT", "POST", "PATCH") else None
        with self.lock:
            if key:
                replay = self.idempotency.check(tenant.tenant_id, key, request)
                if replay is not None:
                    return replay
            call = TenantCall(tenant, request, self.clock.now(), self.base_url(), self.attachment_max_bytes)
            response = accounting.handle(call)
            if key:
                self.idempotency.remember(tenant.tenant_id, key, request, response)
            return response

    def _spec_violation(self, request: EmulatorRequest, part: str, detail: str) -> EmulatorResponse:
        with self.lock:
            self.spec_violations.append(f"{request.method} {request.path}: {part}: {detail}")
        return json_response(
            400, {"Title": "Request does not match Xero's OpenAPI spec", "Status": 400, "Detail": detail}
        )


def _delay_or_fail(fault: Fault | None, latency_seconds: float) -> EmulatorResponse | None:
    """Sleeps for configured and injected latency; returns the error response of a 500/503 fault."""
    delay = latency_seconds + (fault.seconds if fault is not None and fault.kind == "latency" else 0.0)
    if delay > 0:
        time.sleep(delay)
    if fault is None:
        return None
    if fault.kind == "500":
        return json_response(500, {"ErrorNumber": 500, "Type": "UnknownErrorException", "Message": XERO_500_MESSAGE})
    if fault.kind == "503":
        response = problem(503, "Service Unavailable", "The Xero API is temporarily unavailable. Please retry later.")
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response
    return None


def _too_many_requests(admission: Admission) -> EmulatorResponse:
    assert admission.problem is not None
    response = problem(
        429, "Too Many Requests", f"Rate limit exceeded: {admission.problem}", RateLimitProblem=admission.problem
    )
    response.headers.update(admission.remaining)
    response.headers["X-Rate-Limit-Problem"] = admission.problem
    if admission.retry_after is not None:
        response.headers["Retry-After"] = str(admission.retry_after)
    return response
