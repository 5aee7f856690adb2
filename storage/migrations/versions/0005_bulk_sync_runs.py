"""bulk sync runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 21:45:00.080991
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.crypto
import storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bulk_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("started_by_user_id", sa.String(length=32), nullable=False),
        sa.Column("payment_ids", sa.JSON(), nullable=False),
        sa.Column("progress_channel_id", sa.String(length=32), nullable=True),
        sa.Column("progress_ts", sa.String(length=32), nullable=True),
        sa.Column("progress_text", sa.Text(), nullable=True),
        sa.Column("progress_updated_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_bulk_runs_workspace_id_workspaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_runs")),
    )
    with op.batch_alter_table("bulk_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bulk_runs_workspace_id_finished_at"), ["workspace_id", "finished_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("bulk_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bulk_runs_workspace_id_finished_at"))

    op.drop_table("bulk_runs")
