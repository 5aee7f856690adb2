"""The sync engine: approved payments become Xero Spend Money transactions, exactly once, in batches.

One engine serves one payment or a thousand. A run takes back stale claims, claims approved payments with
a lease (bot.sync.claiming), sends them with a persisted Idempotency-Key (bot.sync.sending), settles each
answer, or its absence, without sending twice (bot.sync.settling, bot.sync.lookup), then uploads receipts
(bot.sync.attachments) and writes each sync's History & Notes entry (bot.sync.history_writer). Every
request is in the sync log (bot.sync.attempts), and a heartbeat keeps every claim this instance works on alive
(bot.sync.leases).

Organisations take turns (bot.sync.rounds): each step is one batch of transactions, or a few receipts, so an
approval in one organisation is sent within a round however long another organisation's queue is.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from bot.clock import Clock
from bot.slack.answers_first import wait_for_answers
from bot.sync.attachments import ReceiptUploader
from bot.sync.attempts import AttemptLog
from bot.sync.claiming import Claims
from bot.sync.contacts import ContactResolver
from bot.sync.history_writer import HistoryWriter, Names
from bot.sync.items import marked_url, markers_in, payment_marker
from bot.sync.leases import heartbeat, renew_syncs
from bot.sync.lookup import MarkerLookup
from bot.sync.parts import CardRedraw, RunReport, SyncGateway, SyncParts
from bot.sync.rounds import take_in_turn
from bot.sync.sending import Sender
from bot.sync.settling import Settler
from bot.xero.types import TenantRef
from storage.uow import UnitOfWorkFactory

__all__ = ["RunReport", "SyncEngine", "marked_url", "markers_in", "payment_marker"]

BATCH_SIZE = 50
LEASE = timedelta(seconds=60)
AT_ONCE = 4  # organisations served at once by one instance (each also within its own 5 calls at once)


class SyncEngine:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        gateway: SyncGateway,
        cards: CardRedraw,
        public_url: str,
        lease: timedelta = LEASE,
        at_once: int = AT_ONCE,
        names: Names | None = None,
    ) -> None:
        self._parts = SyncParts(
            uow=uow, clock=clock, gateway=gateway, cards=cards, attempts=AttemptLog(uow=uow, clock=clock), lease=lease
        )
        lookup = MarkerLookup(self._parts)
        settler = Settler(self._parts, lookup)
        self.claims = Claims(self._parts, lookup, settler, public_url=public_url)
        self.sender = Sender(self._parts, ContactResolver(self._parts), settler)
        self.uploader = ReceiptUploader(self._parts)
        self.notes = HistoryWriter(
            self._parts, names=names, allowance=self.uploader.allowance, spent=self.uploader.count_claimed
        )
        self.batch_size = BATCH_SIZE
        self.at_once = at_once
        self._report_lock = threading.Lock()
        self._stopping = threading.Event()

    def stop(self) -> None:
        """Shutting down: a run takes no further step (those running finish); the rest stays due for later."""
        self._stopping.set()

    def run(self) -> RunReport:
        """Recover stale claims, then sync every due approved payment and upload receipts,
        the organisations taking turns: each step sends one batch of transactions or else a few receipts."""
        report = RunReport()
        self.recover_stale(report)
        tenants: dict[int, TenantRef] = {}

        def with_work() -> list[int]:
            tenants.update({t.workspace_id: t for t in self.claims.connected_tenants()})
            due = self.claims.workspaces_with_work()
            return [w for w in tenants if w in due]

        def step(workspace_id: int) -> bool:
            wait_for_answers()  # each batch starts when no Slack answer is pending (bot/slack/answers_first.py)
            mine = RunReport()
            did = self._step(tenants[workspace_id], mine)
            self._merge(report, mine)
            return did

        take_in_turn(with_work, step, at_once=self.at_once, name="xero-sync", stopping=self._stopping.is_set)
        return report

    def _step(self, tenant: TenantRef, report: RunReport) -> bool:
        """One batch of the organisation's due transactions, or else one handful of its receipts or notes."""
        parts = self._parts
        items, held_until = self.claims.claim(tenant, limit=self.batch_size)
        if items:
            renew = renew_syncs(parts.uow, [i.idempotency_key for i in items])
            with heartbeat(parts.clock, parts.lease, renew, held_until):
                self.sender.send(tenant, items, report)
            return True
        if self.uploader.attach_some(tenant, report):
            return True
        return self.notes.write_some(tenant, report)

    def _merge(self, report: RunReport, mine: RunReport) -> None:
        with self._report_lock:
            report.synced.extend(mine.synced)
            report.failed.extend(mine.failed)
            report.waiting.extend(mine.waiting)
            report.attached += mine.attached
            report.requests += mine.requests

    def recover_stale(self, report: RunReport) -> None:
        """Settle payments whose claim ran out (their instance stopped) before anything is sent again."""
        self.claims.recover_stale(report)

    def attach_pending(self, tenant: TenantRef, report: RunReport) -> None:
        """Upload the organisation's pending receipts to their transactions."""
        self.uploader.attach_pending(tenant, report)
