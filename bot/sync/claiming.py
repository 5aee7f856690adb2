"""Claiming approved payments, and taking back claims whose instance stopped.

A run claims approved payments in the database (state `syncing`, with a lease), so two clicks, two users or
two instances never send one payment twice. A claim left past its lease is settled with the exact marker
look-up before the payment is sent again.
"""

from __future__ import annotations

from datetime import datetime

from bot.connection.tenants import tenant_ref
from bot.payments import lifecycle
from bot.sync.items import SyncItem, incomplete, item_from
from bot.sync.leases import heartbeat, renew_syncs
from bot.sync.lookup import MarkerLookup
from bot.sync.parts import RunReport, SyncParts
from bot.sync.settling import Settler
from bot.xero.types import TenantRef
from storage.repositories.history_notes import HistoryNotes


class Claims:
    def __init__(self, parts: SyncParts, lookup: MarkerLookup, settler: Settler, *, public_url: str) -> None:
        self._parts = parts
        self._lookup = lookup
        self._settler = settler
        self._public_url = public_url.rstrip("/")

    def connected_tenants(self) -> list[TenantRef]:
        with self._parts.uow() as work:
            return [tenant_ref(c) for c in work.connections.all_connected() if c.token_set_id is not None]

    def workspaces_with_work(self) -> set[int]:
        """Workspaces with payments due for sync, or receipts or notes due for Xero, now."""
        with self._parts.uow() as work:
            now = self._parts.clock.now()
            return work.payments.workspaces_with_due_work(now) | HistoryNotes(work.session).workspaces_due(now)

    def claim(self, tenant: TenantRef, *, limit: int) -> tuple[list[SyncItem], datetime]:
        """Up to `limit` due approved payments of the organisation's workspace, claimed until the time returned;
        one that cannot sync yet fails with what it lacks instead."""
        now = self._parts.clock.now()
        held_until = now + self._parts.lease
        with self._parts.uow() as work:
            payments = work.payments.claim_approved(tenant.workspace_id, now, limit=limit)
            items = []
            for payment in payments:
                problem = incomplete(payment)
                if problem:
                    lifecycle.failed(payment, problem)
                    continue
                lifecycle.claim(payment, held_until)
                items.append(item_from(payment, self._public_url))
            work.commit()
        self._parts.changed(items)
        return items, held_until

    def recover_stale(self, report: RunReport) -> None:
        """Payments left `syncing` past their lease (the instance syncing them stopped): settle each with the
        exact look-up, then sync it again if Xero does not have it."""
        now = self._parts.clock.now()
        with self._parts.uow() as work:
            stale = work.payments.claim_stale_syncing(now)
            items = [item_from(p, self._public_url) for p in stale if not incomplete(p)]
            for payment in stale:
                payment.sync_next_attempt_at = now + self._parts.lease
            work.commit()
        if not items:
            return
        by_workspace = {t.workspace_id: t for t in self.connected_tenants()}
        renew = renew_syncs(self._parts.uow, [item.idempotency_key for item in items])
        with heartbeat(self._parts.clock, self._parts.lease, renew, now + self._parts.lease):
            for item in items:
                tenant = by_workspace.get(item.workspace_id)
                if tenant is not None:
                    self._settle_stale(tenant, item, report)

    def _settle_stale(self, tenant: TenantRef, item: SyncItem, report: RunReport) -> None:
        found = self._lookup.find(tenant, item, report)
        if found:
            self._settler.synced(item, found)
            report.synced.append(item.payment_id)
        else:
            with self._parts.uow() as work:
                current = work.payments.get(item.workspace_id, item.payment_id)
                if current is not None:
                    lifecycle.release(current)
                work.commit()
        self._parts.changed([item])
