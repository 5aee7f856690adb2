"""shared Xero call ledger: per-organisation and app-wide call slots, and calls a day

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# One round trip for a call's places (PostgreSQL only: SQLite has a single instance and no ledger). Taking a
# slot sets its free_at; when a later place is refused, the slots already taken are given back (free_at 0).
TAKE_CALL = """
CREATE OR REPLACE FUNCTION xero_take_call(
    busy_scope text, busy_count int, busy_hold float8,
    minute_scope text, minute_count int, minute_window float8,
    app_scope text, app_count int, app_window float8,
    tenant text, today date, day_limit int,
    OUT taken_slot int, OUT held_until float8, OUT wait float8, OUT day_used_up boolean
) LANGUAGE plpgsql AS $$
DECLARE
    now_ float8 := extract(epoch FROM clock_timestamp());
    minute_slot int;
    app_slot int;
    used_ int;
BEGIN
    wait := 0; day_used_up := false; held_until := now_ + busy_hold;
    UPDATE xero_call_slots SET free_at = held_until WHERE scope = busy_scope AND slot = (
        SELECT slot FROM xero_call_slots WHERE scope = busy_scope AND slot < busy_count AND free_at <= now_
        LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING slot INTO taken_slot;
    IF taken_slot IS NULL THEN
        wait := 0.05;
        RETURN;
    END IF;
    UPDATE xero_call_slots SET free_at = now_ + minute_window WHERE scope = minute_scope AND slot = (
        SELECT slot FROM xero_call_slots WHERE scope = minute_scope AND slot < minute_count AND free_at <= now_
        LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING slot INTO minute_slot;
    IF minute_slot IS NULL THEN
        SELECT greatest(0.02, min(free_at) - now_) INTO wait FROM xero_call_slots
            WHERE scope = minute_scope AND slot < minute_count;
    ELSE
        UPDATE xero_call_slots SET free_at = now_ + app_window WHERE scope = app_scope AND slot = (
            SELECT slot FROM xero_call_slots WHERE scope = app_scope AND slot < app_count AND free_at <= now_
            LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING slot INTO app_slot;
        IF app_slot IS NULL THEN
            SELECT greatest(0.02, min(free_at) - now_) INTO wait FROM xero_call_slots
                WHERE scope = app_scope AND slot < app_count;
        ELSE
            INSERT INTO xero_call_days (tenant_id, day, used) VALUES (tenant, today, 1)
            ON CONFLICT (tenant_id, day) DO UPDATE SET used = xero_call_days.used + 1
            WHERE xero_call_days.used < day_limit RETURNING used INTO used_;
            IF used_ IS NOT NULL THEN
                RETURN;
            END IF;
            day_used_up := true;
            UPDATE xero_call_slots SET free_at = 0 WHERE scope = app_scope AND slot = app_slot;
        END IF;
        UPDATE xero_call_slots SET free_at = 0 WHERE scope = minute_scope AND slot = minute_slot;
    END IF;
    UPDATE xero_call_slots SET free_at = 0 WHERE scope = busy_scope AND slot = taken_slot;
    taken_slot := NULL;
END;
$$
"""


def upgrade() -> None:
    op.create_table(
        "xero_call_slots",
        sa.Column("scope", sa.String(length=120), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("free_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "slot", name=op.f("pk_xero_call_slots")),
    )
    op.create_index(op.f("ix_xero_call_slots_scope_free_at"), "xero_call_slots", ["scope", "free_at"])
    op.create_table(
        "xero_call_days",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "day", name=op.f("pk_xero_call_days")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TAKE_CALL)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS xero_take_call")
    op.drop_table("xero_call_days")
    op.drop_index(op.f("ix_xero_call_slots_scope_free_at"), table_name="xero_call_slots")
    op.drop_table("xero_call_slots")
