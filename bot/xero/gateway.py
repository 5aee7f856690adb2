"""The one gateway to Xero: typed calls in, typed answers out.

Every call goes through XeroClient (a fresh SDK client per call, token refresh, rate limits, errors as
XeroError); xero-python's models are built and read in bot.xero.models. Creates and updates always carry
an Idempotency-Key and ask for per-element errors (`summarize_errors=False`): with summarised errors a
batch with one bad element still creates the others and hides their ids (reference/xero.md §3).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.clock import Clock
from bot.settings import Settings
from bot.xero import models
from bot.xero.client import XeroClient
from bot.xero.limiter import CallLimiter, RateLimiter
from bot.xero.tokens import TokenManager
from bot.xero.types import (
    ContactAnswer,
    FoundSpend,
    GrantedTenant,
    Organisation,
    SpendAnswer,
    SpendMoney,
    SpendPage,
    TenantRef,
    XeroAccount,
    XeroContact,
    XeroTaxRate,
    XeroTrackingCategory,
)
from storage.models import ConnectionState
from storage.uow import UnitOfWorkFactory

__all__ = ["TenantRef", "XeroGateway"]


class XeroGateway:
    def __init__(
        self,
        *,
        settings: Settings,
        tokens: TokenManager,
        uow: UnitOfWorkFactory,
        clock: Clock,
        limiter: CallLimiter | None = None,
    ) -> None:
        self._tokens = tokens
        self._uow = uow
        self._client = XeroClient(
            settings=settings,
            tokens=tokens,
            uow=uow,
            clock=clock,
            limiter=limiter or RateLimiter(),
            lose_access=self.lose_access,
        )

    # --- Spend Money ---------------------------------------------------------------------------

    def create_spend_money(self, tenant: TenantRef, spends: Sequence[SpendMoney], key: str) -> list[SpendAnswer]:
        """Create the transactions in one request; the answers come in the order sent (possibly fewer)."""
        return self._send_spends(tenant, "create_bank_transactions", spends, key)

    def update_spend_money(self, tenant: TenantRef, spends: Sequence[SpendMoney], key: str) -> list[SpendAnswer]:
        """Replace the transactions Xero has (each carries its `xero_id`), in one request."""
        return self._send_spends(tenant, "update_or_create_bank_transactions", spends, key)

    def _send_spends(self, tenant: TenantRef, method: str, spends: Sequence[SpendMoney], key: str) -> list[SpendAnswer]:
        answer = self._client.accounting(
            tenant, method, models.bank_transactions(list(spends)), summarize_errors=False, idempotency_key=key
        )
        return [models.spend_answer(a) for a in answer.bank_transactions or []]

    def spends_with_reference(
        self, tenant: TenantRef, reference: str, *, page: int, page_size: int
    ) -> list[FoundSpend]:
        """One page of the Spend Money transactions whose Reference is exactly `reference`."""
        found = self._client.accounting(
            tenant,
            "get_bank_transactions",
            where=f'Reference=="{_quote(reference)}" AND Type=="SPEND"',
            page=page,
            page_size=page_size,
        )
        return [models.found_spend(t) for t in found.bank_transactions or []]

    def spends_changed_since(
        self, tenant: TenantRef, since: datetime | None, *, page: int, page_size: int
    ) -> SpendPage:
        """One page of the organisation's Spend Money transactions changed since `since` (deleted ones too),
        oldest change first, so a poll cut short resumes from the last change it saw."""
        found = self._client.accounting(
            tenant,
            "get_bank_transactions",
            where='Type=="SPEND"',
            order="UpdatedDateUTC ASC",
            page=page,
            page_size=page_size,
            **_since(since),
        )
        spends = [models.spend_in_xero(t) for t in found.bank_transactions or []]
        pages = getattr(found.pagination, "page_count", None) if found.pagination is not None else None
        more = page < pages if pages is not None else len(spends) >= page_size
        return SpendPage(spends, more)

    def attach_receipt(self, tenant: TenantRef, xero_id: str, file_name: str, content: bytes, key: str) -> str | None:
        """Attach a file to a transaction; the attachment's id."""
        answer = self._client.accounting(
            tenant,
            "create_bank_transaction_attachment_by_file_name",
            xero_id,
            file_name,
            content,  # raw bytes: anything else fails in the SDK's serialiser
            idempotency_key=key,
        )
        attached = (answer.attachments or [None])[0]
        return str(attached.attachment_id) if attached is not None else None

    def history_note(self, tenant: TenantRef, xero_id: str, details: str, key: str) -> None:
        """Add a note to a transaction's History & Notes."""
        self._client.accounting(
            tenant,
            "create_bank_transaction_history_record",
            xero_id,
            models.history_records(details),
            idempotency_key=key,
        )

    def calls_left_today(self, tenant: TenantRef) -> int | None:
        """What XERO_DAY_LIMIT leaves the organisation today, counted across instances; None when not counted."""
        return self._client.limiter.left_today(tenant.tenant_id)

    def history_details(self, tenant: TenantRef, xero_id: str) -> list[str]:
        """The Details of every entry in a transaction's History & Notes, oldest first."""
        found = self._client.accounting(tenant, "get_bank_transactions_history", xero_id)
        return [str(record.details or "") for record in found.history_records or []]

    # --- contacts ------------------------------------------------------------------------------

    def create_contacts(self, tenant: TenantRef, names: Sequence[str], key: str) -> list[ContactAnswer]:
        """Create contacts by name in one request; the answers come in the order sent."""
        answer = self._client.accounting(
            tenant, "create_contacts", models.contacts(list(names)), summarize_errors=False, idempotency_key=key
        )
        return [models.contact_answer(name, c) for name, c in zip(names, answer.contacts or [], strict=False)]

    def contacts_named(self, tenant: TenantRef, name: str) -> list[XeroContact]:
        found = self._client.accounting(tenant, "get_contacts", where=f'Name=="{_quote(name)}"')
        return [models.contact(c) for c in found.contacts or [] if c.contact_id]

    def contacts(self, tenant: TenantRef, *, page: int, since: datetime | None = None) -> list[XeroContact]:
        """One page of every contact, archived ones included (changed since `since`, if given)."""
        found = self._client.accounting(tenant, "get_contacts", page=page, include_archived=True, **_since(since))
        return [models.contact(c) for c in found.contacts or []]

    # --- reference data ------------------------------------------------------------------------

    def organisation(self, tenant: TenantRef) -> Organisation:
        return models.organisation(self._client.accounting(tenant, "get_organisations").organisations[0])

    def accounts(self, tenant: TenantRef, *, since: datetime | None = None) -> list[XeroAccount]:
        found = self._client.accounting(tenant, "get_accounts", **_since(since))
        return [models.account(a) for a in found.accounts or []]

    def tax_rates(self, tenant: TenantRef) -> list[XeroTaxRate]:
        return [models.tax_rate(r) for r in self._client.accounting(tenant, "get_tax_rates").tax_rates or []]

    def tracking_categories(self, tenant: TenantRef) -> list[XeroTrackingCategory]:
        found = self._client.accounting(tenant, "get_tracking_categories")
        return [models.tracking_category(c) for c in found.tracking_categories or []]

    # --- connections ---------------------------------------------------------------------------

    def connections(self, token_set_id: int, auth_event_id: str | None = None) -> list[GrantedTenant]:
        """Xero's /connections for a token set: the organisations it may use."""
        return [models.granted_tenant(c) for c in self._client.connections(token_set_id, auth_event_id)]

    def delete_connection(self, token_set_id: int, xero_connection_id: str) -> None:
        self._client.delete_connection(token_set_id, xero_connection_id)

    def lose_access(self, connection_id: int, reason: str) -> None:
        """Move a connection to needs_reconnect (once) and tell whoever listens, after the commit."""
        with self._uow() as work:
            connection = work.connections.get(connection_id)
            if connection is not None and connection.state is ConnectionState.CONNECTED:
                connection.state = ConnectionState.NEEDS_RECONNECT
                connection.last_error = reason
                work.commit()
                lost = [connection.id]
            else:
                lost = []
        if lost and self._tokens.on_auth_lost is not None:
            self._tokens.on_auth_lost(lost)


def _since(when: datetime | None) -> dict[str, Any]:
    return {} if when is None else {"if_modified_since": when.astimezone(UTC)}


def _quote(value: str) -> str:
    """A value inside a `where` string literal."""
    return value.replace("\\", "\\\\").replace('"', '\\"')
