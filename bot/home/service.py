"""Reading the App Home: one page of a tab for one user, with counts, filters and the bulk run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.clock import Clock, SystemClock
from bot.connection.roles import Access, Actor, Roles
from bot.home.view import PAGE_SIZE, BulkProgress, HomeFilter, HomeRow, HomeView, SourceAccountOption
from bot.payments.card_view import payment_card
from bot.payments.cards import CodingChoices
from bot.payments.coding import CodingService
from bot.receipts.matching_home import receipt_notes
from bot.receipts.matching_view import receipt_mismatch
from storage.models import Payment, PaymentState, ReceiptState
from storage.repositories.xero_status import XeroStatusQueries
from storage.uow import UnitOfWork, UnitOfWorkFactory

TAB_STATES = {
    "pending": [PaymentState.PENDING, PaymentState.APPROVED, PaymentState.SYNCING, PaymentState.UPDATED],
    "synced": [PaymentState.SYNCED],
    "errors": [PaymentState.SYNC_ERROR],
}
UNRECONCILED_AFTER = timedelta(days=7)
XERO_LABELS = {"reconciled": "Reconciled in Xero", "changed": "Changed in Xero", "deleted": "Deleted in Xero"}
ACCESS_NAMES = {Access.EMPLOYEE: "employee", Access.FINANCE: "finance", Access.ADMIN: "admin"}


class HomeService:
    def __init__(
        self, *, uow: UnitOfWorkFactory, roles: Roles, coding: CodingService, clock: Clock | None = None
    ) -> None:
        self._uow = uow
        self._roles = roles
        self._coding = coding
        self._clock = clock or SystemClock()

    def view(self, actor: Actor, home_filter: HomeFilter) -> HomeView:
        access = self._roles.access_of(actor)
        employee = access < Access.FINANCE
        if home_filter.tab == "settings" and access < Access.ADMIN:
            home_filter = HomeFilter()
        filters: dict[str, Any] = {
            # Employees see their own payments only, whatever the filter says.
            "spender": actor.user_id if employee else home_filter.spender,
            "source_account_id": home_filter.source_account_id,
            "date_from": home_filter.date_from,
            "date_to": home_filter.date_to,
        }
        with self._uow() as work:
            counts = {
                tab: work.payments.count(actor.workspace_id, states, **filters) for tab, states in TAB_STATES.items()
            }
            connection = work.connections.active_for(actor.workspace_id)
            choices = self._coding.choices(work, actor.workspace_id)
            rows: list[HomeRow] = []
            total = 0
            ready = 0
            if home_filter.tab in TAB_STATES:
                states = TAB_STATES[home_filter.tab]
                total = counts[home_filter.tab]
                offset = (home_filter.page - 1) * PAGE_SIZE
                if home_filter.tab == "synced" and home_filter.reconciliation:
                    total, payments = self._reconciliation(work, actor.workspace_id, home_filter, offset, filters)
                else:
                    payments = work.payments.page(actor.workspace_id, states, offset=offset, limit=PAGE_SIZE, **filters)
                rows = [self._row(payment, choices, connection) for payment in payments]
                if home_filter.tab == "pending" and not employee:
                    ready = work.payments.ready_count(actor.workspace_id, limit=1000, **filters)
            return HomeView(
                user_id=actor.user_id,
                access=ACCESS_NAMES[access],
                filter=home_filter,
                counts=counts,
                rows=rows,
                total=total,
                ready=ready,
                source_accounts=[
                    SourceAccountOption(s.id, s.name, s.currency)
                    for s in work.payments.source_accounts(actor.workspace_id)
                ],
                bulk=None if employee else self._bulk(work, actor.workspace_id),
                connection_state=connection.state.value if connection else "never",
                tenant_name=connection.tenant_name if connection else None,
                receipt_notes=None if employee else receipt_notes(work, actor.workspace_id, choices, connection),
            )

    def _row(self, payment: Payment, choices: CodingChoices, connection: Any) -> HomeRow:
        card = payment_card(payment, choices, connection)
        labels = []
        if payment.state is PaymentState.UPDATED:
            labels.append("Updated")
        if payment.state is PaymentState.SYNC_ERROR:
            labels.append("Sync error")
        has_receipt = any(r.state is not ReceiptState.REJECTED for r in payment.receipts)
        if not has_receipt and not payment.no_receipt_reason:
            labels.append("Missing receipt")
        if receipt_mismatch(payment):
            labels.append("Receipt mismatch")
        labels += xero_labels(payment)
        return HomeRow(card=card, labels=labels, permalink=payment.message_url)

    def _reconciliation(
        self, work: UnitOfWork, workspace_id: int, home_filter: HomeFilter, offset: int, filters: dict[str, Any]
    ) -> tuple[int, Sequence[Payment]]:
        """Reconciled in Xero, or (without dates chosen) this month's payments synced a week ago or more and not
        reconciled yet: the ones to match in Xero's bank reconciliation."""
        queries = XeroStatusQueries(work.session)
        if home_filter.reconciliation == "reconciled":
            return queries.reconciliation_page(workspace_id, reconciled=True, offset=offset, limit=PAGE_SIZE, **filters)
        now = self._clock.now()
        if not (filters["date_from"] or filters["date_to"]):
            filters = filters | {"date_from": now.date().replace(day=1)}
        week_ago = now - UNRECONCILED_AFTER
        return queries.reconciliation_page(
            workspace_id, reconciled=False, synced_before=week_ago, offset=offset, limit=PAGE_SIZE, **filters
        )

    def _bulk(self, work: UnitOfWork, workspace_id: int) -> BulkProgress | None:
        run = work.payments.running_bulk_run(workspace_id)
        if run is None:
            return None
        states = work.payments.states_of(run.payment_ids)
        return BulkProgress(
            run_id=run.id,
            total=len(run.payment_ids),
            synced=sum(1 for s in states.values() if s is PaymentState.SYNCED),
            errors=sum(1 for s in states.values() if s is PaymentState.SYNC_ERROR),
            attachments_left=work.payments.unattached_count(run.payment_ids),
            running=run.finished_at is None,
        )


def xero_labels(payment: Payment) -> list[str]:
    """What Xero says of the payment, as a row's label (bot/sync/xero_status.py)."""
    label = XERO_LABELS.get(payment.xero_status or "")
    return [label] if label else []
