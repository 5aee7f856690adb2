"""Settling each claimed payment: synced, refused by Xero, or waiting to be sent again.

An outcome that is not a clean answer is settled without sending twice: a lost answer (timeout, dropped
connection, 5xx) by the exact marker look-up, a rate limit or lost access by waiting, a refusal by
showing Xero's words.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.payments import lifecycle
from bot.sync.history_facts import queue_note
from bot.sync.items import SyncItem, in_words
from bot.sync.lookup import MarkerLookup
from bot.sync.parts import RunReport, SyncParts
from bot.xero.errors import XeroAuthError, XeroError, XeroRateLimited, XeroUnavailable, XeroValidationError
from bot.xero.types import TenantRef

MAX_ATTEMPTS = 5
AUTH_WAIT_SECONDS = 60


class Settler:
    def __init__(self, parts: SyncParts, lookup: MarkerLookup) -> None:
        self._parts = parts
        self._lookup = lookup

    def synced(self, item: SyncItem, xero_id: str) -> None:
        """The payment is in Xero as `xero_id`: record it, on the connection and in the audit log."""
        now = self._parts.clock.now()
        with self._parts.uow() as work:
            payment = work.payments.get(item.workspace_id, item.payment_id)
            if payment is None:
                return
            lifecycle.synced(payment, xero_id, now)
            queue_note(work, payment, xero_id, resync=item.xero_id is not None)
            connection = work.connections.active_for(item.workspace_id)
            if connection is not None:
                connection.last_sync_at = now
            work.audit.record(
                workspace_id=item.workspace_id,
                actor_user_id=item.actor_user_id,
                action="payment.synced" if item.xero_id is None else "payment.resynced",
                subject_type="payment",
                subject_id=str(item.payment_id),
                xero_id=xero_id,
            )
            work.commit()

    def refused(self, items: Sequence[SyncItem], message: str, report: RunReport) -> None:
        """Xero refused the items: each shows `message` and waits for a person to retry."""
        with self._parts.uow() as work:
            for item in items:
                payment = work.payments.get(item.workspace_id, item.payment_id)
                if payment is not None:
                    lifecycle.failed(payment, message)
                report.failed.append(item.payment_id)
            work.commit()

    def failure(self, tenant: TenantRef, items: Sequence[SyncItem], problem: XeroError, report: RunReport) -> None:
        """Settle items whose request raised `problem`."""
        if isinstance(problem, XeroUnavailable):
            self.unknown(tenant, items, problem.message, report)
        elif isinstance(problem, XeroRateLimited | XeroAuthError):
            wait = problem.retry_after if isinstance(problem, XeroRateLimited) else AUTH_WAIT_SECONDS
            resume = self._parts.clock.now() + timedelta(seconds=wait)
            for item in items:
                self._wait(item, problem.message, resume)
                report.waiting.append(item.payment_id)
        else:
            messages = problem.messages if isinstance(problem, XeroValidationError) else [problem.message]
            self.refused(items, in_words(messages, update=False), report)
        self._parts.changed(items)

    def unknown(self, tenant: TenantRef, items: Sequence[SyncItem], reason: str, report: RunReport) -> None:
        """Xero's answer never came: what the look-up finds is synced, the rest is sent again later."""
        for item in items:
            found = self._lookup.find(tenant, item, report)
            if found:
                self.synced(item, found)
                report.synced.append(item.payment_id)
            else:
                self._retry_later(item, reason, report)

    def _retry_later(self, item: SyncItem, reason: str, report: RunReport) -> None:
        with self._parts.uow() as work:
            payment = work.payments.get(item.workspace_id, item.payment_id)
            if payment is None:
                return
            if payment.sync_attempts >= MAX_ATTEMPTS:
                tries = payment.sync_attempts
                lifecycle.failed(payment, f"Xero did not answer after {tries} tries ({reason}). Retry later.")
                report.failed.append(item.payment_id)
            else:
                delay = min(2**payment.sync_attempts, 300) * (1 + random.random() / 2)  # backoff with jitter
                lifecycle.retry_at(payment, self._parts.clock.now() + timedelta(seconds=delay))
                report.waiting.append(item.payment_id)
            work.commit()

    def _wait(self, item: SyncItem, reason: str, resume: datetime) -> None:
        with self._parts.uow() as work:
            payment = work.payments.get(item.workspace_id, item.payment_id)
            if payment is not None:
                lifecycle.wait_until(payment, reason, resume)
            work.commit()
