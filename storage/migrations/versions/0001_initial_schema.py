"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 20:37:50.521630
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.crypto
import storage.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processed_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("received_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processed_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_processed_events_event_id")),
    )
    op.create_table(
        "slack_bots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=32), nullable=False),
        sa.Column("app_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("enterprise_name", sa.String(length=200), nullable=True),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("team_name", sa.String(length=200), nullable=True),
        sa.Column("bot_token", sa.String(length=1000), nullable=True),
        sa.Column("bot_id", sa.String(length=32), nullable=True),
        sa.Column("bot_user_id", sa.String(length=32), nullable=True),
        sa.Column("bot_scopes", sa.String(length=1000), nullable=True),
        sa.Column("bot_refresh_token", sa.String(length=1000), nullable=True),
        sa.Column("bot_token_expires_at", sa.DateTime(), nullable=True),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_bots")),
    )
    with op.batch_alter_table("slack_bots", schema=None) as batch_op:
        batch_op.create_index("slack_bots_idx", ["client_id", "enterprise_id", "team_id", "installed_at"], unique=False)

    op.create_table(
        "slack_installations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=32), nullable=False),
        sa.Column("app_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("enterprise_name", sa.String(length=200), nullable=True),
        sa.Column("enterprise_url", sa.String(length=200), nullable=True),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("team_name", sa.String(length=200), nullable=True),
        sa.Column("bot_token", sa.String(length=1000), nullable=True),
        sa.Column("bot_id", sa.String(length=32), nullable=True),
        sa.Column("bot_user_id", sa.String(length=32), nullable=True),
        sa.Column("bot_scopes", sa.String(length=1000), nullable=True),
        sa.Column("bot_refresh_token", sa.String(length=1000), nullable=True),
        sa.Column("bot_token_expires_at", sa.DateTime(), nullable=True),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("user_token", sa.String(length=1000), nullable=True),
        sa.Column("user_scopes", sa.String(length=1000), nullable=True),
        sa.Column("user_refresh_token", sa.String(length=1000), nullable=True),
        sa.Column("user_token_expires_at", sa.DateTime(), nullable=True),
        sa.Column("incoming_webhook_url", sa.String(length=200), nullable=True),
        sa.Column("incoming_webhook_channel", sa.String(length=200), nullable=True),
        sa.Column("incoming_webhook_channel_id", sa.String(length=200), nullable=True),
        sa.Column("incoming_webhook_configuration_url", sa.String(length=200), nullable=True),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("token_type", sa.String(length=32), nullable=True),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_installations")),
    )
    with op.batch_alter_table("slack_installations", schema=None) as batch_op:
        batch_op.create_index(
            "slack_installations_idx",
            ["client_id", "enterprise_id", "team_id", "user_id", "installed_at"],
            unique=False,
        )

    op.create_table(
        "slack_oauth_states",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("state", sa.String(length=200), nullable=False),
        sa.Column("expire_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_oauth_states")),
    )
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("finance_channel_id", sa.String(length=32), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("reminder_first_after_days", sa.Integer(), nullable=False),
        sa.Column("reminder_every_days", sa.Integer(), nullable=False),
        sa.Column("reminder_max", sa.Integer(), nullable=False),
        sa.Column("uninstalled_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
        sa.UniqueConstraint("team_id", name=op.f("uq_workspaces_team_id")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=True),
        sa.Column("actor_user_id", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=True),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_audit_log_workspace_id_workspaces"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_workspace_id_at"), ["workspace_id", "at"], unique=False)

    op.create_table(
        "category_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("category_key", sa.String(length=255), nullable=False),
        sa.Column("category", sa.String(length=255), nullable=False),
        sa.Column("account_code", sa.String(length=32), nullable=False),
        sa.Column("tax_type", sa.String(length=64), nullable=True),
        sa.Column("tracking", sa.JSON(), nullable=False),
        sa.Column("updated_by_user_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_category_mappings_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category_mappings")),
        sa.UniqueConstraint(
            "workspace_id", "category_key", name=op.f("uq_category_mappings_workspace_id_category_key")
        ),
    )
    op.create_table(
        "source_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("xero_bank_account_id", sa.String(length=64), nullable=True),
        sa.Column("mapped_by_user_id", sa.String(length=32), nullable=True),
        sa.Column("mapped_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_source_accounts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_accounts")),
        sa.UniqueConstraint("workspace_id", "external_id", name=op.f("uq_source_accounts_workspace_id_external_id")),
        sa.UniqueConstraint(
            "workspace_id",
            "xero_bank_account_id",
            name=op.f("uq_source_accounts_workspace_id_xero_bank_account_id"),
        ),
    )
    op.create_table(
        "user_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.Enum("finance", "admin", name="role", native_enum=False, length=32), nullable=False),
        sa.Column("granted_by", sa.String(length=32), nullable=False),
        sa.Column("granted_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_user_roles_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_roles")),
        sa.UniqueConstraint("workspace_id", "user_id", name=op.f("uq_user_roles_workspace_id_user_id")),
    )
    op.create_table(
        "xero_oauth_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_xero_oauth_states_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xero_oauth_states")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_xero_oauth_states_state_hash")),
    )
    op.create_table(
        "xero_token_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("auth_event_id", sa.String(length=64), nullable=True),
        sa.Column("token", storage.crypto.EncryptedJSON(), nullable=True),
        sa.Column("access_expires_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refresh_token_issued_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("scopes", sa.String(length=500), nullable=False),
        sa.Column("granted_by_user_id", sa.String(length=32), nullable=False),
        sa.Column("pending_tenants", sa.JSON(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_xero_token_sets_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xero_token_sets")),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("source_account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("amount", storage.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("payee", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=255), nullable=True),
        sa.Column("reference", sa.String(length=255), nullable=True),
        sa.Column("spender_email", sa.String(length=255), nullable=True),
        sa.Column("spender_user_id", sa.String(length=32), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "approved",
                "syncing",
                "synced",
                "sync_error",
                "updated",
                "excluded",
                name="payment_state",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("account_code", sa.String(length=32), nullable=True),
        sa.Column("tax_type", sa.String(length=64), nullable=True),
        sa.Column("tracking", sa.JSON(), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=True),
        sa.Column("contact_name", sa.String(length=255), nullable=True),
        sa.Column("exclusion_reason", sa.String(length=32), nullable=True),
        sa.Column("excluded_by_user_id", sa.String(length=32), nullable=True),
        sa.Column("no_receipt_reason", sa.String(length=32), nullable=True),
        sa.Column("no_receipt_note", sa.String(length=500), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("posted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("post_attempts", sa.Integer(), nullable=False),
        sa.Column("post_next_attempt_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("post_last_error", sa.String(length=1000), nullable=True),
        sa.Column("dm_channel_id", sa.String(length=32), nullable=True),
        sa.Column("dm_ts", sa.String(length=32), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("last_reminded_on", sa.Date(), nullable=True),
        sa.Column("approved_by_user_id", sa.String(length=32), nullable=True),
        sa.Column("approved_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("xero_bank_transaction_id", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("synced_version", sa.Integer(), nullable=True),
        sa.Column("synced_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sync_attempts", sa.Integer(), nullable=False),
        sa.Column("sync_next_attempt_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sync_last_error", sa.String(length=2000), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_account_id"],
            ["source_accounts.id"],
            name=op.f("fk_payments_source_account_id_source_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_payments_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint(
            "workspace_id",
            "source_account_id",
            "external_id",
            name=op.f("uq_payments_workspace_id_source_account_id_external_id"),
        ),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payments_state_post_next_attempt_at"),
            ["state", "post_next_attempt_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_payments_state_sync_next_attempt_at"),
            ["state", "sync_next_attempt_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_payments_workspace_id_state_date"), ["workspace_id", "state", "date"], unique=False
        )

    op.create_table(
        "xero_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("token_set_id", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("tenant_name", sa.String(length=255), nullable=False),
        sa.Column("xero_connection_id", sa.String(length=64), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "connected",
                "needs_reconnect",
                "disconnected",
                name="connection_state",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("base_currency", sa.String(length=3), nullable=True),
        sa.Column("short_code", sa.String(length=32), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("connected_by_user_id", sa.String(length=32), nullable=False),
        sa.Column("connected_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("disconnected_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_checked_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reference_synced_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reference_next_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_sync_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("reconnect_notified_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("day_limit_remaining", sa.Integer(), nullable=True),
        sa.Column("minute_limit_remaining", sa.Integer(), nullable=True),
        sa.Column("limits_seen_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_set_id"],
            ["xero_token_sets.id"],
            name=op.f("fk_xero_connections_token_set_id_xero_token_sets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_xero_connections_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xero_connections")),
        sa.UniqueConstraint("workspace_id", "tenant_id", name=op.f("uq_xero_connections_workspace_id_tenant_id")),
    )
    op.create_table(
        "receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("slack_file_id", sa.String(length=32), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("content", storage.crypto.EncryptedBytes(), nullable=True),
        sa.Column(
            "state",
            sa.Enum("stored", "attached", "rejected", name="receipt_state", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("rejection_reason", sa.String(length=500), nullable=True),
        sa.Column("sent_by_user_id", sa.String(length=32), nullable=True),
        sa.Column("xero_attachment_id", sa.String(length=64), nullable=True),
        sa.Column("attach_attempts", sa.Integer(), nullable=False),
        sa.Column("attach_next_attempt_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attach_last_error", sa.String(length=1000), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_receipts_payment_id_payments"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
        sa.UniqueConstraint("payment_id", "slack_file_id", name=op.f("uq_receipts_payment_id_slack_file_id")),
    )
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_receipts_payment_id_sha256"), ["payment_id", "sha256"], unique=False)

    op.create_table(
        "sync_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("actor_user_id", sa.String(length=32), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("request_summary", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("xero_id", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_sync_attempts_payment_id_payments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_attempts")),
    )
    with op.batch_alter_table("sync_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sync_attempts_payment_id_started_at"), ["payment_id", "started_at"], unique=False
        )

    op.create_table(
        "xero_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("account_class", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("tax_type", sa.String(length=64), nullable=True),
        sa.Column("system_account", sa.String(length=64), nullable=True),
        sa.Column("bank_account_type", sa.String(length=32), nullable=True),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column("updated_utc", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["xero_connections.id"],
            name=op.f("fk_xero_accounts_connection_id_xero_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xero_accounts")),
        sa.UniqueConstraint("connection_id", "account_id", name=op.f("uq_xero_accounts_connection_id_account_id")),
    )
    with op.batch_alter_table("xero_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_xero_accounts_connection_id_code"), ["connection_id", "code"], unique=False
        )

    op.create_table(
        "xero_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("updated_utc", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["xero_connections.id"],
            name=op.f("fk_xero_contacts_connection_id_xero_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xero_contacts")),
        sa.UniqueConstraint("connection_id", "contact_id", name=op.f("uq_xero_contacts_connection_id_contact_id")),
    )
    with op.batch_alter_table("xero_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_xero_contacts_connection_id_name_key"), ["connection_id", "name_key"], unique=False
        )

    op.create_table(
        "xero_tax_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("tax_type", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("effective_rate", storage.types.Money(precision=18, scale=4), nullable=True),
        sa.Column("can_apply_to_expenses", sa.Boolean(), nullable=False),
        sa.Column("can_apply_to_assets", sa.Boolean(), nullable=False),
        sa.Column("can_apply_to_liabilities", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["xero_connections.id"],
            name=op.f("fk_xero_tax_rates_connection_id_xero_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xero_tax_rates")),
        sa.UniqueConstraint("connection_id", "tax_type", name=op.f("uq_xero_tax_rates_connection_id_tax_type")),
    )
    op.create_table(
        "xero_tracking_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("tracking_category_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["xero_connections.id"],
            name=op.f("fk_xero_tracking_categories_connection_id_xero_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xero_tracking_categories")),
        sa.UniqueConstraint(
            "connection_id",
            "tracking_category_id",
            name=op.f("uq_xero_tracking_categories_connection_id_tracking_category_id"),
        ),
    )
    op.create_table(
        "xero_tracking_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_pk", sa.Integer(), nullable=False),
        sa.Column("tracking_option_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_pk"],
            ["xero_tracking_categories.id"],
            name=op.f("fk_xero_tracking_options_category_pk_xero_tracking_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xero_tracking_options")),
        sa.UniqueConstraint(
            "category_pk",
            "tracking_option_id",
            name=op.f("uq_xero_tracking_options_category_pk_tracking_option_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("xero_tracking_options")
    op.drop_table("xero_tracking_categories")
    op.drop_table("xero_tax_rates")
    with op.batch_alter_table("xero_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_xero_contacts_connection_id_name_key"))

    op.drop_table("xero_contacts")
    with op.batch_alter_table("xero_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_xero_accounts_connection_id_code"))

    op.drop_table("xero_accounts")
    with op.batch_alter_table("sync_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_attempts_payment_id_started_at"))

    op.drop_table("sync_attempts")
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receipts_payment_id_sha256"))

    op.drop_table("receipts")
    op.drop_table("xero_connections")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_workspace_id_state_date"))
        batch_op.drop_index(batch_op.f("ix_payments_state_sync_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_payments_state_post_next_attempt_at"))

    op.drop_table("payments")
    op.drop_table("xero_token_sets")
    op.drop_table("xero_oauth_states")
    op.drop_table("user_roles")
    op.drop_table("source_accounts")
    op.drop_table("category_mappings")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_workspace_id_at"))

    op.drop_table("audit_log")
    op.drop_table("workspaces")
    op.drop_table("slack_oauth_states")
    with op.batch_alter_table("slack_installations", schema=None) as batch_op:
        batch_op.drop_index("slack_installations_idx")

    op.drop_table("slack_installations")
    with op.batch_alter_table("slack_bots", schema=None) as batch_op:
        batch_op.drop_index("slack_bots_idx")

    op.drop_table("slack_bots")
    op.drop_table("processed_events")
