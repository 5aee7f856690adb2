"""Uploading stored receipts of synced payments to their Xero transaction, several at once within Xero's
concurrency limit; a failed upload is retried later, alone, and a refused one is not retried."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.payments import lifecycle
from bot.sync.leases import heartbeat, renew_uploads
from bot.sync.parts import RunReport, SyncParts
from bot.xero.errors import XeroError, XeroValidationError
from bot.xero.types import TenantRef
from storage.models import Receipt, ReceiptState

MAX_ATTACH_ATTEMPTS = 5
UPLOADS_AT_ONCE = 5  # Xero allows 5 calls at once per organisation; the limiter enforces it too
CLAIM_AT_ONCE = 100
NEVER = timedelta(days=3650)


@dataclass(frozen=True)
class Upload:
    receipt_id: int
    payment_id: int
    file_name: str
    xero_id: str


class ReceiptUploader:
    def __init__(self, parts: SyncParts) -> None:
        self._parts = parts

    def attach_pending(self, tenant: TenantRef, report: RunReport, *, only: set[int] | None = None) -> None:
        """Upload every due receipt of the organisation's synced payments (or just those of `only`)."""
        now = self._parts.clock.now()
        while True:
            jobs = self._claim(tenant, only, now)
            if not jobs:
                return
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
            if not all(outcomes):
                return  # what failed waits for its own retry time

    def _claim(self, tenant: TenantRef, only: set[int] | None, now: datetime) -> list[Upload]:
        with self._parts.uow() as work:
            receipts = work.payments.claim_unattached_receipts(tenant.workspace_id, now, limit=CLAIM_AT_ONCE, only=only)
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
            receipt.attach_attempts += 1
            receipt.attach_last_error = problem.message[:1000]
            permanent = isinstance(problem, XeroValidationError) or receipt.attach_attempts >= MAX_ATTACH_ATTEMPTS
            delay = NEVER if permanent else timedelta(seconds=min(2**receipt.attach_attempts * 30, 3600))
            receipt.attach_next_attempt_at = self._parts.clock.now() + delay
            lifecycle.changed(receipt.payment)
            work.commit()
