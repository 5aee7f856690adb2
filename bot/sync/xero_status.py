"""Reading back what Xero says of the bot's transactions: reconciled, changed or deleted there.

Xero sends no webhooks for bank transactions (reference/xero.md §6), so every few minutes each organisation is
asked for its Spend Money transactions changed since the newest change it last saw: If-Modified-Since, the
optimised filter `Type=="SPEND"`, oldest change first, 1,000 a page. A thousand synced transactions cost one call,
two at most (PAGES_PER_POLL); what a poll cut short did not read, the next one reads from where it stopped.
Organisations take turns (bot.sync.rounds), each call within the organisation's own limits (the gateway's
limiter), and an organisation whose day budget is nearly spent is not polled, so syncing keeps its calls.

The bot never sets IsReconciled; it only reads it. A reconciled payment refuses edits, a changed one shows what
differs (a Re-sync asks before overwriting it), and a deleted one is Pending again, its transaction forgotten,
so nothing is created again without a person's Approve.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm.exc import StaleDataError

from bot.clock import Clock
from bot.connection.tenants import tenant_ref
from bot.payments import lifecycle
from bot.sync.parts import CardRedraw
from bot.sync.rounds import take_in_turn
from bot.sync.xero_differences import differences
from bot.xero.errors import XeroError
from bot.xero.types import SpendInXero, SpendPage, TenantRef
from storage.models import ConnectionState, Payment, PaymentState, XeroConnection
from storage.repositories import AuditLog
from storage.repositories.xero_status import XeroStatusQueries
from storage.uow import UnitOfWorkFactory

logger = logging.getLogger(__name__)

POLL_EVERY = timedelta(minutes=3)
PAGE_SIZE = 1000  # the most Xero gives a page
PAGES_PER_POLL = 2
DAY_RESERVE = 500  # calls of the day left to syncing: below this, an organisation is not polled
AT_ONCE = 3
SKEW = timedelta(minutes=10)  # a first poll reads from this long before the first sync (clocks differ)
TICK = timedelta(milliseconds=1)  # Xero's UpdatedDateUTC resolution: the newest change is read again, never lost
IN_XERO = frozenset({PaymentState.SYNCED, PaymentState.UPDATED, PaymentState.SYNC_ERROR})
GONE = ("DELETED", "VOIDED")


class StatusGateway(Protocol):
    def spends_changed_since(
        self, tenant: TenantRef, since: datetime | None, *, page: int, page_size: int
    ) -> SpendPage: ...


@dataclass
class PollReport:
    organisations: int = 0
    calls: int = 0
    seen: int = 0
    changed: list[int] = field(default_factory=list)  # payments whose card now says something else


@dataclass
class _Page:
    newest: datetime | None = None  # the newest change read
    held: datetime | None = None  # the oldest change left for the next poll (its payment was being synced)


def _day_nearly_spent(connection: XeroConnection, now: datetime) -> bool:
    """Xero said today that fewer calls than the reserve are left: they are syncing's."""
    remaining, seen = connection.day_limit_remaining, connection.limits_seen_at
    return remaining is not None and remaining < DAY_RESERVE and seen is not None and seen.date() == now.date()


class XeroStatusPoll:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        gateway: StatusGateway,
        cards: CardRedraw,
        every: timedelta = POLL_EVERY,
        at_once: int = AT_ONCE,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._gateway = gateway
        self._cards = cards
        self.every = every
        self._at_once = at_once

    def run(self) -> PollReport:
        """Poll every organisation due (not asked for `every`), a few at once, each one poll in its turn."""
        with self._uow() as work:
            due = XeroStatusQueries(work.session).claim_due_polls(self._clock.now(), self.every)
            work.commit()
        left = dict.fromkeys(due)
        report = PollReport()
        merging = threading.Lock()

        def step(connection_id: int) -> bool:
            left.pop(connection_id, None)
            mine = self.poll(connection_id)
            with merging:
                report.organisations += mine.organisations
                report.calls += mine.calls
                report.seen += mine.seen
                report.changed.extend(mine.changed)
            return False

        take_in_turn(lambda: list(left), step, at_once=self._at_once, name="xero-status")
        return report

    def poll(self, connection_id: int) -> PollReport:
        """One organisation: read what changed since its cursor, settle each of its payments, move the cursor."""
        report = PollReport(organisations=1)
        started = self._clock.now()
        start = self._start(connection_id)
        if start is None:
            return report
        tenant, since = start
        pages = _Page()
        for number in range(1, PAGES_PER_POLL + 1):
            try:
                found = self._gateway.spends_changed_since(tenant, since, page=number, page_size=PAGE_SIZE)
            except XeroError as problem:
                logger.warning("Xero's changes for connection %s not read: %s", connection_id, problem.message)
                break
            report.calls += 1
            report.seen += len(found.spends)
            self._settle_page(tenant, found.spends, started, pages, report)
            if not found.more:
                break
        self._move_cursor(connection_id, since, pages)
        for payment_id in report.changed:
            self._redraw(tenant.workspace_id, payment_id)
        return report

    def _start(self, connection_id: int) -> tuple[TenantRef, datetime] | None:
        """The organisation and where its poll starts; None when there is nothing to ask or no budget to ask."""
        with self._uow() as work:
            connection = work.connections.get(connection_id)
            if connection is None or connection.token_set_id is None:
                return None
            if connection.state is not ConnectionState.CONNECTED:
                return None
            if _day_nearly_spent(connection, self._clock.now()):
                return None
            since = connection.status_cursor
            if since is None:
                first = XeroStatusQueries(work.session).first_synced_at(connection.workspace_id)
                if first is None:
                    return None  # nothing synced yet: no call at all
                since = first - SKEW
            return tenant_ref(connection), since

    def _settle_page(
        self, tenant: TenantRef, spends: list[SpendInXero], started: datetime, pages: _Page, report: PollReport
    ) -> None:
        changed: list[int] = []
        held: list[datetime] = []
        with self._uow() as work:
            queries = XeroStatusQueries(work.session)
            payments = queries.with_xero_ids(tenant.workspace_id, [s.xero_id for s in spends])
            sent = queries.last_sent([p.id for p in payments.values()])
            for spend in spends:
                payment = payments.get(spend.xero_id)
                if payment is None:
                    continue  # not the bot's
                if payment.state in lifecycle.IN_SYNC or (payment.synced_at and payment.synced_at >= started):
                    if spend.updated_utc is not None:
                        held.append(spend.updated_utc)  # being sent now: read again once Xero has the answer
                    continue
                if self._settle(work.audit, payment, spend, sent.get(payment.id, {})):
                    changed.append(payment.id)
            try:
                work.commit()
            except StaleDataError:  # a person changed one of them meanwhile: the whole page is read again
                logger.info("a payment changed while Xero's changes were settled; read again next poll")
                held = [s.updated_utc for s in spends if s.updated_utc is not None][:1]
                changed = []
        stamps = [s.updated_utc for s in spends if s.updated_utc is not None]
        if stamps:
            pages.newest = max([*stamps, *([pages.newest] if pages.newest else [])])
        if held:
            pages.held = min([*held, *([pages.held] if pages.held else [])])
        report.changed.extend(changed)

    def _settle(self, audit: AuditLog, payment: Payment, spend: SpendInXero, sent: dict[str, object]) -> bool:
        """Record what Xero says of the payment's transaction; True when its card changes."""
        if spend.status in GONE:
            if payment.state not in IN_XERO:
                return False
            lifecycle.deleted_in_xero(payment, spend.updated_utc)
            self._audit(audit, payment, lifecycle.XERO_DELETED)
            return True
        changes = differences(sent, spend) if sent else []
        status: str | None
        reconciled_at: datetime | None
        if spend.reconciled:
            status = lifecycle.XERO_RECONCILED
            reconciled_at = payment.xero_reconciled_at or spend.updated_utc or self._clock.now()
        else:
            status = lifecycle.XERO_CHANGED if changes else None
            reconciled_at = None
        was = payment.xero_status
        shown = lifecycle.seen_in_xero(
            payment, status=status, changes=changes, reconciled_at=reconciled_at, updated_at=spend.updated_utc
        )
        if shown and status is not None and status != was:
            self._audit(audit, payment, status)
        return shown

    def _audit(self, audit: AuditLog, payment: Payment, status: str) -> None:
        audit.payment_event(
            workspace_id=payment.workspace_id,
            actor_user_id=None,
            action=f"payment.{status}_in_xero",
            payment_id=payment.id,
            xero_id=payment.xero_bank_transaction_id,
        )

    def _move_cursor(self, connection_id: int, since: datetime, pages: _Page) -> None:
        """Next time, read from the newest change seen (again, a tick before it), or from the oldest left."""
        cursor = pages.newest - TICK if pages.newest is not None else since
        if pages.held is not None:
            cursor = min(cursor, pages.held - TICK)
        with self._uow() as work:
            connection = work.connections.get(connection_id)
            if connection is not None:
                connection.status_cursor = max(cursor, since)
                work.commit()

    def _redraw(self, workspace_id: int, payment_id: int) -> None:
        try:
            self._cards.redraw_card(workspace_id, payment_id)
        except Exception:  # a message that cannot be redrawn must not stop the poll
            logger.exception("could not redraw the message of payment %s", payment_id)
