"""The sync engine: approved payments become Xero Spend Money transactions, exactly once, in batches.

One engine serves one payment or a thousand. A run takes back stale claims, claims approved payments with
a lease (bot.sync.claiming), sends them with a persisted Idempotency-Key (bot.sync.sending), settles each
answer, or its absence, without sending twice (bot.sync.settling, bot.sync.lookup), then uploads receipts
(bot.sync.attachments). Every request is in the sync log (bot.sync.attempts), and a heartbeat keeps every
claim this instance works on alive (bot.sync.leases).
"""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock
from bot.sync.attachments import ReceiptUploader
from bot.sync.attempts import AttemptLog
from bot.sync.claiming import Claims
from bot.sync.contacts import ContactResolver
from bot.sync.items import marked_url, markers_in, payment_marker
from bot.sync.leases import heartbeat, renew_syncs
from bot.sync.lookup import MarkerLookup
from bot.sync.parts import CardRedraw, RunReport, SyncGateway, SyncParts
from bot.sync.sending import Sender
from bot.sync.settling import Settler
from bot.xero.types import TenantRef
from storage.uow import UnitOfWorkFactory

__all__ = ["RunReport", "SyncEngine", "marked_url", "markers_in", "payment_marker"]

BATCH_SIZE = 50
LEASE = timedelta(seconds=60)


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
    ) -> None:
        self._parts = SyncParts(
            uow=uow, clock=clock, gateway=gateway, cards=cards, attempts=AttemptLog(uow=uow, clock=clock), lease=lease
        )
        lookup = MarkerLookup(self._parts)
        settler = Settler(self._parts, lookup)
        self.claims = Claims(self._parts, lookup, settler, public_url=public_url)
        self.sender = Sender(self._parts, ContactResolver(self._parts), settler)
        self.uploader = ReceiptUploader(self._parts)
        self.batch_size = BATCH_SIZE

    def run(self, *, only: set[int] | None = None) -> RunReport:
        """Recover stale claims, sync every due approved payment (or just `only`), then upload receipts."""
        report = RunReport()
        self.recover_stale(report)
        for tenant in self.claims.connected_tenants():
            self._sync(tenant, only, report)
        for tenant in self.claims.connected_tenants():
            self.attach_pending(tenant, report, only=only)
        return report

    def _sync(self, tenant: TenantRef, only: set[int] | None, report: RunReport) -> None:
        """Claim and send batch after batch until nothing due is left."""
        parts = self._parts
        while True:
            items, held_until = self.claims.claim(tenant, only, limit=self.batch_size)
            if not items:
                return
            renew = renew_syncs(parts.uow, [i.idempotency_key for i in items])
            with heartbeat(parts.clock, parts.lease, renew, held_until):
                self.sender.send(tenant, items, report)

    def recover_stale(self, report: RunReport) -> None:
        """Settle payments whose claim ran out (their instance stopped) before anything is sent again."""
        self.claims.recover_stale(report)

    def attach_pending(self, tenant: TenantRef, report: RunReport, *, only: set[int] | None = None) -> None:
        """Upload the organisation's pending receipts to their transactions."""
        self.uploader.attach_pending(tenant, report, only=only)
