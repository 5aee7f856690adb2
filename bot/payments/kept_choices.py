"""What a payment may be coded with, kept in memory per organisation while its reference data is unchanged.

Every card drawn, every coding change and every keystroke in the account search needs the organisation's usable
accounts (and the card its tax rates and tracking); an options load's answer and a submission's answer wait for
them. They change only when the organisation's reference data is refreshed from Xero, which stamps the
connection's `reference_synced_at` in the same transaction. So they are kept under (connection, that stamp, this
process's count of reference writes): a refresh by any instance, a reconnect or a disconnect is seen at the next
read, and all that is read meanwhile is the connection. What is kept is shared between threads and never changed
in place; each database (engine) has its own.

The account search reads even the connection only once a second per organisation (`Marks`): it answers every
keystroke of every finance user, and Slack waits for its answer. A change made by this process is seen at once;
another instance's refresh, connect or disconnect within the second after (a search may list the old accounts
for that second; choosing one is checked again when it is saved).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from bot.payments.cards import AccountChoice
from bot.recent import Recent
from storage.repositories.connections import connection_writes
from storage.repositories.reference import reference_writes
from storage.uow import UnitOfWork

KEPT = 256  # organisations whose choices are kept per database; the least recently used is dropped first
MARK_SECONDS = 1.0  # how long the account search trusts the connection it last read

Mark = tuple[int, datetime | None]  # the connection's id and its reference data's refresh stamp
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class PerDatabase(Generic[K, V]):
    """A `Recent` for each database (engine) the bot's units of work use; a disposed engine's is forgotten."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._databases: WeakKeyDictionary[Any, Recent[K, V]] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def of(self, work: UnitOfWork) -> Recent[K, V]:
        database = work.session.get_bind()
        with self._lock:
            recent = self._databases.get(database)
            if recent is None:
                recent = self._databases[database] = Recent(self._size)
            return recent


class Kept(Generic[T]):
    def __init__(self, *, kept: int = KEPT) -> None:
        self._values: PerDatabase[tuple[int, datetime | None, int], T] = PerDatabase(kept)

    def get(self, work: UnitOfWork, mark: Mark, read: Callable[[], T]) -> T:
        return self._values.of(work).get((*mark, reference_writes()), read)


class Marks:
    """Each workspace's active connection mark, read at most once per `seconds` (and after this process writes a
    connection); bounded like `Kept`."""

    def __init__(
        self, *, seconds: float = MARK_SECONDS, kept: int = KEPT, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._seconds = seconds
        self._monotonic = monotonic
        self._marks: PerDatabase[int, tuple[float, int, Mark | None]] = PerDatabase(kept)

    def of(self, work: UnitOfWork, workspace_id: int) -> Mark | None:
        now, writes = self._monotonic(), connection_writes()
        marks = self._marks.of(work)
        read_at, read_after, mark = marks.peek(workspace_id) or (float("-inf"), -1, None)
        if read_after == writes and now < read_at + self._seconds:
            return mark
        mark = work.connections.active_reference_mark(workspace_id)
        marks.put(workspace_id, (now, writes, mark))
        return mark


class AccountChoices:
    """The account search's list: the usable line accounts as plain rows; per search, at most the stamp is read."""

    def __init__(self, marks: Marks | None = None) -> None:
        self._kept: Kept[list[AccountChoice]] = Kept()
        self._marks = marks or Marks()

    def of(self, work: UnitOfWork, workspace_id: int) -> list[AccountChoice]:
        """The workspace's connected organisation's usable line accounts (none when not connected)."""
        mark = self._marks.of(work, workspace_id)
        if mark is None:
            return []
        connection_id = mark[0]

        def read() -> list[AccountChoice]:
            return [AccountChoice(c, name, tax) for c, name, tax in work.reference.line_account_rows(connection_id)]

        return self._kept.get(work, mark, read)
