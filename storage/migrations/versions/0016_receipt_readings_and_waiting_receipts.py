"""Receipt checks: what each receipt says (its reading) and whether it agrees with its payment; and receipts sent
to the bot before their payment exists, kept (encrypted) until a payment they fit arrives

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 01:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.crypto
import storage.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _reading_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("total", storage.types.Money(precision=18, scale=4), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("receipt_date", sa.Date(), nullable=True),
        sa.Column("merchant", sa.String(length=255), nullable=True),
        sa.Column("tax", storage.types.Money(precision=18, scale=4), nullable=True),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("confidences", sa.JSON(), nullable=False),
        sa.Column("engine", sa.String(length=64), nullable=True),
        sa.Column("problem", sa.String(length=500), nullable=True),
        sa.Column("read_at", storage.types.UTCDateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    _create_receipt_readings()
    _create_waiting_receipts()


def _create_receipt_readings() -> None:
    op.create_table(
        "receipt_readings",
        *_reading_columns(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("differences", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("kept_by_user_id", sa.String(length=32), nullable=True),
        sa.Column("kept_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_receipt_readings_receipt_id_receipts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_receipt_readings_payment_id_payments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_receipt_readings_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_readings")),
        sa.UniqueConstraint("receipt_id", name=op.f("uq_receipt_readings_receipt_id")),
    )
    op.create_index(
        op.f("ix_receipt_readings_workspace_id_outcome_kept_at"),
        "receipt_readings",
        ["workspace_id", "outcome", "kept_at"],
    )
    op.create_index(op.f("ix_receipt_readings_payment_id"), "receipt_readings", ["payment_id"])


def _create_waiting_receipts() -> None:
    op.create_table(
        "waiting_receipts",
        *_reading_columns(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("sender_user_id", sa.String(length=32), nullable=False),
        sa.Column("sender_email", sa.String(length=255), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("slack_file_id", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("content", storage.crypto.EncryptedBytes(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("receipt_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attached_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_waiting_receipts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_waiting_receipts_payment_id_payments"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_waiting_receipts_receipt_id_receipts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waiting_receipts")),
        sa.UniqueConstraint(
            "workspace_id", "slack_file_id", name=op.f("uq_waiting_receipts_workspace_id_slack_file_id")
        ),
    )
    op.create_index(
        op.f("ix_waiting_receipts_workspace_id_status_receipt_date"),
        "waiting_receipts",
        ["workspace_id", "status", "receipt_date"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_waiting_receipts_workspace_id_status_receipt_date"), table_name="waiting_receipts")
    op.drop_table("waiting_receipts")
    op.drop_index(op.f("ix_receipt_readings_payment_id"), table_name="receipt_readings")
    op.drop_index(op.f("ix_receipt_readings_workspace_id_outcome_kept_at"), table_name="receipt_readings")
    op.drop_table("receipt_readings")
