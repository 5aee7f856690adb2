"""Keeping claims alive: while this instance works on claimed payments (or receipts) a heartbeat renews their
lease every few seconds, so a live sync is never settled by another instance, and a claim whose instance
died runs out within a lease."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from bot.clock import Clock
from storage.uow import UnitOfWorkFactory

logger = logging.getLogger(__name__)

# renew(old, new) moves claims still held until `old` (not finished, failed or taken over meanwhile) to `new`.
Renew = Callable[[datetime, datetime], None]


@contextmanager
def heartbeat(clock: Clock, lease: timedelta, renew: Renew, held_until: datetime) -> Iterator[None]:
    """Renew claims every few seconds until the block ends."""
    stop = threading.Event()
    every = max(0.2, min(5.0, lease.total_seconds() / 3))

    def beat() -> None:
        until = held_until
        while not stop.wait(every):
            renewed = clock.now() + lease
            try:
                renew(until, renewed)
            except Exception:  # a missed beat is retried at the next one; the claim is still held meanwhile
                logger.warning("could not renew sync claims", exc_info=True)
                continue
            until = renewed

    thread = threading.Thread(target=beat, name="sync-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def renew_syncs(uow: UnitOfWorkFactory, keys: list[str]) -> Renew:
    def renew(old: datetime, new: datetime) -> None:
        with uow() as work:
            work.payments.renew_sync_claims(keys, old, new)
            work.commit()

    return renew


def renew_uploads(uow: UnitOfWorkFactory, receipt_ids: list[int]) -> Renew:
    def renew(old: datetime, new: datetime) -> None:
        with uow() as work:
            work.payments.renew_upload_claims(receipt_ids, old, new)
            work.commit()

    return renew
