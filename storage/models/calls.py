"""The call ledger several instances share on PostgreSQL, so Xero's limits hold for the app, not per process.

A limit of N calls in any window is N slot rows under one scope (an organisation's minute, the app's minute,
an organisation's calls at once): a call takes a slot whose `free_at` has passed and moves it on (by the window,
or to the end of its lease while it runs). Taking a free slot is one UPDATE with SKIP LOCKED, so instances
never wait on each other's row locks, and the count is exact over any sliding window, which keeps under
Xero's fixed windows whenever they start.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class XeroCallSlot(Base):
    __tablename__ = "xero_call_slots"
    __table_args__ = (Index(None, "scope", "free_at"),)

    scope: Mapped[str] = mapped_column(String(120), primary_key=True)  # "minute:<tenant>", "app", "busy:<tenant>"
    slot: Mapped[int] = mapped_column(primary_key=True)
    free_at: Mapped[float] = mapped_column(Float, default=0.0)  # seconds since the epoch, the database's clock


class XeroCallDay(Base):
    """Calls made to an organisation on one UTC day, against XERO_DAY_LIMIT."""

    __tablename__ = "xero_call_days"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    used: Mapped[int] = mapped_column(default=0)
