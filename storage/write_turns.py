"""SQLite: this process's writing transactions take turns on a lock of its own, woken the moment one ends.

SQLite lets one transaction write at a time. A `BEGIN IMMEDIATE` that finds the database's write lock taken
waits in SQLite's busy handler, which sleeps and looks again, ever longer (1, 2, 5, 10, … up to 100 ms between
looks): with a few threads writing, one can keep missing its moment and wait hundreds of milliseconds, or
seconds, for a write that takes one. So within a process the writers queue on a condition here, first come
first served, and the next starts as soon as the last has given its connection back; SQLite's own lock still
keeps other processes (a CLI command) out, as before.

A thread that already holds the turn takes it again at once (a second connection in the same thread would
otherwise wait on itself). A turn not given back within `TURN_WAIT_SECONDS` (it should not happen) is not
waited for longer: the writer then waits on SQLite's lock alone.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

logger = logging.getLogger(__name__)

TURN_WAIT_SECONDS = 10.0
_HELD = "write_turn"  # in the connection record's info: the thread that took the turn, and how many times


class WriteTurns:
    def __init__(self, *, wait_seconds: float = TURN_WAIT_SECONDS) -> None:
        self._wait_seconds = wait_seconds
        self._free = threading.Condition()
        self._owner: int | None = None
        self._depth = 0

    def take(self, info: dict[str, Any]) -> None:
        """Before `BEGIN IMMEDIATE` on the connection whose record's `info` this is."""
        me = threading.get_ident()
        with self._free:
            if self._owner != me:
                if not self._free.wait_for(lambda: self._owner is None, self._wait_seconds):
                    logger.warning("a SQLite write waited %.0f s for its turn; going ahead", self._wait_seconds)
                    return
                self._owner = me
            self._depth += 1
        owner, times = info.get(_HELD, (me, 0))
        info[_HELD] = (owner, times + 1)

    def give_back(self, info: dict[str, Any]) -> None:
        """When the connection goes back to the pool: its transactions are over (committed or rolled back)."""
        held = info.pop(_HELD, None)
        if held is None:
            return
        owner, times = held
        with self._free:
            if self._owner != owner:
                return
            self._depth -= times
            if self._depth <= 0:
                self._owner, self._depth = None, 0
                self._free.notify()

    @property
    def held(self) -> bool:
        with self._free:
            return self._owner is not None
