"""The export import that stored a payment: the lines of one export are each a payment of their own, so the
duplicate check of an import's batch compares them only with payments that came another way (bot/coding/duplicates.py)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 06:10:00.000000

Existing payments get none: each is compared with every other, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("import_run", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("import_run")
