"""Xero's per-tenant and per-app rate limits, with fixed windows on the emulator clock.

Not thread-safe on its own: the emulator calls it while holding its state lock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sandbox.xero.clock import EmulatorClock

DAY_SECONDS = 86_400


@dataclass
class FixedWindow:
    """Starts at the first call after the previous window ended, so tenants reset at different times."""

    length_seconds: float
    started_at: float = -math.inf
    count: int = 0

    def roll(self, now: float) -> None:
        if now >= self.started_at + self.length_seconds:
            self.started_at = now
            self.count = 0

    def seconds_left(self, now: float) -> int:
        return max(1, math.ceil(self.started_at + self.length_seconds - now))


@dataclass
class TenantUsage:
    minute: FixedWindow
    day: FixedWindow
    in_flight: int = 0


@dataclass(frozen=True)
class Admission:
    """Outcome of asking to run one tenant call; `problem` is None when admitted."""

    problem: str | None
    retry_after: int | None
    remaining: dict[str, str]


@dataclass
class InjectedLimit:
    problem: str
    retry_after: int | None
    count: int


@dataclass
class RateLimitStats:
    calls_per_tenant: dict[str, int] = field(default_factory=dict)
    rate_limited: int = 0
    rate_limited_per_tenant: dict[str, int] = field(default_factory=dict)
    max_concurrency: dict[str, int] = field(default_factory=dict)
    admitted_at: dict[str, list[float]] = field(default_factory=dict)  # emulator-clock times of admitted calls

    @property
    def max_concurrency_observed(self) -> int:
        return max(self.max_concurrency.values(), default=0)

    def busiest_window(self, tenant_id: str, window_seconds: float) -> int:
        """The most calls admitted for the tenant within any `window_seconds` (a sliding window)."""
        times = self.admitted_at.get(tenant_id, [])
        busiest, first = 0, 0
        for last, at in enumerate(times):
            while at - times[first] >= window_seconds:
                first += 1
            busiest = max(busiest, last - first + 1)
        return busiest


class RateLimiter:
    def __init__(
        self,
        clock: EmulatorClock,
        *,
        minute_limit: int,
        day_limit: int,
        app_minute_limit: int,
        concurrent_limit: int,
        window_seconds: float,
    ) -> None:
        self.clock = clock
        self.minute_limit = minute_limit
        self.day_limit = day_limit
        self.app_minute_limit = app_minute_limit
        self.concurrent_limit = concurrent_limit
        self.window_seconds = window_seconds
        self.stats = RateLimitStats()
        self.injected: list[InjectedLimit] = []
        self._app_minute = FixedWindow(window_seconds)
        self._tenants: dict[str, TenantUsage] = {}

    def _usage(self, tenant_id: str) -> TenantUsage:
        if tenant_id not in self._tenants:
            self._tenants[tenant_id] = TenantUsage(
                minute=FixedWindow(self.window_seconds), day=FixedWindow(DAY_SECONDS)
            )
        return self._tenants[tenant_id]

    def admit(self, tenant_id: str) -> Admission:
        now = self.clock.timestamp()
        usage = self._usage(tenant_id)
        for window in (usage.minute, usage.day, self._app_minute):
            window.roll(now)
        rejection = self._rejection(usage, now)
        if rejection is not None:
            self.stats.rate_limited += 1
            self.stats.rate_limited_per_tenant[tenant_id] = self.stats.rate_limited_per_tenant.get(tenant_id, 0) + 1
            problem, retry_after = rejection
            return Admission(problem, retry_after, self._remaining(usage))
        usage.minute.count += 1
        usage.day.count += 1
        self._app_minute.count += 1
        usage.in_flight += 1
        self.stats.calls_per_tenant[tenant_id] = self.stats.calls_per_tenant.get(tenant_id, 0) + 1
        self.stats.admitted_at.setdefault(tenant_id, []).append(now)
        self.stats.max_concurrency[tenant_id] = max(self.stats.max_concurrency.get(tenant_id, 0), usage.in_flight)
        return Admission(None, None, self._remaining(usage))

    def in_flight(self, tenant_id: str) -> int:
        return self._usage(tenant_id).in_flight

    def release(self, tenant_id: str) -> None:
        self._usage(tenant_id).in_flight -= 1

    def _rejection(self, usage: TenantUsage, now: float) -> tuple[str, int | None] | None:
        if self.injected:
            injected = self.injected[0]
            injected.count -= 1
            if injected.count <= 0:
                self.injected.pop(0)
            return injected.problem, injected.retry_after
        if usage.in_flight >= self.concurrent_limit:
            return "concurrent", None
        if usage.day.count >= self.day_limit:
            return "day", usage.day.seconds_left(now)
        if self._app_minute.count >= self.app_minute_limit:
            return "appminute", self._app_minute.seconds_left(now)
        if usage.minute.count >= self.minute_limit:
            return "minute", usage.minute.seconds_left(now)
        return None

    def _remaining(self, usage: TenantUsage) -> dict[str, str]:
        return {
            "X-DayLimit-Remaining": str(max(0, self.day_limit - usage.day.count)),
            "X-MinLimit-Remaining": str(max(0, self.minute_limit - usage.minute.count)),
            "X-AppMinLimit-Remaining": str(max(0, self.app_minute_limit - self._app_minute.count)),
        }

    def app_remaining(self) -> dict[str, str]:
        self._app_minute.roll(self.clock.timestamp())
        return {"X-AppMinLimit-Remaining": str(max(0, self.app_minute_limit - self._app_minute.count))}
