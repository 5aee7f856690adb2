"""Repositories: queries and additions scoped to one session. They flush at most; they never commit."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ARRAY, String, any_, bindparam, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from storage.models import (
    AuditEntry,
    BulkRun,
    CategoryMapping,
    ConnectionState,
    Payment,
    PaymentState,
    ProcessedEvent,
    Receipt,
    ReceiptState,
    Role,
    SeenSlackRequest,
    SourceAccount,
    SyncAttempt,
    UserRole,
    Workspace,
    XeroConnection,
    XeroOAuthState,
    XeroTokenSet,
)
from storage.outbox import Waiting


def _skip_locked(session: Session) -> dict[str, Any]:
    """Row-claiming options: SKIP LOCKED where the database has it (PostgreSQL), nothing on SQLite,
    where BEGIN IMMEDIATE already serialises writers."""
    if session.get_bind().dialect.name == "postgresql":
        return {"skip_locked": True}
    return {}


class WorkspaceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, workspace_id: int) -> Workspace | None:
        return self.session.get(Workspace, workspace_id)

    def by_team(self, team_id: str) -> Workspace | None:
        return self.session.scalar(select(Workspace).where(Workspace.team_id == team_id))

    def ensure(self, team_id: str, *, enterprise_id: str | None = None) -> Workspace:
        """The workspace for `team_id`, created on first sight (safe against a concurrent creator)."""
        existing = self.by_team(team_id)
        if existing is not None:
            return existing
        workspace = Workspace(team_id=team_id, enterprise_id=enterprise_id)
        try:
            with self.session.begin_nested():
                self.session.add(workspace)
        except IntegrityError:
            found = self.by_team(team_id)
            assert found is not None
            return found
        return workspace

    def lock(self, workspace_id: int) -> Workspace | None:
        """The workspace row, held until commit (jobs that must run once per workspace and day)."""
        query = select(Workspace).where(Workspace.id == workspace_id).with_for_update(**_skip_locked(self.session))
        return self.session.scalars(query.execution_options(populate_existing=True)).first()

    def all_active(self) -> Sequence[Workspace]:
        return self.session.scalars(select(Workspace).where(Workspace.uninstalled_at.is_(None))).all()


class RoleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def role_of(self, workspace_id: int, user_id: str) -> Role | None:
        return self.session.scalar(
            select(UserRole.role).where(UserRole.workspace_id == workspace_id, UserRole.user_id == user_id)
        )

    def set_role(self, workspace_id: int, user_id: str, role: Role | None, *, granted_by: str) -> None:
        current = self.session.scalar(
            select(UserRole).where(UserRole.workspace_id == workspace_id, UserRole.user_id == user_id)
        )
        if role is None:
            if current is not None:
                self.session.delete(current)
        elif current is None:
            self.session.add(UserRole(workspace_id=workspace_id, user_id=user_id, role=role, granted_by=granted_by))
        else:
            current.role = role
            current.granted_by = granted_by
        self.session.flush()

    def holders(self, workspace_id: int, role: Role) -> Sequence[str]:
        return self.session.scalars(
            select(UserRole.user_id).where(UserRole.workspace_id == workspace_id, UserRole.role == role)
        ).all()


class AuditLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(
        self,
        *,
        workspace_id: int | None,
        actor_user_id: str | None,
        action: str,
        subject_type: str | None = None,
        subject_id: str | None = None,
        **details: Any,
    ) -> None:
        self.session.add(
            AuditEntry(
                workspace_id=workspace_id,
                actor_user_id=actor_user_id,
                action=action,
                subject_type=subject_type,
                subject_id=subject_id,
                details=details,
            )
        )

    def recent(self, workspace_id: int, limit: int = 50) -> Sequence[AuditEntry]:
        return self.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.workspace_id == workspace_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        ).all()


class ProcessedEvents:
    def __init__(self, session: Session) -> None:
        self.session = session

    def first_time(self, event_id: str, team_id: str | None) -> bool:
        """Record `event_id`; False when it was already recorded (a retried delivery)."""
        try:
            with self.session.begin_nested():
                self.session.add(ProcessedEvent(event_id=event_id, team_id=team_id))
        except IntegrityError:
            return False
        return True

    def forget_before(self, cutoff: datetime) -> int:
        old = self.session.scalars(select(ProcessedEvent).where(ProcessedEvent.received_at < cutoff)).all()
        for row in old:
            self.session.delete(row)
        return len(old)

    def first_request(self, signature: str, now: datetime) -> bool:
        """Record a signed Slack request (one insert); False when the same signature was seen before (a replay)."""
        digest = hashlib.sha256(signature.encode()).hexdigest()
        try:
            with self.session.begin_nested():
                self.session.add(SeenSlackRequest(signature_sha256=digest, seen_at=now))
        except IntegrityError:
            return False
        return True

    def forget_requests_before(self, cutoff: datetime) -> int:
        result = self.session.execute(delete(SeenSlackRequest).where(SeenSlackRequest.seen_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)


class ConnectionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def active_for(self, workspace_id: int) -> XeroConnection | None:
        """The workspace's current Xero organisation (connected or waiting for a reconnect)."""
        return self.session.scalar(
            select(XeroConnection)
            .where(
                XeroConnection.workspace_id == workspace_id,
                XeroConnection.state != ConnectionState.DISCONNECTED,
            )
            .order_by(XeroConnection.connected_at.desc(), XeroConnection.id.desc())
            .limit(1)
        )

    def latest_for(self, workspace_id: int) -> XeroConnection | None:
        """The newest connection in any state, for status after a disconnect."""
        return self.session.scalar(
            select(XeroConnection)
            .where(XeroConnection.workspace_id == workspace_id)
            .order_by(XeroConnection.updated_at.desc(), XeroConnection.id.desc())
            .limit(1)
        )

    def get(self, connection_id: int) -> XeroConnection | None:
        return self.session.get(XeroConnection, connection_id)

    def by_tenant(self, workspace_id: int, tenant_id: str) -> XeroConnection | None:
        return self.session.scalar(
            select(XeroConnection).where(
                XeroConnection.workspace_id == workspace_id, XeroConnection.tenant_id == tenant_id
            )
        )

    def add(self, connection: XeroConnection) -> XeroConnection:
        self.session.add(connection)
        self.session.flush()
        return connection

    def of_token_set(self, token_set_id: int) -> Sequence[XeroConnection]:
        return self.session.scalars(select(XeroConnection).where(XeroConnection.token_set_id == token_set_id)).all()

    def all_connected(self) -> Sequence[XeroConnection]:
        return self.session.scalars(
            select(XeroConnection).where(XeroConnection.state == ConnectionState.CONNECTED)
        ).all()

    def others_connected(self, workspace_id: int, keep_id: int) -> Sequence[XeroConnection]:
        return self.session.scalars(
            select(XeroConnection).where(
                XeroConnection.workspace_id == workspace_id,
                XeroConnection.id != keep_id,
                XeroConnection.state != ConnectionState.DISCONNECTED,
            )
        ).all()

    def claim_due_reference(self, now: datetime, lease: timedelta, limit: int = 20) -> list[int]:
        """Connected organisations whose reference data is due; leased so other instances skip them."""
        query = (
            select(XeroConnection)
            .where(
                XeroConnection.state == ConnectionState.CONNECTED,
                (XeroConnection.reference_next_at.is_(None)) | (XeroConnection.reference_next_at <= now),
            )
            .order_by(XeroConnection.id)
            .limit(limit)
            .with_for_update(**_skip_locked(self.session))
        )
        due = list(self.session.scalars(query))
        for connection in due:
            connection.reference_next_at = now + lease
        return [connection.id for connection in due]

    # Token sets: one consent's tokens, shared by the organisations granted in it.
    def token_set(self, token_set_id: int, *, lock: bool = False) -> XeroTokenSet | None:
        """With `lock`, hold the row until commit so one refresh at a time rotates the refresh token."""
        query = select(XeroTokenSet).where(XeroTokenSet.id == token_set_id)
        if lock:
            query = query.with_for_update()
        return self.session.scalars(query.execution_options(populate_existing=True)).first()

    def add_token_set(self, token_set: XeroTokenSet) -> XeroTokenSet:
        self.session.add(token_set)
        self.session.flush()
        return token_set

    def token_sets_refreshed_before(self, cutoff: datetime) -> Sequence[XeroTokenSet]:
        return self.session.scalars(
            select(XeroTokenSet).where(
                XeroTokenSet.token.is_not(None),
                XeroTokenSet.refresh_token_issued_at < cutoff,
            )
        ).all()

    # OAuth `state` values for the Xero sign-in.
    def add_state(self, state: XeroOAuthState) -> None:
        self.session.add(state)

    def state_by_hash(self, state_hash: str) -> XeroOAuthState | None:
        query = select(XeroOAuthState).where(XeroOAuthState.state_hash == state_hash).with_for_update()
        return self.session.scalar(query)

    def purge_expired_states(self, now: datetime) -> int:
        result = self.session.execute(delete(XeroOAuthState).where(XeroOAuthState.expires_at < now))
        return int(getattr(result, "rowcount", 0) or 0)


class PaymentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, payment: Payment) -> Payment:
        self.session.add(payment)
        self.session.flush()
        return payment

    def get(self, workspace_id: int, payment_id: int) -> Payment | None:
        """A payment of this workspace only: ids from Slack payloads are never trusted across workspaces."""
        return self.session.scalar(
            select(Payment).where(Payment.workspace_id == workspace_id, Payment.id == payment_id)
        )

    def by_ids(self, workspace_id: int, payment_ids: Sequence[int]) -> Sequence[Payment]:
        return self.session.scalars(
            select(Payment).where(Payment.workspace_id == workspace_id, Payment.id.in_(list(payment_ids)))
        ).all()

    def count_by_state(self, workspace_id: int) -> dict[PaymentState, int]:
        rows = self.session.execute(
            select(Payment.state, func.count()).where(Payment.workspace_id == workspace_id).group_by(Payment.state)
        ).all()
        return {state: count for state, count in rows}

    def _unposted_at_all(self, workspace_id: int) -> Any:
        return select(Payment).where(
            Payment.workspace_id == workspace_id,
            Payment.state == PaymentState.PENDING,
            Payment.message_ts.is_(None),
            Payment.summary_ts.is_(None),
        )

    def _unposted(self, workspace_id: int, now: datetime) -> Any:
        return self._unposted_at_all(workspace_id).where(
            (Payment.post_next_attempt_at.is_(None)) | (Payment.post_next_attempt_at <= now)
        )

    def count_unposted(self, workspace_id: int, now: datetime) -> int:
        query = self._unposted(workspace_id, now).with_only_columns(func.count())
        return int(self.session.scalar(query) or 0)

    def claim_unposted(self, workspace_id: int, now: datetime, *, limit: int | None) -> Sequence[Payment]:
        """Lock payments waiting to be announced; another instance skips the locked ones."""
        query = self._unposted(workspace_id, now).order_by(Payment.date, Payment.id)
        if limit is not None:
            query = query.limit(limit)
        return self.session.scalars(query.with_for_update(**_skip_locked(self.session))).all()

    def failed_posts(self, workspace_id: int) -> Waiting:
        """Payments whose message Slack has refused or not answered, still to be posted."""
        failing = self._unposted_at_all(workspace_id).where(Payment.post_last_error.is_not(None))
        count = int(self.session.scalar(failing.with_only_columns(func.count())) or 0)
        oldest = self.session.scalars(failing.order_by(Payment.created_at, Payment.id).limit(1)).first()
        return Waiting(count, oldest.created_at if oldest else None, oldest.post_last_error if oldest else None)

    def existing_external_ids(
        self, workspace_id: int, source_account_id: int, external_ids: Collection[str]
    ) -> set[str]:
        """Which of these ids the account already has: one query on the (workspace, account, id) unique index."""
        if not external_ids:
            return set()
        ids = list(external_ids)
        if self.session.get_bind().dialect.name == "postgresql":
            # One array parameter, not thousands of scalars: PostgreSQL then probes the index per id.
            matches = Payment.external_id == any_(bindparam("ids", ids, type_=ARRAY(String)))
        else:
            matches = Payment.external_id.in_(ids)
        return set(
            self.session.scalars(
                select(Payment.external_id).where(
                    Payment.workspace_id == workspace_id, Payment.source_account_id == source_account_id, matches
                )
            )
        )

    def refresh_statistics(self) -> None:
        """After a bulk load into a table PostgreSQL has not analysed yet, its planner would scan every row of the
        account for each look-up; fresh statistics make it probe the (workspace, account, id) index instead."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("ANALYZE payments"))

    def category_mappings_for(self, workspace_id: int, categories: Collection[str]) -> dict[str, CategoryMapping]:
        """The mappings of these categories, by category key, in one query."""
        keys = {category_key(category) for category in categories}
        if not keys:
            return {}
        found = self.session.scalars(
            select(CategoryMapping).where(
                CategoryMapping.workspace_id == workspace_id, CategoryMapping.category_key.in_(keys)
            )
        )
        return {mapping.category_key: mapping for mapping in found}

    def source_account(self, workspace_id: int, external_id: str) -> SourceAccount | None:
        return self.session.scalar(
            select(SourceAccount).where(
                SourceAccount.workspace_id == workspace_id, SourceAccount.external_id == external_id
            )
        )

    def source_accounts(self, workspace_id: int) -> Sequence[SourceAccount]:
        return self.session.scalars(
            select(SourceAccount).where(SourceAccount.workspace_id == workspace_id).order_by(SourceAccount.name)
        ).all()

    def category_mapping(self, workspace_id: int, category: str) -> CategoryMapping | None:
        return self.session.scalar(
            select(CategoryMapping).where(
                CategoryMapping.workspace_id == workspace_id, CategoryMapping.category_key == category_key(category)
            )
        )

    def category_mappings(self, workspace_id: int) -> Sequence[CategoryMapping]:
        return self.session.scalars(
            select(CategoryMapping)
            .where(CategoryMapping.workspace_id == workspace_id)
            .order_by(CategoryMapping.category_key)
        ).all()

    # --- receipts ------------------------------------------------------------------------------

    def by_thread(self, workspace_id: int, channel: str, thread_ts: str) -> Payment | None:
        """The payment whose channel message or receipt request started this thread."""
        return self.session.scalar(
            select(Payment).where(
                Payment.workspace_id == workspace_id,
                ((Payment.channel_id == channel) & (Payment.message_ts == thread_ts))
                | ((Payment.dm_channel_id == channel) & (Payment.dm_ts == thread_ts)),
            )
        )

    def receipt_by_file(self, payment_id: int, slack_file_id: str) -> Receipt | None:
        return self.session.scalar(
            select(Receipt).where(Receipt.payment_id == payment_id, Receipt.slack_file_id == slack_file_id)
        )

    def receipt_count(self, payment_id: int) -> int:
        query = select(func.count()).where(Receipt.payment_id == payment_id, Receipt.state != ReceiptState.REJECTED)
        return int(self.session.scalar(query) or 0)

    def claim_unasked(self, *, limit: int) -> Sequence[Payment]:
        """Posted payments whose spender has not been asked for the receipt yet."""
        query = (
            select(Payment)
            .where(
                Payment.posted_at.is_not(None),
                Payment.receipt_asked_at.is_(None),
                Payment.state != PaymentState.EXCLUDED,
                (Payment.spender_user_id.is_not(None)) | (Payment.spender_email.is_not(None)),
            )
            .order_by(Payment.id)
            .limit(limit)
            .with_for_update(**_skip_locked(self.session))
        )
        return self.session.scalars(query).all()

    def _missing_receipts(self, workspace_id: int) -> Any:
        has_receipt = (
            select(Receipt.id).where(Receipt.payment_id == Payment.id, Receipt.state != ReceiptState.REJECTED).exists()
        )
        return select(Payment).where(
            Payment.workspace_id == workspace_id,
            Payment.state != PaymentState.EXCLUDED,
            Payment.no_receipt_reason.is_(None),
            ~has_receipt,
        )

    def missing_receipts(self, workspace_id: int) -> Sequence[Payment]:
        return self.session.scalars(self._missing_receipts(workspace_id).order_by(Payment.date, Payment.id)).all()

    def claim_reminder_candidates(self, workspace_id: int, today: dt.date) -> Sequence[Payment]:
        """Asked payments still missing a receipt and not reminded today; locked against other instances."""
        query = (
            self._missing_receipts(workspace_id)
            .where(
                Payment.receipt_asked_at.is_not(None),
                Payment.dm_ts.is_not(None),
                (Payment.last_reminded_on.is_(None)) | (Payment.last_reminded_on != today),
            )
            .order_by(Payment.id)
            .with_for_update(**_skip_locked(self.session))
        )
        return self.session.scalars(query).all()

    # --- sync ----------------------------------------------------------------------------------

    def claim_approved(
        self, workspace_id: int, now: datetime, *, limit: int, only: set[int] | None = None
    ) -> Sequence[Payment]:
        """Approved payments due for sync, locked so no other instance sends them too."""
        query = select(Payment).where(
            Payment.workspace_id == workspace_id,
            Payment.state == PaymentState.APPROVED,
            (Payment.sync_next_attempt_at.is_(None)) | (Payment.sync_next_attempt_at <= now),
        )
        if only is not None:
            query = query.where(Payment.id.in_(only))
        query = query.order_by(Payment.approved_at, Payment.id).limit(limit)
        return self.session.scalars(query.with_for_update(**_skip_locked(self.session))).all()

    def claim_stale_syncing(self, now: datetime) -> Sequence[Payment]:
        """Payments whose sync claim lapsed: the instance syncing them stopped before it finished."""
        query = (
            select(Payment)
            .where(Payment.state == PaymentState.SYNCING, Payment.sync_next_attempt_at <= now)
            .order_by(Payment.id)
        )
        return self.session.scalars(query.with_for_update(**_skip_locked(self.session))).all()

    def renew_sync_claims(self, idempotency_keys: Sequence[str], held_until: datetime, until: datetime) -> None:
        """Extend sync claims still held as claimed (`held_until`); one finished, failed or taken over since
        has another deadline, or none, and is left alone."""
        self.session.execute(
            update(Payment)
            .where(
                Payment.idempotency_key.in_(list(idempotency_keys)),
                Payment.state == PaymentState.SYNCING,
                Payment.sync_next_attempt_at == held_until,
            )
            .values(sync_next_attempt_at=until)
            .execution_options(synchronize_session=False)
        )

    def renew_upload_claims(self, receipt_ids: Sequence[int], held_until: datetime, until: datetime) -> None:
        self.session.execute(
            update(Receipt)
            .where(
                Receipt.id.in_(list(receipt_ids)),
                Receipt.state == ReceiptState.STORED,
                Receipt.attach_next_attempt_at == held_until,
            )
            .values(attach_next_attempt_at=until)
            .execution_options(synchronize_session=False)
        )

    def claim_unattached_receipts(
        self, workspace_id: int, now: datetime, *, limit: int, only: set[int] | None = None
    ) -> Sequence[Receipt]:
        """Stored receipts of payments already in Xero, due for upload."""
        query = (
            select(Receipt)
            .join(Payment, Receipt.payment_id == Payment.id)
            .where(
                Payment.workspace_id == workspace_id,
                Payment.xero_bank_transaction_id.is_not(None),
                Payment.state.in_([PaymentState.SYNCED, PaymentState.UPDATED]),
                Receipt.state == ReceiptState.STORED,
                (Receipt.attach_next_attempt_at.is_(None)) | (Receipt.attach_next_attempt_at <= now),
            )
        )
        if only is not None:
            query = query.where(Payment.id.in_(only))
        query = query.order_by(Receipt.id).limit(limit)
        return self.session.scalars(query.with_for_update(of=Receipt, **_skip_locked(self.session))).all()

    def sync_attempts(self, payment_id: int, limit: int = 40) -> Sequence[SyncAttempt]:
        return self.session.scalars(
            select(SyncAttempt)
            .where(SyncAttempt.payment_id == payment_id)
            .order_by(SyncAttempt.started_at.desc(), SyncAttempt.id.desc())
            .limit(limit)
        ).all()

    # --- the App Home --------------------------------------------------------------------------

    def _in_view(
        self,
        workspace_id: int,
        states: Sequence[PaymentState],
        *,
        spender: str | None = None,
        source_account_id: int | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
    ) -> Any:
        query = select(Payment).where(Payment.workspace_id == workspace_id, Payment.state.in_(states))
        if spender:
            query = query.where(Payment.spender_user_id == spender)
        if source_account_id:
            query = query.where(Payment.source_account_id == source_account_id)
        if date_from:
            query = query.where(Payment.date >= date_from)
        if date_to:
            query = query.where(Payment.date <= date_to)
        return query

    def page(
        self, workspace_id: int, states: Sequence[PaymentState], *, offset: int, limit: int, **filters: Any
    ) -> Sequence[Payment]:
        query = (
            self._in_view(workspace_id, states, **filters)
            .options(selectinload(Payment.receipts), selectinload(Payment.source_account))
            .order_by(Payment.date.desc(), Payment.id.desc())
        )
        return self.session.scalars(query.offset(offset).limit(limit)).all()

    def count(self, workspace_id: int, states: Sequence[PaymentState], **filters: Any) -> int:
        query = self._in_view(workspace_id, states, **filters).with_only_columns(func.count())
        return int(self.session.scalar(query) or 0)

    def ready_ids(self, workspace_id: int, *, limit: int, **filters: Any) -> list[int]:
        """Pending payments with complete coding and a mapped bank account, oldest first."""
        query = (
            self._in_view(workspace_id, [PaymentState.PENDING], **filters)
            .join(SourceAccount, Payment.source_account_id == SourceAccount.id)
            .where(
                Payment.account_code.is_not(None),
                Payment.tax_type.is_not(None),
                SourceAccount.xero_bank_account_id.is_not(None),
            )
            .with_only_columns(Payment.id)
            .order_by(Payment.date, Payment.id)
            .limit(limit)
        )
        return [int(row) for row in self.session.scalars(query)]

    def states_of(self, payment_ids: Sequence[int]) -> dict[int, PaymentState]:
        if not payment_ids:
            return {}
        rows = self.session.execute(select(Payment.id, Payment.state).where(Payment.id.in_(payment_ids))).all()
        return {int(payment_id): state for payment_id, state in rows}

    def unattached_count(self, payment_ids: Sequence[int]) -> int:
        """Receipts still to upload: of these payments, stored here and not in Xero yet (a payment Xero
        refused has nothing to attach them to, so its receipts do not count)."""
        if not payment_ids:
            return 0
        query = (
            select(func.count())
            .select_from(Receipt)
            .join(Payment, Receipt.payment_id == Payment.id)
            .where(
                Receipt.payment_id.in_(payment_ids),
                Receipt.state == ReceiptState.STORED,
                Payment.state != PaymentState.SYNC_ERROR,
                (Receipt.attach_next_attempt_at.is_(None)) | (Receipt.attach_attempts < 5),
            )
        )
        return int(self.session.scalar(query) or 0)

    def running_bulk_run(self, workspace_id: int) -> BulkRun | None:
        return self.session.scalar(
            select(BulkRun).where(BulkRun.workspace_id == workspace_id, BulkRun.finished_at.is_(None))
        )

    def unfinished_bulk_runs(self) -> Sequence[BulkRun]:
        return self.session.scalars(select(BulkRun).where(BulkRun.finished_at.is_(None))).all()


def category_key(category: str) -> str:
    return " ".join(category.split()).casefold()
