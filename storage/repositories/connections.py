"""Xero connections, their token sets and the sign-in states of the OAuth flow (models/xero.py)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, select
from sqlalchemy.orm.attributes import get_history

from storage.models import ConnectionState, XeroCallDay, XeroConnection, XeroOAuthState, XeroTokenSet
from storage.repositories.base import SessionRepository, skip_locked

_writes = itertools.count(1)
_last_write = 0


# What `active_reference_mark` reads and orders by: only a change to one of these can change a workspace's mark.
MARK_COLUMNS = ("workspace_id", "state", "connected_at", "reference_synced_at")


def connection_writes() -> int:
    """Changes when this process adds or removes a Xero connection row or changes what its mark is read from (a
    connect, a refresh stamp, a disconnect): what is kept in memory from connections is read again after it;
    another instance's writes are seen when it expires. The stamps a sync writes on every payment
    (`last_sync_at`, the limits seen) leave it alone: the account search would read the mark again each time."""
    return _last_write


@event.listens_for(XeroConnection, "after_insert")
@event.listens_for(XeroConnection, "after_delete")
def _written(*_: Any) -> None:
    global _last_write
    _last_write = next(_writes)


@event.listens_for(XeroConnection, "after_update")
def _updated(_mapper: Any, _connection: Any, connection: XeroConnection) -> None:
    if any(get_history(connection, column).has_changes() for column in MARK_COLUMNS):
        _written()


class ConnectionRepository(SessionRepository):
    def active_for(self, workspace_id: int) -> XeroConnection | None:
        """The workspace's current Xero organisation (connected or waiting for a reconnect)."""
        return self.session.scalar(
            select(XeroConnection)
            .where(
                XeroConnection.workspace_id == workspace_id,
                XeroConnection.state != ConnectionState.DISCONNECTED,
            )
            .order_by(XeroConnection.connected_at.desc(), XeroConnection.id.desc())
            .limit(1)
        )

    def active_reference_mark(self, workspace_id: int) -> tuple[int, datetime | None] | None:
        """`active_for`'s id and when its reference data was last refreshed, read without loading the row."""
        row = self.session.execute(
            select(XeroConnection.id, XeroConnection.reference_synced_at)
            .where(
                XeroConnection.workspace_id == workspace_id,
                XeroConnection.state != ConnectionState.DISCONNECTED,
            )
            .order_by(XeroConnection.connected_at.desc(), XeroConnection.id.desc())
            .limit(1)
        ).first()
        return None if row is None else (int(row[0]), row[1])

    def latest_for(self, workspace_id: int) -> XeroConnection | None:
        """The newest connection in any state, for status after a disconnect."""
        return self.session.scalar(
            select(XeroConnection)
            .where(XeroConnection.workspace_id == workspace_id)
            .order_by(XeroConnection.updated_at.desc(), XeroConnection.id.desc())
            .limit(1)
        )

    def get(self, connection_id: int) -> XeroConnection | None:
        return self.session.get(XeroConnection, connection_id)

    def by_tenant(self, workspace_id: int, tenant_id: str) -> XeroConnection | None:
        return self.session.scalar(
            select(XeroConnection).where(
                XeroConnection.workspace_id == workspace_id, XeroConnection.tenant_id == tenant_id
            )
        )

    def add(self, connection: XeroConnection) -> XeroConnection:
        self.session.add(connection)
        self.session.flush()
        return connection

    def of_token_set(self, token_set_id: int) -> Sequence[XeroConnection]:
        return self.session.scalars(select(XeroConnection).where(XeroConnection.token_set_id == token_set_id)).all()

    def all_connected(self) -> Sequence[XeroConnection]:
        return self.session.scalars(
            select(XeroConnection).where(XeroConnection.state == ConnectionState.CONNECTED)
        ).all()

    def others_connected(self, workspace_id: int, keep_id: int) -> Sequence[XeroConnection]:
        return self.session.scalars(
            select(XeroConnection).where(
                XeroConnection.workspace_id == workspace_id,
                XeroConnection.id != keep_id,
                XeroConnection.state != ConnectionState.DISCONNECTED,
            )
        ).all()

    def claim_due_reference(self, now: datetime, lease: timedelta, limit: int = 20) -> list[int]:
        """Connected organisations whose reference data is due; leased so other instances skip them."""
        query = (
            select(XeroConnection)
            .where(
                XeroConnection.state == ConnectionState.CONNECTED,
                (XeroConnection.reference_next_at.is_(None)) | (XeroConnection.reference_next_at <= now),
            )
            .order_by(XeroConnection.id)
            .limit(limit)
            .with_for_update(**skip_locked(self.session))
        )
        due = list(self.session.scalars(query))
        for connection in due:
            connection.reference_next_at = now + lease
        return [connection.id for connection in due]

    # Token sets: one consent's tokens, shared by the organisations granted in it.
    def token_set(self, token_set_id: int, *, lock: bool = False) -> XeroTokenSet | None:
        """With `lock`, hold the row until commit so one refresh at a time rotates the refresh token."""
        query = select(XeroTokenSet).where(XeroTokenSet.id == token_set_id)
        if lock:
            query = query.with_for_update()
        return self.session.scalars(query.execution_options(populate_existing=True)).first()

    def add_token_set(self, token_set: XeroTokenSet) -> XeroTokenSet:
        self.session.add(token_set)
        self.session.flush()
        return token_set

    def token_sets_refreshed_before(self, cutoff: datetime) -> Sequence[XeroTokenSet]:
        return self.session.scalars(
            select(XeroTokenSet).where(
                XeroTokenSet.token.is_not(None),
                XeroTokenSet.refresh_token_issued_at < cutoff,
            )
        ).all()

    # OAuth `state` values for the Xero sign-in.
    def add_state(self, state: XeroOAuthState) -> None:
        self.session.add(state)

    def state_by_hash(self, state_hash: str) -> XeroOAuthState | None:
        query = select(XeroOAuthState).where(XeroOAuthState.state_hash == state_hash).with_for_update()
        return self.session.scalar(query)

    def purge_expired_states(self, now: datetime) -> int:
        result = self.session.execute(delete(XeroOAuthState).where(XeroOAuthState.expires_at < now))
        return int(getattr(result, "rowcount", 0) or 0)

    def forget_call_days_before(self, day: date) -> int:
        """The shared call ledger's day counts older than `day` (storage.models.calls)."""
        result = self.session.execute(delete(XeroCallDay).where(XeroCallDay.day < day))
        return int(getattr(result, "rowcount", 0) or 0)
