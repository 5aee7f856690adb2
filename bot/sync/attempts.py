"""The sync log: one row per request the engine makes for a payment, with what Xero answered."""

from __future__ import annotations

from collections.abc import Sequence

from bot.clock import Clock
from bot.sync.items import SyncItem, summary
from storage.models import SyncAttempt
from storage.uow import UnitOfWorkFactory


class AttemptLog:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def start(self, items: Sequence[SyncItem], operation: str) -> list[int]:
        """Record that `operation` (create, update, lookup) starts for each item; the rows' ids."""
        with self._uow() as work:
            rows = [
                SyncAttempt(
                    payment_id=item.payment_id,
                    operation=operation,
                    actor_user_id=item.actor_user_id,
                    idempotency_key=item.idempotency_key,
                    request_summary=summary(item),
                    started_at=self._clock.now(),
                )
                for item in items
            ]
            work.session.add_all(rows)
            work.commit()
            return [row.id for row in rows]

    def start_attach(self, payment_id: int, file_name: str) -> int:
        with self._uow() as work:
            row = SyncAttempt(
                payment_id=payment_id,
                operation="attach",
                request_summary={"file": file_name},
                started_at=self._clock.now(),
            )
            work.session.add(row)
            work.commit()
            return row.id

    def finish(
        self, attempt_ids: Sequence[int], outcome: str, *, xero_id: str | None = None, error: str | None = None
    ) -> None:
        """Record how the attempts ended: ok, error, or unknown (Xero's answer never came)."""
        with self._uow() as work:
            for attempt_id in attempt_ids:
                attempt = work.session.get(SyncAttempt, attempt_id)
                if attempt is not None:
                    attempt.outcome = outcome
                    attempt.xero_id = xero_id
                    attempt.error_message = error
                    attempt.finished_at = self._clock.now()
            work.commit()
