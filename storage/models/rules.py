"""Coding rules: an admin's conditions → coding (and automatic approval), ordered, first match wins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, Timestamped


class CodingRule(Timestamped, Base):
    """One rule; `conditions` and `actions` are the JSON of `storage.coding_rules` (read through `Rule`)."""

    __tablename__ = "coding_rules"
    __table_args__ = (Index(None, "workspace_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)
    created_by_user_id: Mapped[str | None] = mapped_column(String(32))
    updated_by_user_id: Mapped[str | None] = mapped_column(String(32))

    # Every UPDATE checks the version it read, so two admins' edits cannot silently overwrite each other.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
