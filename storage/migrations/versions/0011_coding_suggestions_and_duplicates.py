"""Coding from history and duplicates: each payment's normalised payee, why it arrived coded, and the payment it
may repeat, with the indexes that find earlier payments to a merchant or by a spender, and the same payment
twice

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:10:00.000000

Payments stored before this revision have no normalised payee: later payments learn only from those after it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("payee_key", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("coded_by", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("suggested_from", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("coding_note", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_payments_duplicate_of_id_payments"), "payments", ["duplicate_of_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index(
        op.f("ix_payments_workspace_id_payee_key_state_date"),
        "payments",
        ["workspace_id", "payee_key", "state", "date"],
    )
    op.create_index(
        op.f("ix_payments_workspace_id_source_account_id_amount_date"),
        "payments",
        ["workspace_id", "source_account_id", "amount", "date"],
    )
    op.create_index(
        op.f("ix_payments_workspace_id_spender_email_state_date"),
        "payments",
        ["workspace_id", "spender_email", "state", "date"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_payments_workspace_id_spender_email_state_date"), table_name="payments")
    op.drop_index(op.f("ix_payments_workspace_id_source_account_id_amount_date"), table_name="payments")
    op.drop_index(op.f("ix_payments_workspace_id_payee_key_state_date"), table_name="payments")
    with op.batch_alter_table("payments") as batch:
        batch.drop_constraint(op.f("fk_payments_duplicate_of_id_payments"), type_="foreignkey")
        batch.drop_column("duplicate_of_id")
        batch.drop_column("coding_note")
        batch.drop_column("suggested_from")
        batch.drop_column("coded_by")
        batch.drop_column("payee_key")
