"""shared Xero call ledger: per-organisation and app-wide call slots, and calls a day

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "xero_call_slots",
        sa.Column("scope", sa.String(length=120), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("free_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "slot", name=op.f("pk_xero_call_slots")),
    )
    op.create_index(op.f("ix_xero_call_slots_scope_free_at"), "xero_call_slots", ["scope", "free_at"])
    op.create_table(
        "xero_call_days",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "day", name=op.f("pk_xero_call_days")),
    )


def downgrade() -> None:
    op.drop_table("xero_call_days")
    op.drop_index(op.f("ix_xero_call_slots_scope_free_at"), table_name="xero_call_slots")
    op.drop_table("xero_call_slots")
