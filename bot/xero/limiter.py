"""Keeping under Xero's per-organisation limits: calls a minute, calls at once, and the daily budget.

One limiter per process serves every thread. This in-process one is for a single instance (SQLite); on
PostgreSQL every instance shares the call ledger instead (bot.xero.shared_limiter). Xero's own counts, the
X-MinLimit-Remaining and X-DayLimit-Remaining headers each answer carries, slow it down too.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Protocol

Sleep = Callable[[float], None]
Monotonic = Callable[[], float]


class CallLimiter(Protocol):
    """What the Xero client needs of a limiter: a place for each call, and what Xero says about the limits."""

    def slot(self, tenant_id: str) -> AbstractContextManager[None]: ...

    def observe(self, tenant_id: str, *, minute_remaining: int | None, day_remaining: int | None) -> None: ...

    def pause(self, tenant_id: str, seconds: float) -> None: ...

    def calls(self, tenant_id: str) -> int: ...

    def day_remaining(self, tenant_id: str) -> int | None: ...

    def left_today(self, tenant_id: str) -> int | None:
        """Calls every instance together may still make to the organisation today under XERO_DAY_LIMIT; None
        where only this process's calls are known (then Xero's own figure, saved on the connection, decides)."""
        ...


@dataclass
class _Tenant:
    at_once: threading.BoundedSemaphore
    started: deque[float] = field(default_factory=deque)
    paused_until: float = 0.0
    day_remaining: int | None = None
    minute_remaining: int | None = None
    calls: int = 0


class RateLimiter:
    def __init__(
        self,
        *,
        per_minute: int = 60,
        concurrent: int = 5,
        window_seconds: float = 60.0,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.per_minute = per_minute
        self.concurrent = concurrent
        self.window = window_seconds
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tenants: dict[str, _Tenant] = {}

    def _tenant(self, tenant_id: str) -> _Tenant:
        with self._lock:
            found = self._tenants.get(tenant_id)
            if found is None:
                found = self._tenants[tenant_id] = _Tenant(threading.BoundedSemaphore(self.concurrent))
            return found

    @contextmanager
    def slot(self, tenant_id: str) -> Iterator[None]:
        """Wait until a call to this organisation may start, and hold one of its concurrent places."""
        tenant = self._tenant(tenant_id)
        with tenant.at_once:
            while True:
                wait = self._wait_before_start(tenant)
                if wait <= 0:
                    break
                self._sleep(wait)
            yield

    def _wait_before_start(self, tenant: _Tenant) -> float:
        with self._lock:
            now = self._monotonic()
            if tenant.paused_until > now:
                return tenant.paused_until - now
            while tenant.started and now - tenant.started[0] >= self.window:
                tenant.started.popleft()
            if tenant.minute_remaining is not None and tenant.minute_remaining <= 0:
                # Xero says this minute's budget is spent (perhaps by another instance): wait until our oldest
                # call leaves the window (a whole window if we made none), then count again.
                oldest = tenant.started[0] if tenant.started else now
                tenant.paused_until = max(tenant.paused_until, oldest + self.window)
                tenant.minute_remaining = None
                return max(tenant.paused_until - now, 0.05)
            allowed = self.per_minute
            if len(tenant.started) >= allowed:
                return max(tenant.started[0] + self.window - now, 0.05)
            tenant.started.append(now)
            tenant.calls += 1
            tenant.minute_remaining = None if tenant.minute_remaining is None else tenant.minute_remaining - 1
            return 0.0

    def observe(self, tenant_id: str, *, minute_remaining: int | None, day_remaining: int | None) -> None:
        """What Xero said is left, from an answer's headers."""
        tenant = self._tenant(tenant_id)
        with self._lock:
            if minute_remaining is not None:
                tenant.minute_remaining = minute_remaining
            if day_remaining is not None:
                tenant.day_remaining = day_remaining

    def pause(self, tenant_id: str, seconds: float) -> None:
        """After a 429: no new call to this organisation until Retry-After has passed."""
        tenant = self._tenant(tenant_id)
        with self._lock:
            tenant.paused_until = max(tenant.paused_until, self._monotonic() + seconds)
            tenant.minute_remaining = None

    def calls(self, tenant_id: str) -> int:
        return self._tenant(tenant_id).calls

    def day_remaining(self, tenant_id: str) -> int | None:
        return self._tenant(tenant_id).day_remaining

    def left_today(self, tenant_id: str) -> int | None:
        return None  # one instance: Xero's figure on the connection, less this process's claims, is the budget
