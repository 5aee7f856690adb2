"""Coding rules: an admin's conditions → coding and automatic approval, per workspace in the order they are tried;
each payment remembers the rule that coded it, and the payments still to be announced are found by an index
whatever their state (a rule may approve a payment before its card is posted)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coding_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.String(length=32), nullable=True),
        sa.Column("updated_by_user_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_coding_rules_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coding_rules")),
    )
    op.create_index(op.f("ix_coding_rules_workspace_id"), "coding_rules", ["workspace_id"])
    op.create_index(op.f("ix_coding_rules_workspace_id_position"), "coding_rules", ["workspace_id", "position"])
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("rule_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rule_name", sa.String(length=100), nullable=True))
        batch.create_foreign_key(
            op.f("fk_payments_rule_id_coding_rules"), "coding_rules", ["rule_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index(
        op.f("ix_payments_workspace_id_message_ts_summary_ts"), "payments", ["workspace_id", "message_ts", "summary_ts"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_payments_workspace_id_message_ts_summary_ts"), table_name="payments")
    with op.batch_alter_table("payments") as batch:
        batch.drop_constraint(op.f("fk_payments_rule_id_coding_rules"), type_="foreignkey")
        batch.drop_column("rule_name")
        batch.drop_column("rule_id")
    op.drop_index(op.f("ix_coding_rules_workspace_id_position"), table_name="coding_rules")
    op.drop_index(op.f("ix_coding_rules_workspace_id"), table_name="coding_rules")
    op.drop_table("coding_rules")
