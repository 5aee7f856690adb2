"""Settling an unknown outcome: did Xero create this payment's transaction after all?

Among the transactions with the payment's reference (every page of them: many can share one, such as
"Transfer" or fees), the one whose Url carries exactly this payment's marker is its transaction.
"""

from __future__ import annotations

from bot.sync.items import SyncItem, markers_in
from bot.sync.parts import RunReport, SyncParts
from bot.xero.errors import XeroError
from bot.xero.types import TenantRef

LOOKUP_PAGE_SIZE = 100  # Xero's default page


class MarkerLookup:
    def __init__(self, parts: SyncParts) -> None:
        self._parts = parts

    def find(self, tenant: TenantRef, item: SyncItem, report: RunReport) -> str | None:
        """The Xero id of this payment's transaction, if Xero did create it (never for an update)."""
        if item.xero_id is not None:
            return None
        attempts = self._parts.attempts
        attempt = attempts.start([item], "lookup")[0]
        page, page_size = 1, LOOKUP_PAGE_SIZE
        while True:
            report.requests += 1
            try:
                found = self._parts.gateway.spends_with_reference(
                    tenant, item.reference, page=page, page_size=page_size
                )
            except XeroError as problem:
                attempts.finish([attempt], "error", error=problem.message)
                return None
            for transaction in found:
                if transaction.status != "DELETED" and item.marker in markers_in(transaction.url):
                    attempts.finish([attempt], "ok", xero_id=transaction.xero_id)
                    return transaction.xero_id
            if len(found) < page_size:
                attempts.finish([attempt], "ok", error="not in Xero")
                return None
            page += 1
