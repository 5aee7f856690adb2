"""Xero History & Notes written once per sync, and the original amount of a foreign-currency spend

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 02:00:00.000000

Payments synced before this revision have no note queued; their next sync writes one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "xero_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("synced_version", sa.Integer(), nullable=False),
        sa.Column("xero_id", sa.String(length=64), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("maybe_sent", sa.Boolean(), nullable=False),
        sa.Column("next_attempt_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("written_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_xero_notes_payment_id_payments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_xero_notes_workspace_id_workspaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xero_notes")),
        sa.UniqueConstraint("payment_id", "synced_version", name=op.f("uq_xero_notes_payment_id_synced_version")),
    )
    with op.batch_alter_table("xero_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_xero_notes_workspace_id_state_next_attempt_at"),
            ["workspace_id", "state", "next_attempt_at"],
            unique=False,
        )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_amount", storage.types.Money(), nullable=True))
        batch_op.add_column(sa.Column("original_currency", sa.String(length=3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("original_currency")
        batch_op.drop_column("original_amount")
    with op.batch_alter_table("xero_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_xero_notes_workspace_id_state_next_attempt_at"))
    op.drop_table("xero_notes")
