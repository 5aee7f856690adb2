"""The History & Notes entry each sync leaves on its Xero transaction: what it says, and whether Xero has it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow
from storage.types import UTCDateTime


class NoteState(enum.StrEnum):
    PENDING = "pending"  # to be written (or checked, when a try's answer was lost)
    WRITTEN = "written"  # in the transaction's History & Notes
    REFUSED = "refused"  # Xero refused it (or it was tried too often): kept with the reason, not retried


class XeroNote(Base):
    """One note per sync of a payment (its synced version), queued in the same commit that records the sync, so a
    crash between the transaction and its note neither loses the note nor writes it twice."""

    __tablename__ = "xero_notes"
    __table_args__ = (
        UniqueConstraint("payment_id", "synced_version"),
        Index(None, "workspace_id", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    synced_version: Mapped[int]
    xero_id: Mapped[str] = mapped_column(String(64))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # who and what, as user ids and values
    details: Mapped[str | None] = mapped_column(Text)  # the words sent, fixed before the first try
    state: Mapped[str] = mapped_column(String(16), default=NoteState.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    maybe_sent: Mapped[bool] = mapped_column(default=False)  # a try's answer never came: look before sending
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(1000))
    written_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
