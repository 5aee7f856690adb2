"""Import profiles: how a source account's bank exports are read, kept per file layout."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, Timestamped


class ImportProfile(Timestamped, Base):
    """The choices (columns, date order, sign, decimal mark, currency, encoding) that read an account's export.

    Keyed by the account's external id rather than the source-account row: a profile may be kept before the account
    has a payment (a first export holding only credits)."""

    __tablename__ = "import_profiles"
    __table_args__ = (UniqueConstraint("workspace_id", "account_external_id", "layout"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    account_external_id: Mapped[str] = mapped_column(String(128))
    layout: Mapped[str] = mapped_column(String(64))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str | None] = mapped_column(String(32))
