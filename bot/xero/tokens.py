"""Fresh access tokens for a token set, refreshed once however many threads and processes ask.

A refresh holds the token set's row lock (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE) from
reading the refresh token until the rotated one is committed, and the new access token is used only
after that commit. Xero rotates refresh tokens on every use, so two concurrent refreshes would leave one
process holding a dead token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.xero.errors import XeroAuthError
from bot.xero.oauth import XeroOAuth
from storage.models import ConnectionState, XeroTokenSet
from storage.uow import UnitOfWork, UnitOfWorkFactory

REFRESH_MARGIN = timedelta(minutes=2)

# Called with the ids of connections that just lost their Xero access, after the change is committed.
AuthLostListener = Callable[[list[int]], None]


class TokenManager:
    def __init__(
        self, *, uow: UnitOfWorkFactory, oauth: XeroOAuth, clock: Clock, on_auth_lost: AuthLostListener
    ) -> None:
        self._uow = uow
        self._oauth = oauth
        self._clock = clock
        self.on_auth_lost = on_auth_lost

    def access_token(self, token_set_id: int) -> str:
        with self._uow() as work:
            tokens = work.connections.token_set(token_set_id)
            if tokens is not None and self._is_fresh(tokens):
                return str(tokens.token["access_token"])  # type: ignore[index]
        return self.refresh(token_set_id)

    def keep_alive(self, token_set_id: int, max_age: timedelta) -> bool:
        """Refresh a token set whose refresh token is older than `max_age`, so it never lapses unused.
        True when this call refreshed it (another instance may have just done so)."""
        with self._uow() as work:
            tokens = work.connections.token_set(token_set_id)
            issued = tokens.refresh_token_issued_at if tokens else None
        if issued is None or issued > self._clock.now() - max_age:
            return False
        self.refresh(token_set_id, older_than=max_age)
        return True

    def refresh(
        self, token_set_id: int, *, rejected_access_token: str | None = None, older_than: timedelta | None = None
    ) -> str:
        """Refresh unless another thread or process already has; `rejected_access_token` forces it when
        Xero refused that token even though it had not expired by our clock."""
        with self._uow() as work:
            tokens = work.connections.token_set(token_set_id, lock=True)
            if tokens is None or not tokens.token:
                raise XeroAuthError("This Xero connection has no sign-in any more. An admin can run `/xero connect`.")
            current = str(tokens.token["access_token"])
            now = self._clock.now()
            if older_than is not None:
                issued = tokens.refresh_token_issued_at
                if issued is not None and issued > now - older_than:
                    return current
            elif rejected_access_token is not None:
                if current != rejected_access_token:
                    return current
            elif self._is_fresh(tokens):
                return current
            try:
                fresh = self._oauth.refresh(str(tokens.token["refresh_token"]), now)
            except XeroAuthError as refused:
                lost = self._lose_access(work, tokens, "Xero refused the refresh token (invalid_grant)")
                work.commit()
                failure = refused
            else:
                tokens.token = fresh.as_stored()
                tokens.access_expires_at = fresh.expires_at
                tokens.refresh_token_issued_at = now
                work.commit()
                return fresh.access_token
        if lost and self.on_auth_lost is not None:
            self.on_auth_lost(lost)
        raise failure

    def _is_fresh(self, tokens: XeroTokenSet) -> bool:
        expires = tokens.access_expires_at
        return bool(tokens.token) and expires is not None and expires - REFRESH_MARGIN > self._clock.now()

    def _lose_access(self, work: UnitOfWork, tokens: XeroTokenSet, reason: str) -> list[int]:
        lost = []
        for connection in work.connections.of_token_set(tokens.id):
            if connection.state is ConnectionState.CONNECTED:
                connection.state = ConnectionState.NEEDS_RECONNECT
                connection.last_error = reason
                lost.append(connection.id)
        return lost

    def idle_token_sets(self, older_than: timedelta) -> list[int]:
        """Token sets not refreshed for `older_than`, so a refresh token never lapses unused."""
        cutoff: datetime = self._clock.now() - older_than
        with self._uow() as work:
            return [tokens.id for tokens in work.connections.token_sets_refreshed_before(cutoff)]
