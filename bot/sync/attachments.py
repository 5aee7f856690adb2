"""Uploading stored receipts of synced payments to their Xero transaction, several at once within Xero's
concurrency limit; a failed upload is retried later, alone, and a refused one is not retried.

Receipts never spend the last calls of the organisation's day while transactions wait: uploads stop short of
a reserve (two calls per waiting batch of 50: its contacts and itself) and the rest wait for tomorrow's budget.
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.payments import lifecycle
from bot.sync.leases import heartbeat, renew_uploads
from bot.sync.parts import RunReport, SyncParts
from bot.xero.errors import XeroError, XeroValidationError
from bot.xero.types import TenantRef
from storage.models import Payment, Receipt, ReceiptState

MAX_ATTACH_ATTEMPTS = 5
UPLOADS_AT_ONCE = 5  # Xero allows 5 calls at once per organisation; the limiter enforces it too
CLAIM_AT_ONCE = 100
NEVER = timedelta(days=3650)
BATCH = 50  # transactions a sync request carries (bot.sync.engine.BATCH_SIZE)


def reserve_for(waiting_transactions: int) -> int:
    """Calls kept back from receipts for waiting transactions: each batch and its contacts."""
    return 2 * math.ceil(waiting_transactions / BATCH)


@dataclass(frozen=True)
class Upload:
    receipt_id: int
    payment_id: int
    file_name: str
    xero_id: str


class ReceiptUploader:
    def __init__(self, parts: SyncParts) -> None:
        self._parts = parts
        # uploads claimed since Xero's figure for the day was last saved: (when it was seen, how many)
        self._since_seen: dict[int, tuple[datetime, int]] = {}
        self._lock = threading.Lock()

    def attach_pending(self, tenant: TenantRef, report: RunReport) -> None:
        """Upload every due receipt of the organisation's synced payments."""
        while self.attach_some(tenant, report, limit=CLAIM_AT_ONCE):
            pass

    def attach_some(self, tenant: TenantRef, report: RunReport, *, limit: int = UPLOADS_AT_ONCE) -> bool:
        """Upload up to `limit` due receipts at once; False when there was none it could upload (none due, one
        failed, or the rest of today's budget is the waiting transactions')."""
        now = self._parts.clock.now()
        allowance = self.allowance(tenant, now)
        if allowance is not None and allowance <= 0:
            return False  # the rest of today's budget is the waiting transactions'; receipts wait for tomorrow
        jobs = self._claim(tenant, now, limit if allowance is None else min(limit, allowance))
        if not jobs:
            return False
        self.count_claimed(tenant.connection_id, len(jobs))
        renew = renew_uploads(self._parts.uow, [job.receipt_id for job in jobs])
        with (
            heartbeat(self._parts.clock, self._parts.lease, renew, now + self._parts.lease),
            ThreadPoolExecutor(max_workers=UPLOADS_AT_ONCE, thread_name_prefix="xero-upload") as pool,
        ):
            outcomes = list(pool.map(lambda job: self._upload(tenant, job), jobs))
        report.requests += len(jobs)
        report.attached += sum(1 for ok in outcomes if ok)
        for payment_id in dict.fromkeys(job.payment_id for job in jobs):
            self._parts.notify(tenant.workspace_id, payment_id)
        return all(outcomes)  # what failed waits for its own retry time

    def allowance(self, tenant: TenantRef, now: datetime) -> int | None:
        """Calls receipts and notes may spend today, after the reserve for waiting transactions: the least of what
        Xero last said is left (less what this process has claimed since) and what XERO_DAY_LIMIT leaves every
        instance together (the shared call ledger, on PostgreSQL); None when neither is known today."""
        budgets = []
        if (shared := self._parts.gateway.calls_left_today(tenant)) is not None:
            budgets.append(shared)
        with self._parts.uow() as work:
            connection = work.connections.get(tenant.connection_id)
            seen_at = connection.limits_seen_at if connection is not None else None
            remaining = connection.day_limit_remaining if connection is not None else None
            if seen_at is not None and seen_at.astimezone(UTC).date() != now.astimezone(UTC).date():
                seen_at = None  # yesterday's figure: a new day's budget
            if not budgets and (seen_at is None or remaining is None):
                return None
            waiting = work.payments.transactions_waiting(tenant.workspace_id)
        if seen_at is not None and remaining is not None:
            budgets.append(remaining - self._claimed_since(tenant.connection_id, seen_at))
        return min(budgets) - reserve_for(waiting)

    def _claimed_since(self, connection_id: int, seen_at: datetime) -> int:
        with self._lock:
            since, claimed = self._since_seen.get(connection_id, (seen_at, 0))
            if since != seen_at:  # a newer figure from Xero counts what was claimed before it
                claimed = 0
            self._since_seen[connection_id] = (seen_at, claimed)
            return claimed

    def count_claimed(self, connection_id: int, count: int) -> None:
        """Calls claimed (uploads, notes) since Xero's figure for the day was last saved."""
        with self._lock:
            if connection_id in self._since_seen:
                seen_at, claimed = self._since_seen[connection_id]
                self._since_seen[connection_id] = (seen_at, claimed + count)

    def _claim(self, tenant: TenantRef, now: datetime, limit: int) -> list[Upload]:
        with self._parts.uow() as work:
            receipts = work.payments.claim_unattached_receipts(tenant.workspace_id, now, limit=limit)
            jobs = [Upload(r.id, r.payment_id, r.file_name, r.payment.xero_bank_transaction_id or "") for r in receipts]
            for receipt in receipts:
                receipt.attach_next_attempt_at = now + self._parts.lease
            work.commit()
        return jobs

    def _upload(self, tenant: TenantRef, job: Upload) -> bool:
        attempt = self._parts.attempts.start_attach(job.payment_id, job.file_name)
        with self._parts.uow() as work:
            receipt = work.session.get(Receipt, job.receipt_id)
            content = (receipt.content if receipt is not None else None) or b""
        key = f"xeb-receipt-{job.receipt_id}"
        try:
            attachment_id = self._parts.gateway.attach_receipt(tenant, job.xero_id, job.file_name, content, key)
        except XeroError as problem:
            self._parts.attempts.finish([attempt], "error", error=problem.message)
            self._failed(job.receipt_id, problem)
            return False
        self._parts.attempts.finish([attempt], "ok", xero_id=attachment_id)
        with self._parts.uow() as work:
            work.session.get(Payment, job.payment_id, with_for_update=True)  # another of its receipts may finish now
            stored = work.session.get(Receipt, job.receipt_id)
            if stored is not None:
                stored.state = ReceiptState.ATTACHED
                stored.xero_attachment_id = attachment_id
                stored.attach_last_error = None
                stored.attach_next_attempt_at = None
                lifecycle.changed(stored.payment)
            work.commit()
        return True

    def _failed(self, receipt_id: int, problem: XeroError) -> None:
        """Retry later with backoff; a refused file (too large, wrong type) or one tried too often is not retried."""
        with self._parts.uow() as work:
            receipt = work.session.get(Receipt, receipt_id)
            if receipt is None:
                return
            work.session.refresh(receipt.payment, with_for_update=True)  # another of its receipts may finish now
            receipt.attach_attempts += 1
            receipt.attach_last_error = problem.message[:1000]
            permanent = isinstance(problem, XeroValidationError) or receipt.attach_attempts >= MAX_ATTACH_ATTEMPTS
            delay = NEVER if permanent else timedelta(seconds=min(2**receipt.attach_attempts * 30, 3600))
            receipt.attach_next_attempt_at = self._parts.clock.now() + delay
            lifecycle.changed(receipt.payment)
            work.commit()
