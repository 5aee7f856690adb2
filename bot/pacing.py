"""Slack's posting limit: about one message a second per channel, short bursts allowed.

A pace allows `burst` posts to a channel in any `burst` seconds (so a burst, then one a second). On
PostgreSQL every instance counts in the shared ledger (storage.call_ledger), so two instances posting to one
channel keep to it together; on SQLite (one instance) the count is kept in the process.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.engine import Engine

from storage.call_ledger import CallLedger, Scope

BURST = 3  # posts to one channel in any 3 seconds


class ChannelPace(Protocol):
    def ready(self, workspace_id: int, channel: str) -> float:
        """0 when a post to the channel may go now (and it is counted); else the seconds to wait."""
        ...


class LocalPace:
    def __init__(self, *, burst: int = BURST, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._burst = burst
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._posts: dict[tuple[int, str], deque[float]] = {}

    def ready(self, workspace_id: int, channel: str) -> float:
        with self._lock:
            now = self._monotonic()
            posts = self._posts.setdefault((workspace_id, channel), deque())
            while posts and now - posts[0] >= self._burst:
                posts.popleft()
            if len(posts) >= self._burst:
                return posts[0] + self._burst - now
            posts.append(now)
            return 0.0


class SharedPace:
    def __init__(self, ledger: CallLedger, *, burst: int = BURST) -> None:
        self._ledger = ledger
        self._burst = burst

    def ready(self, workspace_id: int, channel: str) -> float:
        return self._ledger.take_one(Scope(f"slack:{workspace_id}:{channel}"[:120], self._burst, float(self._burst)))


def channel_pace(engine: Engine) -> ChannelPace:
    return SharedPace(CallLedger(engine)) if engine.dialect.name == "postgresql" else LocalPace()
