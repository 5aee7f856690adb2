"""What a receipt says (its reading) and whether it agrees with its payment; and receipts sent before their payment.

A reading is what the receipt reader found on the file: total, currency, date, merchant, tax and number, each with
the reader's confidence, or the problem that stopped it. The check compares it with the payment (bot/receipts/
matching.py) and is stored with it, so the App Home can list the payments whose receipt differs without reading
every receipt again. A receipt sent to the bot before its payment exists waits in `waiting_receipts` (its file
encrypted as a stored receipt's is) until a payment it fits arrives; then it becomes an ordinary receipt.
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.crypto import EncryptedBytes
from storage.models.base import Base, utcnow
from storage.types import Money, UTCDateTime


class ReadingColumns:
    """The fields a reading found (None where the receipt did not say, or the reader could not tell)."""

    total: Mapped[Decimal | None] = mapped_column(Money())
    currency: Mapped[str | None] = mapped_column(String(3))
    receipt_date: Mapped[dt.date | None]
    merchant: Mapped[str | None] = mapped_column(String(255))
    tax: Mapped[Decimal | None] = mapped_column(Money())
    number: Mapped[str | None] = mapped_column(String(64))
    confidences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field name -> 0..1
    engine: Mapped[str | None] = mapped_column(String(64))
    problem: Mapped[str | None] = mapped_column(String(500))  # why nothing could be read
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReceiptReading(ReadingColumns, Base):
    """One stored receipt's reading and its check against the payment."""

    __tablename__ = "receipt_readings"
    __table_args__ = (Index(None, "workspace_id", "outcome", "kept_at"), Index(None, "payment_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id", ondelete="CASCADE"), unique=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # "matches", "differs", or "unread" (nothing to compare: the reader found no total, or failed).
    outcome: Mapped[str] = mapped_column(String(16), default="unread")
    differences: Mapped[list[str]] = mapped_column(JSON, default=list)  # what differs, in the card's words
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)  # e.g. the FX tolerance that let a total match
    kept_by_user_id: Mapped[str | None] = mapped_column(String(32))  # "Keep anyway"
    kept_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WaitingReceipt(ReadingColumns, Base):
    """A receipt sent outside any payment's thread ("receipt first"), kept until it is tied to a payment."""

    __tablename__ = "waiting_receipts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "slack_file_id"),
        Index(None, "workspace_id", "status", "receipt_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(String(32))
    sender_user_id: Mapped[str] = mapped_column(String(32))
    sender_email: Mapped[str | None] = mapped_column(String(255))  # to know the sender's payments before posting
    channel_id: Mapped[str] = mapped_column(String(32))  # where it was sent: the bot's DM or the finance channel
    message_ts: Mapped[str] = mapped_column(String(32))  # the thread the bot answers in
    slack_file_id: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(EncryptedBytes(), deferred=True)
    # "reading", "waiting" (no payment fits yet), "choosing" (several fit), "attached".
    status: Mapped[str] = mapped_column(String(16), default="reading")
    candidates: Mapped[list[int]] = mapped_column(JSON, default=list)  # payment ids offered when several fit
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
