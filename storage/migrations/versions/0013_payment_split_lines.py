"""A payment's split lines: one Spend Money line each, with its own description, amount, account, tax rate and
tracking, adding up to the payment (bot/payments/splits.py)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 01:50:00.000000

Existing payments get no lines: each stays one line coded by its own account, tax rate and tracking.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("split_lines", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("split_lines")
