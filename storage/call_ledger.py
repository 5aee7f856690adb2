"""Taking and giving back Xero call slots in the shared ledger (storage.models.calls); PostgreSQL only.

Each statement works on its own short transaction on a connection of its own, never inside a unit of work:
a call's slot is taken just before the request and given back just after it. Those transactions commit
without waiting for the disk (synchronous_commit off): a crash may forget the last few milliseconds of
counts, which costs nothing, and each call saves two flushes of the write-ahead log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

_ENSURE = text(
    "INSERT INTO xero_call_slots (scope, slot, free_at) SELECT :scope, n, 0 FROM generate_series(0, :count - 1) AS n "
    "ON CONFLICT DO NOTHING"
)
_NO_FLUSH = text("SET LOCAL synchronous_commit TO OFF")
_NOW = text("SELECT extract(epoch FROM clock_timestamp())::float8")
_TAKE = text(
    "UPDATE xero_call_slots SET free_at = :until WHERE scope = :scope AND slot = ("
    " SELECT slot FROM xero_call_slots WHERE scope = :scope AND slot < :count AND free_at <= :now"
    " LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING slot"
)
_NEXT_FREE = text("SELECT min(free_at) FROM xero_call_slots WHERE scope = :scope AND slot < :count")
_TAKE_CALL = text(
    "SELECT * FROM xero_take_call(:busy, :busy_count, :busy_hold, :minute, :minute_count, :minute_window, "
    ":app, :app_count, :app_window, :tenant, :today, :day_limit)"
)
_GIVE_BACK = text("UPDATE xero_call_slots SET free_at = 0 WHERE scope = :scope AND slot = :slot AND free_at = :held")
_PAUSE = text("UPDATE xero_call_slots SET free_at = greatest(free_at, :until) WHERE scope = :scope AND slot < :count")
_USED_TODAY = text("SELECT used FROM xero_call_days WHERE tenant_id = :tenant AND day = :day")


@dataclass(frozen=True)
class Scope:
    """`count` calls in any `window` seconds (for calls at once, `window` is how long a call may hold one)."""

    name: str
    count: int
    window: float


@dataclass(frozen=True)
class Taken:
    """A slot held while a call runs (given back after it), or why none was: the seconds until one may be."""

    slot: int | None = None
    held_until: float = 0.0
    wait: float = 0.0
    day_used_up: bool = False


class CallLedger:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._ensured: set[tuple[str, int]] = set()

    def ensure(self, *scopes: Scope) -> None:
        """The slot rows of these scopes exist (made once; instances racing to make them is harmless)."""
        missing = [s for s in scopes if (s.name, s.count) not in self._ensured]
        if not missing:
            return
        with self._engine.begin() as connection:
            for scope in missing:
                connection.execute(_ENSURE, {"scope": scope.name, "count": scope.count})
        self._ensured.update((s.name, s.count) for s in missing)

    def take(self, busy: Scope, windows: list[Scope], *, tenant_id: str, day: date, day_limit: int) -> Taken:
        """A place among the calls at once, a call in the organisation's and the app's minute, and one of the
        day's calls, all or none, in one round trip (the migration's xero_take_call)."""
        minute, app = windows
        values = {
            "busy": busy.name, "busy_count": busy.count, "busy_hold": busy.window,
            "minute": minute.name, "minute_count": minute.count, "minute_window": minute.window,
            "app": app.name, "app_count": app.count, "app_window": app.window,
            "tenant": tenant_id, "today": day, "day_limit": day_limit,
        }  # fmt: skip
        with self._engine.begin() as connection:
            connection.execute(_NO_FLUSH)
            slot, held_until, wait, day_used_up = connection.execute(_TAKE_CALL, values).one()
        if day_used_up:
            return Taken(day_used_up=True)
        if slot is None:
            return Taken(wait=float(wait))
        return Taken(slot=int(slot), held_until=float(held_until))

    def take_one(self, scope: Scope) -> float:
        """A place in one window (a Slack channel's posts, say): 0 when taken, else the seconds until one frees."""
        self.ensure(scope)
        with self._engine.begin() as connection:
            connection.execute(_NO_FLUSH)
            now = float(connection.execute(_NOW).scalar_one())
            if _take(connection, scope, now, now + scope.window) is not None:
                return 0.0
            next_free = connection.execute(_NEXT_FREE, {"scope": scope.name, "count": scope.count}).scalar()
        return max(0.02, float(next_free or now) - now)

    def give_back(self, busy: Scope, taken: Taken) -> None:
        with self._engine.begin() as connection:
            connection.execute(_NO_FLUSH)
            connection.execute(_GIVE_BACK, {"scope": busy.name, "slot": taken.slot, "held": taken.held_until})

    def pause(self, scope: Scope, seconds: float) -> None:
        """No call in this scope for `seconds` (Xero's Retry-After), on every instance."""
        with self._engine.begin() as connection:
            now = float(connection.execute(_NOW).scalar_one())
            connection.execute(_PAUSE, {"scope": scope.name, "until": now + seconds, "count": scope.count})

    def used_today(self, tenant_id: str, day: date) -> int:
        with self._engine.connect() as connection:
            return int(connection.execute(_USED_TODAY, {"tenant": tenant_id, "day": day}).scalar() or 0)


def _take(connection: Connection, scope: Scope, now: float, until: float) -> int | None:
    found = connection.execute(_TAKE, {"scope": scope.name, "count": scope.count, "now": now, "until": until})
    slot = found.scalar()
    return None if slot is None else int(slot)
