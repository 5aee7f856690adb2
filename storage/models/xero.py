"""Xero connections, their token sets, and each organisation's reference data."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.crypto import EncryptedJSON
from storage.models.base import Base, Timestamped, utcnow
from storage.models.workspace import enum_column
from storage.types import Money, UTCDateTime


class ConnectionState(enum.StrEnum):
    CONNECTED = "connected"
    NEEDS_RECONNECT = "needs_reconnect"
    DISCONNECTED = "disconnected"


class XeroOAuthState(Base):
    """A single-use `state` for the Xero authorize redirect, bound to a workspace and a user."""

    __tablename__ = "xero_oauth_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class XeroTokenSet(Timestamped, Base):
    """One consent's tokens; every organisation granted in that consent shares them."""

    __tablename__ = "xero_token_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    auth_event_id: Mapped[str | None] = mapped_column(String(64))
    token: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON())
    access_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refresh_token_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scopes: Mapped[str] = mapped_column(String(500), default="")
    granted_by_user_id: Mapped[str] = mapped_column(String(32))
    # Organisations granted but not chosen yet ([{connection_id, tenant_id, tenant_name}]).
    pending_tenants: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)


class XeroConnection(Timestamped, Base):
    __tablename__ = "xero_connections"
    __table_args__ = (UniqueConstraint("workspace_id", "tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    token_set_id: Mapped[int | None] = mapped_column(ForeignKey("xero_token_sets.id", ondelete="SET NULL"))
    tenant_id: Mapped[str] = mapped_column(String(64))
    tenant_name: Mapped[str] = mapped_column(String(255))
    xero_connection_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[ConnectionState] = mapped_column(
        enum_column(ConnectionState, "connection_state"), default=ConnectionState.CONNECTED
    )
    base_currency: Mapped[str | None] = mapped_column(String(3))
    short_code: Mapped[str | None] = mapped_column(String(32))
    country_code: Mapped[str | None] = mapped_column(String(2))
    connected_by_user_id: Mapped[str] = mapped_column(String(32))
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disconnected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reference_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reference_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(1000))
    reconnect_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    day_limit_remaining: Mapped[int | None]
    minute_limit_remaining: Mapped[int | None]
    limits_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Reading back what changed in Xero (bot/sync/xero_status.py): when last asked (our clock), and the newest
    # UpdatedDateUTC seen (Xero's clock), sent as If-Modified-Since next time.
    status_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_cursor: Mapped[datetime | None] = mapped_column(UTCDateTime())

    token_set: Mapped[XeroTokenSet | None] = relationship()


class XeroAccount(Base):
    __tablename__ = "xero_accounts"
    __table_args__ = (UniqueConstraint("connection_id", "account_id"), Index(None, "connection_id", "code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("xero_connections.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(String(64))
    code: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(32))
    account_class: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    tax_type: Mapped[str | None] = mapped_column(String(64))
    system_account: Mapped[str | None] = mapped_column(String(64))
    bank_account_type: Mapped[str | None] = mapped_column(String(32))
    currency_code: Mapped[str | None] = mapped_column(String(3))
    updated_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())


class XeroTaxRate(Base):
    __tablename__ = "xero_tax_rates"
    __table_args__ = (UniqueConstraint("connection_id", "tax_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("xero_connections.id", ondelete="CASCADE"))
    tax_type: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32))
    effective_rate: Mapped[Decimal | None] = mapped_column(Money())
    can_apply_to_expenses: Mapped[bool] = mapped_column(default=False)
    can_apply_to_assets: Mapped[bool] = mapped_column(default=False)
    can_apply_to_liabilities: Mapped[bool] = mapped_column(default=False)


class XeroTrackingCategory(Base):
    __tablename__ = "xero_tracking_categories"
    __table_args__ = (UniqueConstraint("connection_id", "tracking_category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("xero_connections.id", ondelete="CASCADE"))
    tracking_category_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32))

    options: Mapped[list[XeroTrackingOption]] = relationship(
        back_populates="category", cascade="all, delete-orphan", order_by="XeroTrackingOption.name"
    )


class XeroTrackingOption(Base):
    __tablename__ = "xero_tracking_options"
    __table_args__ = (UniqueConstraint("category_pk", "tracking_option_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_pk: Mapped[int] = mapped_column(ForeignKey("xero_tracking_categories.id", ondelete="CASCADE"))
    tracking_option_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32))

    category: Mapped[XeroTrackingCategory] = relationship(back_populates="options")


class XeroContact(Base):
    __tablename__ = "xero_contacts"
    __table_args__ = (UniqueConstraint("connection_id", "contact_id"), Index(None, "connection_id", "name_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("xero_connections.id", ondelete="CASCADE"))
    contact_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(255))
    updated_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())
