"""The sync engine: approved payments become Xero Spend Money transactions, exactly once, in batches.

One engine serves one payment or a thousand. A run claims approved payments in the database (state
`syncing`, with a lease), so two clicks, two users or two instances never send one payment twice.
Creates carry a persisted Idempotency-Key, the Xero id is stored as soon as it is known, and a call
whose outcome is unknown (timeout, dropped connection, crash) is settled by looking the transaction up
in Xero before anything is sent again. Each transaction's Url carries its payment's key in its own query
parameter (`xeb=<workspace>-<payment>`), compared exactly, so a look-up never takes another payment's
transaction for this one, and it is there whether or not the Slack message's link could be had.

A claim lives for `lease` unless renewed: while this instance works on claimed payments (or receipts) a
heartbeat renews it every few seconds, so a live sync is never settled by another instance, and a claim
whose instance died is settled by the next run within a lease.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from xero_python.accounting.models import (
    Account,
    BankTransaction,
    BankTransactions,
    Contact,
    Contacts,
    HistoryRecord,
    HistoryRecords,
    LineAmountTypes,
    LineItem,
    LineItemTracking,
)

from bot.clock import Clock
from bot.connection.tenants import tenant_ref
from bot.payments import lifecycle
from bot.xero.errors import XeroAuthError, XeroError, XeroRateLimited, XeroUnavailable, XeroValidationError
from bot.xero.gateway import TenantRef, XeroGateway
from storage.models import Payment, Receipt, ReceiptState, SyncAttempt
from storage.uow import UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
LEASE = timedelta(seconds=60)
LOOKUP_PAGE_SIZE = 100  # Xero's default page; many transactions can share a reference ("Transfer", fees)
MARKER_PARAMETER = "xeb"
MAX_ATTEMPTS = 5
MAX_ATTACH_ATTEMPTS = 5
UPLOADS_AT_ONCE = 5  # Xero allows 5 calls at once per organisation; the limiter enforces it too
LOCKED_WORDS = ("reconciled", "lock date", "locked period", "period lock", "end of year lock")

# Called with (workspace id, payment id) after a payment's state changed, to redraw its message.
ChangeListener = Callable[[int, int], None]


@dataclass(frozen=True)
class SyncItem:
    """What one claimed payment sends to Xero; plain data, read once when the payment is claimed."""

    payment_id: int
    workspace_id: int
    idempotency_key: str
    xero_id: str | None
    bank_account_id: str
    date: date
    reference: str
    description: str
    amount: Decimal
    account_code: str
    tax_type: str
    tracking: list[dict[str, str]]
    contact_id: str | None
    contact_name: str
    url: str
    no_receipt: str | None
    actor_user_id: str | None

    @property
    def marker(self) -> str:
        """The value of the Url's `xeb` parameter: tells this payment's transaction from any other."""
        return payment_marker(self.workspace_id, self.payment_id)


@dataclass(frozen=True)
class _Upload:
    receipt_id: int
    payment_id: int
    file_name: str
    xero_id: str


@dataclass
class RunReport:
    synced: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    attached: int = 0
    requests: int = 0


class SyncEngine:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        gateway: XeroGateway,
        public_url: str,
        lease: timedelta = LEASE,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._gateway = gateway
        self._public_url = public_url.rstrip("/")
        self._lease = lease
        self.on_changed: ChangeListener | None = None
        self.batch_size = BATCH_SIZE

    # --- the job -----------------------------------------------------------------------------

    def run(self, *, only: set[int] | None = None) -> RunReport:
        """Recover stale claims, sync every due approved payment (or just `only`), then upload receipts."""
        report = RunReport()
        self.recover_stale(report)
        for tenant in self._connected_tenants():
            while True:
                items, held_until = self._claim(tenant, only)
                if not items:
                    break
                with self._heartbeat(self._renew_syncs([i.idempotency_key for i in items]), held_until):
                    self._send(tenant, items, report)
        for tenant in self._connected_tenants():
            self.attach_pending(tenant, report, only=only)
        return report

    def _connected_tenants(self) -> list[TenantRef]:
        with self._uow() as work:
            return [tenant_ref(c) for c in work.connections.all_connected() if c.token_set_id is not None]

    # --- claiming ----------------------------------------------------------------------------

    def _claim(self, tenant: TenantRef, only: set[int] | None) -> tuple[list[SyncItem], datetime]:
        now = self._clock.now()
        with self._uow() as work:
            payments = work.payments.claim_approved(tenant.workspace_id, now, limit=self.batch_size, only=only)
            items = []
            for payment in payments:
                problem = _incomplete(payment)
                if problem:
                    self._fail(work, payment, problem)
                    continue
                lifecycle.claim(payment, now + self._lease)
                items.append(_item(payment, self._public_url))
            work.commit()
        self._changed(items)
        return items, now + self._lease

    # --- keeping claims alive ----------------------------------------------------------------

    @contextmanager
    def _heartbeat(self, renew: Callable[[datetime, datetime], None], held_until: datetime) -> Iterator[None]:
        """Renew claims every few seconds until the block ends. `renew(old, new)` moves claims still held until
        `old` (not finished, failed or taken over meanwhile) to `new`."""
        stop = threading.Event()
        every = max(0.2, min(5.0, self._lease.total_seconds() / 3))

        def beat() -> None:
            until = held_until
            while not stop.wait(every):
                renewed = self._clock.now() + self._lease
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

    def _renew_syncs(self, keys: list[str]) -> Callable[[datetime, datetime], None]:
        def renew(old: datetime, new: datetime) -> None:
            with self._uow() as work:
                work.payments.renew_sync_claims(keys, old, new)
                work.commit()

        return renew

    def _renew_uploads(self, receipt_ids: list[int]) -> Callable[[datetime, datetime], None]:
        def renew(old: datetime, new: datetime) -> None:
            with self._uow() as work:
                work.payments.renew_upload_claims(receipt_ids, old, new)
                work.commit()

        return renew

    # --- sending -----------------------------------------------------------------------------

    def _send(self, tenant: TenantRef, items: list[SyncItem], report: RunReport) -> None:
        try:
            items = self._with_contacts(tenant, items, report)
        except XeroError as problem:
            self._settle_failure(tenant, items, problem, report)
            return
        creates = [i for i in items if i.xero_id is None]
        updates = [i for i in items if i.xero_id is not None]
        for group, method in ((creates, "create_bank_transactions"), (updates, "update_or_create_bank_transactions")):
            if not group:
                continue
            key = "xeb-batch-" + hashlib.sha256(",".join(i.idempotency_key for i in group).encode()).hexdigest()[:40]
            attempts = self._log_attempts(group, "create" if method.startswith("create") else "update")
            report.requests += 1
            try:
                answer = self._gateway.accounting(
                    tenant,
                    method,
                    BankTransactions(bank_transactions=[_bank_transaction(i) for i in group]),
                    summarize_errors=False,
                    idempotency_key=key,
                )
            except XeroError as problem:
                self._finish_attempts(
                    attempts, "unknown" if isinstance(problem, XeroUnavailable) else "error", error=problem.message
                )
                self._settle_failure(tenant, group, problem, report)
                continue
            self._record_answers(tenant, group, list(answer.bank_transactions or []), attempts, report)

    def _record_answers(
        self, tenant: TenantRef, items: list[SyncItem], answers: list[Any], attempts: list[int], report: RunReport
    ) -> None:
        for item, answer, attempt in zip(items, answers, attempts, strict=False):
            errors = [str(e.message) for e in (answer.validation_errors or []) if getattr(e, "message", None)]
            failed = str(answer.status_attribute_string or "OK").upper() == "ERROR" or errors
            if failed:
                message = _in_words(errors or ["Xero refused this transaction"], update=item.xero_id is not None)
                self._finish_attempts([attempt], "error", error=message)
                with self._uow() as work:
                    payment = work.payments.get(item.workspace_id, item.payment_id)
                    if payment is not None:
                        self._fail(work, payment, message)
                    work.commit()
                report.failed.append(item.payment_id)
            else:
                xero_id = str(answer.bank_transaction_id)
                self._finish_attempts([attempt], "ok", xero_id=xero_id)
                self._mark_synced(item, xero_id)
                if item.no_receipt and item.xero_id is None:
                    self._history_note(tenant, xero_id, item)
                report.synced.append(item.payment_id)
        if len(answers) < len(items):
            self._settle_failure(
                tenant, items[len(answers) :], XeroUnavailable("Xero's answer was incomplete."), report
            )
        self._changed(items)

    def _mark_synced(self, item: SyncItem, xero_id: str) -> None:
        with self._uow() as work:
            payment = work.payments.get(item.workspace_id, item.payment_id)
            if payment is None:
                return
            lifecycle.synced(payment, xero_id, self._clock.now())
            connection = work.connections.active_for(item.workspace_id)
            if connection is not None:
                connection.last_sync_at = self._clock.now()
            work.audit.record(
                workspace_id=item.workspace_id,
                actor_user_id=item.actor_user_id,
                action="payment.synced" if item.xero_id is None else "payment.resynced",
                subject_type="payment",
                subject_id=str(item.payment_id),
                xero_id=xero_id,
            )
            work.commit()

    # --- when the outcome is not a clean answer ----------------------------------------------

    def _settle_failure(
        self, tenant: TenantRef, items: Sequence[SyncItem], problem: XeroError, report: RunReport
    ) -> None:
        if isinstance(problem, XeroUnavailable):
            for item in items:
                found = self._look_up(tenant, item, report)
                if found:
                    self._mark_synced(item, found)
                    report.synced.append(item.payment_id)
                else:
                    self._retry_later(item, problem.message, report)
        elif isinstance(problem, XeroRateLimited | XeroAuthError):
            wait = problem.retry_after if isinstance(problem, XeroRateLimited) else 60
            resume = self._clock.now() + timedelta(seconds=wait)
            for item in items:
                self._wait(item, problem.message, resume)
                report.waiting.append(item.payment_id)
        else:
            messages = problem.messages if isinstance(problem, XeroValidationError) else [problem.message]
            message = _in_words(messages, update=False)
            with self._uow() as work:
                for item in items:
                    payment = work.payments.get(item.workspace_id, item.payment_id)
                    if payment is not None:
                        self._fail(work, payment, message)
                    report.failed.append(item.payment_id)
                work.commit()
        self._changed(items)

    def _look_up(self, tenant: TenantRef, item: SyncItem, report: RunReport) -> str | None:
        """The Xero id of this payment's transaction, if Xero did create it: among the transactions with its
        reference (every page of them), the one whose Url carries exactly this payment's marker."""
        if item.xero_id is not None:
            return None
        attempt = self._log_attempts([item], "lookup")[0]
        page = 1
        while True:
            report.requests += 1
            try:
                found = self._gateway.accounting(
                    tenant,
                    "get_bank_transactions",
                    where=f'Reference=="{_quote(item.reference)}" AND Type=="SPEND"',
                    page=page,
                    page_size=LOOKUP_PAGE_SIZE,
                )
            except XeroError as problem:
                self._finish_attempts([attempt], "error", error=problem.message)
                return None
            transactions = list(found.bank_transactions or [])
            for transaction in transactions:
                status = str(getattr(transaction.status, "value", transaction.status) or "")
                if status != "DELETED" and item.marker in markers_in(str(transaction.url or "")):
                    xero_id = str(transaction.bank_transaction_id)
                    self._finish_attempts([attempt], "ok", xero_id=xero_id)
                    return xero_id
            if len(transactions) < LOOKUP_PAGE_SIZE:
                self._finish_attempts([attempt], "ok", error="not in Xero")
                return None
            page += 1

    def recover_stale(self, report: RunReport) -> None:
        """Payments left `syncing` past their lease (the instance syncing them stopped): settle each with the
        same exact look-up, then sync it again if Xero does not have it."""
        now = self._clock.now()
        with self._uow() as work:
            stale = work.payments.claim_stale_syncing(now)
            items = [(p.workspace_id, _item(p, self._public_url)) for p in stale if not _incomplete(p)]
            for payment in stale:
                payment.sync_next_attempt_at = now + self._lease
            work.commit()
        if not items:
            return
        by_tenant = {t.workspace_id: t for t in self._connected_tenants()}
        keys = [item.idempotency_key for _, item in items]
        with self._heartbeat(self._renew_syncs(keys), now + self._lease):
            for workspace_id, item in items:
                tenant = by_tenant.get(workspace_id)
                if tenant is None:
                    continue
                found = self._look_up(tenant, item, report)
                if found:
                    self._mark_synced(item, found)
                    report.synced.append(item.payment_id)
                else:
                    with self._uow() as work:
                        current = work.payments.get(item.workspace_id, item.payment_id)
                        if current is not None:
                            lifecycle.release(current)
                        work.commit()
                self._changed([item])

    def _retry_later(self, item: SyncItem, reason: str, report: RunReport) -> None:
        with self._uow() as work:
            payment = work.payments.get(item.workspace_id, item.payment_id)
            if payment is None:
                return
            if payment.sync_attempts >= MAX_ATTEMPTS:
                tries = payment.sync_attempts
                self._fail(work, payment, f"Xero did not answer after {tries} tries ({reason}). Retry later.")
                report.failed.append(item.payment_id)
            else:
                delay = min(2**payment.sync_attempts, 300) * (1 + random.random() / 2)  # backoff with jitter
                lifecycle.retry_at(payment, self._clock.now() + timedelta(seconds=delay))
                report.waiting.append(item.payment_id)
            work.commit()

    def _wait(self, item: SyncItem, reason: str, resume: datetime) -> None:
        with self._uow() as work:
            payment = work.payments.get(item.workspace_id, item.payment_id)
            if payment is not None:
                lifecycle.wait_until(payment, reason, resume)
            work.commit()

    def _fail(self, work: UnitOfWork, payment: Payment, message: str) -> None:
        lifecycle.failed(payment, message)

    # --- contacts ----------------------------------------------------------------------------

    def _with_contacts(self, tenant: TenantRef, items: list[SyncItem], report: RunReport) -> list[SyncItem]:
        """Each item with a Xero ContactID: a stored contact matched by name, else one created once."""
        missing: dict[str, str] = {}
        resolved: list[SyncItem] = []
        with self._uow() as work:
            for item in items:
                if item.contact_id:
                    continue
                known = work.reference.contact_named(tenant.connection_id, item.contact_name)
                if known is not None:
                    missing.pop(item.contact_name.casefold(), None)
                else:
                    missing[item.contact_name.casefold()] = item.contact_name
        if missing:
            self._create_contacts(tenant, list(missing.values()), report)
        with self._uow() as work:
            for item in items:
                if item.contact_id:
                    resolved.append(item)
                    continue
                contact = work.reference.contact_named(tenant.connection_id, item.contact_name)
                if contact is None:
                    name = item.contact_name
                    raise XeroValidationError([f"the contact {name} could not be found or created in Xero"])
                resolved.append(_with_contact(item, contact.contact_id))
        return resolved

    def _create_contacts(self, tenant: TenantRef, names: list[str], report: RunReport) -> None:
        key = "xeb-contacts-" + hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()[:40]
        report.requests += 1
        answer = self._gateway.accounting(
            tenant,
            "create_contacts",
            Contacts(contacts=[Contact(name=name) for name in names]),
            summarize_errors=False,
            idempotency_key=key,
        )
        created = [c for c in answer.contacts or [] if c.contact_id and not (c.validation_errors or [])]
        refused = [n for n, c in zip(names, answer.contacts or [], strict=False) if c.validation_errors]
        for name in refused:  # most likely a contact Xero has that our copy does not yet: find it
            report.requests += 1
            found = self._gateway.accounting(tenant, "get_contacts", where=f'Name=="{_quote(name)}"')
            created += [c for c in found.contacts or [] if c.contact_id]
        with self._uow() as work:
            work.reference.upsert_contacts(
                tenant.connection_id,
                [
                    {
                        "contact_id": str(c.contact_id),
                        "name": str(c.name),
                        "status": str(getattr(c.contact_status, "value", c.contact_status) or "ACTIVE"),
                        "email": c.email_address,
                        "updated_utc": None,
                    }
                    for c in created
                ],
            )
            work.commit()

    # --- receipts ----------------------------------------------------------------------------

    def attach_pending(self, tenant: TenantRef, report: RunReport, *, only: set[int] | None = None) -> None:
        """Upload stored receipts of synced payments to their transaction, several at once within Xero's
        concurrency limit; a failure is retried later, alone."""
        now = self._clock.now()
        while True:
            with self._uow() as work:
                receipts = work.payments.claim_unattached_receipts(tenant.workspace_id, now, limit=100, only=only)
                jobs = [
                    _Upload(r.id, r.payment_id, r.file_name, r.payment.xero_bank_transaction_id or "") for r in receipts
                ]
                for receipt in receipts:
                    receipt.attach_next_attempt_at = now + self._lease
                work.commit()
            if not jobs:
                return
            renew = self._renew_uploads([job.receipt_id for job in jobs])
            with (
                self._heartbeat(renew, now + self._lease),
                ThreadPoolExecutor(max_workers=UPLOADS_AT_ONCE, thread_name_prefix="xero-upload") as pool,
            ):
                outcomes = list(pool.map(lambda job: self._upload(tenant, job), jobs))
            report.requests += len(jobs)
            report.attached += sum(1 for ok in outcomes if ok)
            for payment_id in dict.fromkeys(job.payment_id for job in jobs):
                self._notify(tenant.workspace_id, payment_id)
            if not all(outcomes):
                return  # what failed waits for its own retry time

    def _upload(self, tenant: TenantRef, job: _Upload) -> bool:
        attempt = self._log_receipt_attempt(job.payment_id, job.file_name)
        with self._uow() as work:
            receipt = work.session.get(Receipt, job.receipt_id)
            content = (receipt.content if receipt is not None else None) or b""
        try:
            answer = self._gateway.accounting(
                tenant,
                "create_bank_transaction_attachment_by_file_name",
                job.xero_id,
                job.file_name,
                content,
                idempotency_key=f"xeb-receipt-{job.receipt_id}",
            )
        except XeroError as problem:
            self._finish_attempts([attempt], "error", error=problem.message)
            self._attachment_failed(job.receipt_id, problem)
            return False
        attached = (answer.attachments or [None])[0]
        attachment_id = str(attached.attachment_id) if attached is not None else None
        self._finish_attempts([attempt], "ok", xero_id=attachment_id)
        with self._uow() as work:
            stored = work.session.get(Receipt, job.receipt_id)
            if stored is not None:
                stored.state = ReceiptState.ATTACHED
                stored.xero_attachment_id = attachment_id
                stored.attach_last_error = None
                stored.attach_next_attempt_at = None
                lifecycle.changed(stored.payment)
            work.commit()
        return True

    def _attachment_failed(self, receipt_id: int, problem: XeroError) -> None:
        with self._uow() as work:
            receipt = work.session.get(Receipt, receipt_id)
            if receipt is None:
                return
            receipt.attach_attempts += 1
            receipt.attach_last_error = problem.message[:1000]
            permanent = isinstance(problem, XeroValidationError) or receipt.attach_attempts >= MAX_ATTACH_ATTEMPTS
            delay = timedelta(days=3650) if permanent else timedelta(seconds=min(2**receipt.attach_attempts * 30, 3600))
            receipt.attach_next_attempt_at = self._clock.now() + delay
            lifecycle.changed(receipt.payment)
            work.commit()

    def _history_note(self, tenant: TenantRef, xero_id: str, item: SyncItem) -> None:
        try:
            self._gateway.accounting(
                tenant,
                "create_bank_transaction_history_record",
                xero_id,
                HistoryRecords(history_records=[HistoryRecord(details=(item.no_receipt or "")[:250])]),
                idempotency_key=f"xeb-history-{item.payment_id}",
            )
        except XeroError as problem:
            logger.warning("no-receipt note not written to Xero for payment %s: %s", item.payment_id, problem.message)

    # --- the sync log ------------------------------------------------------------------------

    def _log_attempts(self, items: Sequence[SyncItem], operation: str) -> list[int]:
        with self._uow() as work:
            rows = [
                SyncAttempt(
                    payment_id=item.payment_id,
                    operation=operation,
                    actor_user_id=item.actor_user_id,
                    idempotency_key=item.idempotency_key,
                    request_summary=_summary(item),
                    started_at=self._clock.now(),
                )
                for item in items
            ]
            work.session.add_all(rows)
            work.commit()
            return [row.id for row in rows]

    def _log_receipt_attempt(self, payment_id: int, file_name: str) -> int:
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

    def _finish_attempts(
        self, attempt_ids: Sequence[int], outcome: str, *, xero_id: str | None = None, error: str | None = None
    ) -> None:
        with self._uow() as work:
            for attempt_id in attempt_ids:
                attempt = work.session.get(SyncAttempt, attempt_id)
                if attempt is not None:
                    attempt.outcome = outcome
                    attempt.xero_id = xero_id
                    attempt.error_message = error
                    attempt.finished_at = self._clock.now()
            work.commit()

    def _changed(self, items: Sequence[SyncItem]) -> None:
        for item in items:
            self._notify(item.workspace_id, item.payment_id)

    def _notify(self, workspace_id: int, payment_id: int) -> None:
        if self.on_changed is not None:
            try:
                self.on_changed(workspace_id, payment_id)
            except Exception:  # a message that cannot be redrawn must not stop the sync
                logger.exception("could not redraw the message of payment %s", payment_id)


def _incomplete(payment: Payment) -> str | None:
    missing = []
    if not payment.account_code:
        missing.append("a Xero account")
    if not payment.tax_type:
        missing.append("a tax rate")
    if not payment.source_account.xero_bank_account_id:
        missing.append(f"a Xero bank account for {payment.source_account.name} (admins map it in /xero settings)")
    return "This payment needs " + ", ".join(missing) + " before it can sync." if missing else None


def payment_marker(workspace_id: int, payment_id: int) -> str:
    return f"{workspace_id}-{payment_id}"


def marked_url(base: str, marker: str) -> str:
    """`base` with its `xeb` parameter set to `marker` (any other parameters kept)."""
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != MARKER_PARAMETER]
    return urlunsplit(parts._replace(query=urlencode([*query, (MARKER_PARAMETER, marker)])))


def markers_in(url: str) -> list[str]:
    """The `xeb` values of a transaction's Url, parsed as a query parameter (never matched as a substring)."""
    return parse_qs(urlsplit(url).query).get(MARKER_PARAMETER, [])


def _item(payment: Payment, public_url: str) -> SyncItem:
    no_receipt = None
    if payment.no_receipt_reason:
        no_receipt = f"No receipt: {payment.no_receipt_reason.replace('_', ' ')}"
        if payment.no_receipt_note:
            no_receipt += f" ({payment.no_receipt_note})"
    # The Slack message's link when posting could get it, else the bot's own address: the marker is there either way.
    base_url = payment.message_url or f"{public_url}/"
    return SyncItem(
        payment_id=payment.id,
        workspace_id=payment.workspace_id,
        idempotency_key=payment.idempotency_key or f"xeb-{payment.id}-v{payment.version}",
        xero_id=payment.xero_bank_transaction_id,
        bank_account_id=str(payment.source_account.xero_bank_account_id),
        date=payment.date,
        reference=(payment.reference or payment.external_id)[:255],
        description=(payment.description or payment.payee)[:4000],
        amount=payment.amount,
        account_code=str(payment.account_code),
        tax_type=str(payment.tax_type),
        tracking=list(payment.tracking),
        contact_id=payment.contact_id,
        contact_name=(payment.contact_name or payment.payee)[:255],
        url=marked_url(base_url, payment_marker(payment.workspace_id, payment.id)),
        no_receipt=no_receipt,
        actor_user_id=payment.approved_by_user_id,
    )


def _with_contact(item: SyncItem, contact_id: str) -> SyncItem:
    return replace(item, contact_id=contact_id)


def _bank_transaction(item: SyncItem) -> BankTransaction:
    line = LineItem(
        description=item.description,
        quantity=Decimal(1),
        unit_amount=item.amount,
        account_code=item.account_code,
        tax_type=item.tax_type,
        tracking=[
            LineItemTracking(tracking_category_id=t["category_id"], tracking_option_id=t["option_id"])
            for t in item.tracking
        ]
        or None,
    )
    transaction = BankTransaction(
        type="SPEND",
        contact=Contact(contact_id=item.contact_id),
        bank_account=Account(account_id=item.bank_account_id),
        date=item.date,
        reference=item.reference,
        line_amount_types=LineAmountTypes.INCLUSIVE,
        line_items=[line],
        status="AUTHORISED",
    )
    transaction.url = item.url
    if item.xero_id:
        transaction.bank_transaction_id = item.xero_id
    return transaction


def _summary(item: SyncItem) -> dict[str, Any]:
    return {
        "date": item.date.isoformat(),
        "amount": str(item.amount),
        "account": item.account_code,
        "tax": item.tax_type,
        "tracking": item.tracking,
        "contact": item.contact_name,
        "reference": item.reference,
        "bank_account": item.bank_account_id,
    }


def _in_words(messages: list[str], *, update: bool) -> str:
    text = "; ".join(dict.fromkeys(m.strip() for m in messages if m.strip()))
    if update and any(word in text.lower() for word in LOCKED_WORDS):
        return f"Xero won't let the bot change this transaction: {text} Change it in Xero directly."
    return text


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
