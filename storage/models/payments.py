"""Source bank accounts, category mappings, payments, their receipts and their sync attempts."""

from __future__ import annotations

import datetime as dt
import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.crypto import EncryptedBytes
from storage.models.base import Base, Timestamped, utcnow
from storage.models.workspace import enum_column
from storage.types import Money, UTCDateTime

if TYPE_CHECKING:
    from storage.models.receipt_checks import ReceiptReading


class PaymentState(enum.StrEnum):
    """CONTRACT §6."""

    PENDING = "pending"
    APPROVED = "approved"
    SYNCING = "syncing"
    SYNCED = "synced"
    SYNC_ERROR = "sync_error"
    UPDATED = "updated"
    EXCLUDED = "excluded"


class ReceiptState(enum.StrEnum):
    STORED = "stored"
    ATTACHED = "attached"
    REJECTED = "rejected"


class SourceAccount(Timestamped, Base):
    """A bank account payments come from, mapped by an admin to a Xero bank account."""

    __tablename__ = "source_accounts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        UniqueConstraint("workspace_id", "xero_bank_account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255))
    currency: Mapped[str] = mapped_column(String(3))
    xero_bank_account_id: Mapped[str | None] = mapped_column(String(64))
    mapped_by_user_id: Mapped[str | None] = mapped_column(String(32))
    mapped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CategoryMapping(Timestamped, Base):
    """Source category → Xero coding, used to pre-fill new payments."""

    __tablename__ = "category_mappings"
    __table_args__ = (UniqueConstraint("workspace_id", "category_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    category_key: Mapped[str] = mapped_column(String(255))
    category: Mapped[str] = mapped_column(String(255))
    account_code: Mapped[str] = mapped_column(String(32))
    tax_type: Mapped[str | None] = mapped_column(String(64))
    tracking: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    updated_by_user_id: Mapped[str | None] = mapped_column(String(32))


def _only_with(column: str) -> dict[str, Any]:
    """A partial index: only the rows that have a value in `column` (every look-up on it names one), so the many
    payments without one (a bank export's) cost the index nothing (migration 0018)."""
    present = text(f"{column} IS NOT NULL")
    return {"sqlite_where": present, "postgresql_where": present}


class Payment(Timestamped, Base):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source_account_id", "external_id"),
        Index(None, "workspace_id", "state", "date"),
        # The App Home at 100,000 payments: a tab of several states newest first, and an employee's own payments.
        Index(None, "workspace_id", "date", "id"),
        Index(None, "workspace_id", "spender_user_id", "state", "date", **_only_with("spender_user_id")),
        Index(None, "state", "post_next_attempt_at"),
        Index(None, "state", "sync_next_attempt_at"),
        # Learning from earlier payments to the same merchant, and finding the same payment twice (bot/coding/).
        Index(None, "workspace_id", "payee_key", "state", "date"),
        Index(None, "workspace_id", "source_account_id", "amount", "date"),
        Index(None, "workspace_id", "spender_email", "state", "date", **_only_with("spender_email")),
        # The payments still to be announced, whatever their state (a coding rule may have approved them already).
        Index(None, "workspace_id", "message_ts", "summary_ts"),
        # What Xero says of synced payments: matching its transactions, and those not reconciled after a week.
        Index(None, "workspace_id", "xero_bank_transaction_id", **_only_with("xero_bank_transaction_id")),
        Index(None, "workspace_id", "state", "synced_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    source_account_id: Mapped[int] = mapped_column(ForeignKey("source_accounts.id", ondelete="RESTRICT"))
    external_id: Mapped[str] = mapped_column(String(128))
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    # A foreign-currency spend: what was charged before conversion (shown and described, never sent as a rate).
    original_amount: Mapped[Decimal | None] = mapped_column(Money())
    original_currency: Mapped[str | None] = mapped_column(String(3))
    date: Mapped[dt.date]
    payee: Mapped[str] = mapped_column(String(255))
    payee_key: Mapped[str | None] = mapped_column(String(255))  # the merchant, normalised (bot/coding/payees.py)
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(255))
    reference: Mapped[str | None] = mapped_column(String(255))
    spender_email: Mapped[str | None] = mapped_column(String(255))
    spender_user_id: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[PaymentState] = mapped_column(
        enum_column(PaymentState, "payment_state"), default=PaymentState.PENDING
    )
    version: Mapped[int] = mapped_column(default=1)

    # Coding chosen by finance.
    account_code: Mapped[str | None] = mapped_column(String(32))
    tax_type: Mapped[str | None] = mapped_column(String(64))
    tracking: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # Split into lines (bot/payments/splits.py): empty for one line; else each line's description, amount (an exact
    # decimal string), account, tax rate and tracking, in order. The columns above then hold the first line's coding.
    split_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    contact_id: Mapped[str | None] = mapped_column(String(64))
    contact_name: Mapped[str | None] = mapped_column(String(255))
    exclusion_reason: Mapped[str | None] = mapped_column(String(32))
    excluded_by_user_id: Mapped[str | None] = mapped_column(String(32))
    no_receipt_reason: Mapped[str | None] = mapped_column(String(32))
    no_receipt_note: Mapped[str | None] = mapped_column(String(500))
    # Why it arrived coded: "rule" (rule_id), "history" (suggested_from earlier payments) or "category" (the mapping).
    coded_by: Mapped[str | None] = mapped_column(String(16))
    suggested_from: Mapped[int | None]
    coding_note: Mapped[str | None] = mapped_column(String(500))  # "Coded differently before: …"
    # The earlier payment this one may repeat; it is not synced until finance says which (bot/coding/duplicates.py).
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    # The export import that stored it: an export's lines are never taken for duplicates of each other.
    import_run: Mapped[str | None] = mapped_column(String(32))
    # The coding rule that coded it (and may have approved it); the name is kept as the card showed it.
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("coding_rules.id", ondelete="SET NULL"))
    rule_name: Mapped[str | None] = mapped_column(String(100))

    # Posting to the finance channel and asking the spender.
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    post_attempts: Mapped[int] = mapped_column(default=0)
    post_next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    post_last_error: Mapped[str | None] = mapped_column(String(1000))
    message_url: Mapped[str | None] = mapped_column(String(500))  # the Slack permalink Xero links back to
    summary_ts: Mapped[str | None] = mapped_column(String(32))  # announced in a burst summary, not a card
    dm_channel_id: Mapped[str | None] = mapped_column(String(32))
    dm_ts: Mapped[str | None] = mapped_column(String(32))
    receipt_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminders_sent: Mapped[int] = mapped_column(default=0)
    last_reminded_on: Mapped[dt.date | None]

    # Sync to Xero.
    approved_by_user_id: Mapped[str | None] = mapped_column(String(32))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    xero_bank_transaction_id: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    synced_version: Mapped[int | None]
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sync_attempts: Mapped[int] = mapped_column(default=0)
    sync_next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sync_last_error: Mapped[str | None] = mapped_column(String(2000))

    # What Xero says of the synced transaction (bot/sync/xero_status.py): "reconciled", "changed" or "deleted".
    xero_status: Mapped[str | None] = mapped_column(String(16))
    xero_reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    xero_changes: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)  # [{field, sent, xero}]
    xero_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # its UpdatedDateUTC when last read

    source_account: Mapped[SourceAccount] = relationship()
    duplicate_of: Mapped[Payment | None] = relationship(remote_side=[id])
    receipts: Mapped[list[Receipt]] = relationship(
        back_populates="payment", cascade="all, delete-orphan", order_by="Receipt.id"
    )

    # The version changes only when what a person sees of the payment changes (services bump it), not
    # for bookkeeping such as the message ts; every UPDATE still checks it, so a concurrent change fails.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class Receipt(Base):
    __tablename__ = "receipts"
    __table_args__ = (UniqueConstraint("payment_id", "slack_file_id"), Index(None, "payment_id", "sha256"))

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    slack_file_id: Mapped[str | None] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(EncryptedBytes(), deferred=True)  # loaded only when read
    state: Mapped[ReceiptState] = mapped_column(enum_column(ReceiptState, "receipt_state"), default=ReceiptState.STORED)
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    sent_by_user_id: Mapped[str | None] = mapped_column(String(32))
    xero_attachment_id: Mapped[str | None] = mapped_column(String(64))
    attach_attempts: Mapped[int] = mapped_column(default=0)
    attach_next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attach_last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="receipts")
    # What the receipt says and whether it agrees with the payment (storage/models/receipt_checks.py).
    reading: Mapped[ReceiptReading | None] = relationship(lazy="selectin", cascade="all, delete-orphan")


class SyncAttempt(Base):
    """The sync log: one row per call to Xero made for a payment."""

    __tablename__ = "sync_attempts"
    __table_args__ = (Index(None, "payment_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    operation: Mapped[str] = mapped_column(String(32))
    actor_user_id: Mapped[str | None] = mapped_column(String(32))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    request_summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outcome: Mapped[str] = mapped_column(String(16), default="started")
    http_status: Mapped[int | None]
    xero_id: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BulkRun(Timestamped, Base):
    """A "Sync all" run: which payments, who started it, and its progress message."""

    __tablename__ = "bulk_runs"
    __table_args__ = (Index(None, "workspace_id", "finished_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    started_by_user_id: Mapped[str] = mapped_column(String(32))
    payment_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    progress_channel_id: Mapped[str | None] = mapped_column(String(32))
    progress_ts: Mapped[str | None] = mapped_column(String(32))
    progress_text: Mapped[str | None] = mapped_column(Text)
    progress_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
