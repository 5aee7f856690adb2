"""Xero's limits kept by every instance together, through the call ledger in the database (PostgreSQL).

Before each call an instance takes, in one short transaction, a place among the organisation's 5 calls at
once, one of its 60 calls in any minute, one of the app's calls in any minute and one of the organisation's
calls today; after the call it gives the place back. A 429's Retry-After pauses that organisation's minute on
every instance and no other organisation's. Within the process a semaphore per organisation keeps threads from
asking the database for places it cannot have.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from bot.xero.errors import XeroRateLimited
from storage.call_ledger import CallLedger, Scope

APP_MINUTE_LIMIT = 10_000
WINDOW_MARGIN = 1.0  # seconds added to each window: a request reaches Xero a little after its place was taken
CALL_LEASE = 150.0  # seconds a call may hold its place if its instance dies mid-call (timeouts are 5 + 60 s)

Sleep = Callable[[float], None]


class SharedRateLimiter:
    def __init__(
        self,
        ledger: CallLedger,
        *,
        per_minute: int = 60,
        concurrent: int = 5,
        day_limit: int = 5000,
        app_per_minute: int = APP_MINUTE_LIMIT,
        window_seconds: float = 60.0,
        sleep: Sleep = time.sleep,
        today: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.per_minute = per_minute
        self.concurrent = concurrent
        self.day_limit = day_limit
        self.window = window_seconds + WINDOW_MARGIN * window_seconds / 60.0
        self._app = Scope("app", app_per_minute, self.window)
        self._ledger = ledger
        self._sleep = sleep
        self._today = today
        self._lock = threading.Lock()
        self._here: dict[str, threading.BoundedSemaphore] = {}
        self._calls: dict[str, int] = {}
        self._day_remaining: dict[str, int] = {}
        self.ledger_seconds = 0.0  # time spent taking and giving back places, for the benchmarks
        self.ledger_round_trips = 0

    def _scopes(self, tenant_id: str) -> tuple[Scope, Scope]:
        return Scope(f"busy:{tenant_id}", self.concurrent, CALL_LEASE), Scope(
            f"minute:{tenant_id}", self.per_minute, self.window
        )

    def _semaphore(self, tenant_id: str) -> threading.BoundedSemaphore:
        with self._lock:
            found = self._here.get(tenant_id)
            if found is None:
                found = self._here[tenant_id] = threading.BoundedSemaphore(self.concurrent)
            return found

    @contextmanager
    def slot(self, tenant_id: str) -> Iterator[None]:
        """Wait until a call to this organisation may start on any instance; hold its place while it runs."""
        busy, minute = self._scopes(tenant_id)
        with self._semaphore(tenant_id):
            self._ledger.ensure(busy, minute, self._app)
            while True:
                started = time.perf_counter()
                day = self._today().astimezone(UTC).date()
                taken = self._ledger.take(
                    busy, [minute, self._app], tenant_id=tenant_id, day=day, day_limit=self.day_limit
                )
                self._spent(started)
                if taken.day_used_up:
                    raise _day_used_up(self._today())
                if taken.slot is not None:
                    break
                self._sleep(taken.wait)
            with self._lock:
                self._calls[tenant_id] = self._calls.get(tenant_id, 0) + 1
            try:
                yield
            finally:
                started = time.perf_counter()
                self._ledger.give_back(busy, taken)
                self._spent(started)

    def _spent(self, started: float) -> None:
        with self._lock:
            self.ledger_seconds += time.perf_counter() - started
            self.ledger_round_trips += 1

    def observe(self, tenant_id: str, *, minute_remaining: int | None, day_remaining: int | None) -> None:
        """What Xero said is left: the ledger counts every instance's calls, so only the day's figure is kept."""
        if day_remaining is not None:
            with self._lock:
                self._day_remaining[tenant_id] = day_remaining

    def pause(self, tenant_id: str, seconds: float) -> None:
        """After a 429: no call to this organisation, from any instance, until Retry-After has passed."""
        minute = self._scopes(tenant_id)[1]
        self._ledger.ensure(minute)
        self._ledger.pause(minute, seconds)

    def calls(self, tenant_id: str) -> int:
        with self._lock:
            return self._calls.get(tenant_id, 0)

    def day_remaining(self, tenant_id: str) -> int | None:
        with self._lock:
            return self._day_remaining.get(tenant_id)

    def left_today(self, tenant_id: str) -> int | None:
        """XERO_DAY_LIMIT less the calls every instance has made to the organisation today (the ledger's count)."""
        used = self._ledger.used_today(tenant_id, self._today().astimezone(UTC).date())
        return max(0, self.day_limit - used)


def _day_used_up(now: datetime) -> XeroRateLimited:
    tomorrow = datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), datetime.min.time(), UTC)
    return XeroRateLimited("day", (tomorrow - now).total_seconds(), tomorrow)
