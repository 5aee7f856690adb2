"""App Home indexes: a tab of several states newest first, and an employee's own payments

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:15:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_payments_workspace_id_date_id"), "payments", ["workspace_id", "date", "id"])
    op.create_index(
        op.f("ix_payments_workspace_id_spender_user_id_state_date"),
        "payments",
        ["workspace_id", "spender_user_id", "state", "date"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_payments_workspace_id_spender_user_id_state_date"), table_name="payments")
    op.drop_index(op.f("ix_payments_workspace_id_date_id"), table_name="payments")
