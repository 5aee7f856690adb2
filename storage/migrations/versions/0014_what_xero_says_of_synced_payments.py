"""What Xero says of each synced payment (reconciled, changed, deleted there) and when each organisation was
last asked

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 02:00:00.000000

Payments synced before this revision show nothing from Xero until the first poll reads their transactions.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("xero_status", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("xero_reconciled_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("xero_changes", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("xero_updated_at", storage.types.UTCDateTime(timezone=True), nullable=True))
    op.create_index(
        op.f("ix_payments_workspace_id_xero_bank_transaction_id"),
        "payments",
        ["workspace_id", "xero_bank_transaction_id"],
    )
    op.create_index(
        op.f("ix_payments_workspace_id_state_synced_at"),
        "payments",
        ["workspace_id", "state", "synced_at"],
    )
    with op.batch_alter_table("xero_connections") as batch:
        batch.add_column(sa.Column("status_polled_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("status_cursor", storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("xero_connections") as batch:
        batch.drop_column("status_cursor")
        batch.drop_column("status_polled_at")
    op.drop_index(op.f("ix_payments_workspace_id_state_synced_at"), table_name="payments")
    op.drop_index(op.f("ix_payments_workspace_id_xero_bank_transaction_id"), table_name="payments")
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("xero_updated_at")
        batch.drop_column("xero_changes")
        batch.drop_column("xero_reconciled_at")
        batch.drop_column("xero_status")
