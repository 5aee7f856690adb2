"""Each signed Slack command or interaction is handled once, without a database write before Slack's ack.

Slack's signature covers a timestamp and the body but no nonce: the same signed request (a captured
`/xero role @someone admin`, say) would be accepted again for the five minutes Bolt accepts its timestamp.
Before the ack, this instance's memory of recent signatures refuses a replay at once (401). Then, in the
listener's own thread and before it changes anything, the signature is recorded in the database (right
after the ack for a click, which acks first), which catches a replay sent to another instance or after a
restart: that one is acknowledged with nothing and dropped with a warning instead of being carried out.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import text

from storage.uow import UnitOfWork, UnitOfWorkFactory

REPLAY_WINDOW = timedelta(minutes=5)  # Bolt refuses a signature timestamp older than this
REPLAY_CHECK = "replay_check"  # context key: the database check each listener runs before it changes anything


class ReplayedRequest(Exception):
    """The same signed request was already handled; nothing is done and nobody is told (only its sender)."""


class RecentSignatures:
    """Signatures this instance has seen within the replay window, oldest first, at most `limit` of them."""

    def __init__(self, limit: int = 200_000) -> None:
        self._seen: OrderedDict[str, datetime] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def first(self, signature: str, now: datetime) -> bool:
        with self._lock:
            while self._seen and (
                next(iter(self._seen.values())) < now - REPLAY_WINDOW or len(self._seen) >= self._limit
            ):
                self._seen.popitem(last=False)
            if signature in self._seen:
                return False
            self._seen[signature] = now
            return True


class ReplayGuard:
    def __init__(self, uow: UnitOfWorkFactory, now: Callable[[], datetime]) -> None:
        self._uow = uow
        self._now = now
        self._recent = RecentSignatures()

    def first_here(self, signature: str) -> bool:
        """Before the ack: no database, only this instance's memory."""
        return self._recent.first(_digest(signature), self._now())

    def record(self, signature: str) -> None:
        """After the ack: raises ReplayedRequest when any instance already handled this signature."""
        with self._uow() as uow:
            without_waiting_for_disk(uow)
            first = uow.events.first_request(signature, self._now())
            uow.commit()
        if not first:
            raise ReplayedRequest()


def without_waiting_for_disk(uow: UnitOfWork) -> None:
    """On PostgreSQL, this transaction's commit does not wait for its WAL to reach the disk (a few ms, tens
    under load): a record of this kind lost in a crash only lets a replay within its five minutes through to the
    instances that had not seen it, and nothing else is written in the same transaction."""
    if uow.session.get_bind().dialect.name == "postgresql":
        uow.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def _digest(signature: str) -> str:
    return hashlib.sha256(signature.encode()).hexdigest()
