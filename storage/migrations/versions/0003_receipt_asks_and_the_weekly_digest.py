"""receipt asks and the weekly digest

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 21:08:56.111484
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.crypto
import storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_asked_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ask_attempts", sa.Integer(), nullable=False, server_default="0"))

    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest_sent_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("digest_sent_on")

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("ask_attempts")
        batch_op.drop_column("receipt_asked_at")
