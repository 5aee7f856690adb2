"""Connecting a workspace to a Xero organisation, keeping it connected, and disconnecting it."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from bot.clock import Clock
from bot.connection.linking import link_tenant
from bot.connection.roles import Access, Actor, Roles
from bot.connection.status import ConnectionStatus, connection_status
from bot.connection.tenants import (
    CallbackRefused,
    ChoiceNeeded,
    Connected,
    Disconnected,
    Tenant,
    auth_event_id,
    hash_state,
    tenant_ref,
)
from bot.errors import DomainError
from bot.settings import Settings
from bot.xero.errors import XeroAuthError, XeroError, XeroUnavailable
from bot.xero.gateway import TenantRef, XeroGateway
from bot.xero.oauth import XeroOAuth
from bot.xero.reference import ReferenceDataSync
from storage.models import ConnectionState, XeroOAuthState, XeroTokenSet
from storage.uow import UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)

STATE_LIFETIME = timedelta(minutes=10)
NOTHING_CONNECTED = "No Xero organisation is connected, so there is nothing to disconnect."


class ConnectionService:
    def __init__(
        self,
        *,
        settings: Settings,
        uow: UnitOfWorkFactory,
        clock: Clock,
        roles: Roles,
        oauth: XeroOAuth,
        gateway: XeroGateway,
        reference: ReferenceDataSync,
    ) -> None:
        self._settings = settings
        self._uow = uow
        self._clock = clock
        self._roles = roles
        self._oauth = oauth
        self._gateway = gateway
        self._reference = reference

    # --- connect -----------------------------------------------------------------------------

    def start(self, actor: Actor) -> str:
        """The Xero authorize URL for this admin, with a fresh single-use `state`."""
        self._roles.require(actor, Access.ADMIN, "connect Xero")
        if not (self._settings.xero_client_id and self._settings.xero_client_secret):
            raise DomainError("The bot has no Xero app yet: set XERO_CLIENT_ID and XERO_CLIENT_SECRET, then retry.")
        state = secrets.token_urlsafe(32)
        now = self._clock.now()
        with self._uow() as work:
            work.connections.add_state(
                XeroOAuthState(
                    state_hash=hash_state(state),
                    workspace_id=actor.workspace_id,
                    user_id=actor.user_id,
                    created_at=now,
                    expires_at=now + STATE_LIFETIME,
                )
            )
            work.commit()
        return self._oauth.authorize_url(state)

    def complete(self, *, state: str | None, code: str | None, error: str | None) -> Connected | ChoiceNeeded:
        """Handle Xero's redirect: check `state`, exchange the code, then connect or ask which organisation."""
        owner = self._consume_state(state)
        workspace_id, team_id, user_id = owner
        if error:
            raise CallbackRefused(
                "Xero sign-in was cancelled, so nothing was connected. Run `/xero connect` in Slack to try again."
            )
        if not code:
            raise CallbackRefused("Xero did not send a sign-in code. Run `/xero connect` in Slack to try again.")
        now = self._clock.now()
        token = self._oauth.exchange_code(code, now)
        with self._uow() as work:
            token_set = work.connections.add_token_set(
                XeroTokenSet(
                    workspace_id=workspace_id,
                    token=token.as_stored(),
                    access_expires_at=token.expires_at,
                    refresh_token_issued_at=now,
                    scopes=" ".join(token.scopes),
                    granted_by_user_id=user_id,
                )
            )
            work.commit()
            token_set_id = token_set.id
        event_id = auth_event_id(token.access_token)
        granted = self._gateway.connections(token_set_id, event_id)
        if event_id and not granted:
            granted = self._gateway.connections(token_set_id)
        tenants = [
            Tenant(c.connection_id, c.tenant_id, c.tenant_name or "Xero organisation")
            for c in granted
            if c.tenant_type == "ORGANISATION"
        ]
        if not tenants:
            raise CallbackRefused("Xero granted access to no organisation. Run `/xero connect` again and pick one.")
        with self._uow() as work:
            stored = work.connections.token_set(token_set_id)
            assert stored is not None
            stored.auth_event_id = event_id
            if len(tenants) > 1:
                stored.pending_tenants = [t.__dict__ for t in tenants]
            work.commit()
        if len(tenants) > 1:
            return ChoiceNeeded(workspace_id, team_id, user_id, token_set_id, tenants)
        return self._connect(workspace_id, team_id, user_id, token_set_id, tenants[0])

    def choose(self, actor: Actor, token_set_id: int, tenant_id: str) -> Connected:
        """The admin who signed in picks one of the organisations they granted."""
        with self._uow() as work:
            token_set = work.connections.token_set(token_set_id)
            if token_set is None or token_set.workspace_id != actor.workspace_id or not token_set.pending_tenants:
                raise DomainError("That choice has expired. Run `/xero connect` to sign in to Xero again.")
            if token_set.granted_by_user_id != actor.user_id:
                raise DomainError("Only the person who signed in to Xero can choose the organisation.")
            choices = [Tenant(**t) for t in token_set.pending_tenants]
        chosen = next((t for t in choices if t.tenant_id == tenant_id), None)
        if chosen is None:
            raise DomainError("That organisation was not part of this sign-in. Run `/xero connect` again.")
        return self._connect(actor.workspace_id, actor.team_id, actor.user_id, token_set_id, chosen)

    def _connect(self, workspace_id: int, team_id: str, user_id: str, token_set_id: int, tenant: Tenant) -> Connected:
        with self._uow() as work:
            connection, reconnected, orphaned = link_tenant(
                work, workspace_id, user_id, token_set_id, tenant, self._clock.now()
            )
            if orphaned is not None:
                self._wipe(work, orphaned)
            work.audit.record(
                workspace_id=workspace_id,
                actor_user_id=user_id,
                action="xero.reconnected" if reconnected else "xero.connected",
                subject_type="xero_tenant",
                subject_id=tenant.tenant_id,
                tenant_name=tenant.tenant_name,
            )
            work.commit()
            ref = tenant_ref(connection)
        try:
            self._reference.refresh(ref, full=True)
        except XeroError as problem:
            logger.warning("first reference-data refresh failed for connection %s: %s", ref.connection_id, problem)
        return Connected(workspace_id, team_id, user_id, ref.connection_id, tenant.tenant_name, reconnected)

    def _consume_state(self, state: str | None) -> tuple[int, str, str]:
        refused = CallbackRefused(
            "This sign-in link is not valid (it was already used, has expired, or did not come from this bot). "
            "Go back to Slack and run `/xero connect` to get a new one."
        )
        if not state:
            raise refused
        now = self._clock.now()
        with self._uow() as work:
            stored = work.connections.state_by_hash(hash_state(state))
            if stored is None or stored.consumed_at is not None or stored.expires_at <= now:
                raise refused
            stored.consumed_at = now
            workspace = work.workspaces.get(stored.workspace_id)
            if workspace is None or workspace.uninstalled_at is not None:
                raise refused
            owner = (stored.workspace_id, workspace.team_id, stored.user_id)
            work.commit()
        return owner

    # --- status ------------------------------------------------------------------------------

    def status(self, actor: Actor, *, refresh_reference: bool = False) -> ConnectionStatus:
        """Check the connection with Xero now (refreshing the token if due), then describe it."""
        check_failed = None
        with self._uow() as work:
            connection = work.connections.active_for(actor.workspace_id)
            ref = tenant_ref(connection) if connection and connection.token_set_id else None
        if ref is not None:
            try:
                self.check_live(ref)
                if refresh_reference:
                    self._reference.refresh(ref)
            except XeroAuthError as problem:
                check_failed = problem.message
            except XeroError as problem:
                check_failed = problem.message
        return self.describe(actor.workspace_id, check_failed)

    def check_live(self, ref: TenantRef) -> None:
        """Ask Xero whether the organisation is still connected; a missing one needs a reconnect."""
        granted = self._gateway.connections(ref.token_set_id)
        if not any(c.tenant_id == ref.tenant_id for c in granted):
            self._gateway.lose_access(ref.connection_id, "the organisation is no longer connected in Xero")
            raise XeroAuthError(
                f"{ref.tenant_name} was disconnected from Xero's side. An admin needs to reconnect with "
                "`/xero connect`."
            )
        with self._uow() as work:
            connection = work.connections.get(ref.connection_id)
            if connection is not None:
                connection.last_checked_at = self._clock.now()
                work.commit()

    def describe(self, workspace_id: int, check_failed: str | None = None) -> ConnectionStatus:
        with self._uow() as work:
            return connection_status(
                work, workspace_id, default_channel=self._settings.finance_channel, check_failed=check_failed
            )

    # --- disconnect --------------------------------------------------------------------------

    def tenant_to_disconnect(self, actor: Actor) -> str:
        """The organisation `/xero disconnect` asks an admin to confirm disconnecting."""
        self._roles.require(actor, Access.ADMIN, "disconnect Xero")
        current = self.describe(actor.workspace_id)
        if current.state in ("never", "disconnected") or not current.tenant_name:
            raise DomainError(NOTHING_CONNECTED)
        return current.tenant_name

    def disconnect(self, actor: Actor) -> Disconnected:
        self._roles.require(actor, Access.ADMIN, "disconnect Xero")
        with self._uow() as work:
            connection = work.connections.active_for(actor.workspace_id)
            if connection is None:
                raise DomainError(NOTHING_CONNECTED)
            token_set = connection.token_set
            refresh_token = str(token_set.token["refresh_token"]) if token_set and token_set.token else None
            token_set_id = token_set.id if token_set else None
            xero_connection_id = connection.xero_connection_id
            tenant_name = connection.tenant_name
            connection_id = connection.id
        revoked = self._revoke_at_xero(token_set_id, xero_connection_id, refresh_token)
        with self._uow() as work:
            connection = work.connections.get(connection_id)
            assert connection is not None
            connection.state = ConnectionState.DISCONNECTED
            connection.disconnected_at = self._clock.now()
            if connection.token_set is not None:
                self._wipe(work, connection.token_set)
            work.audit.record(
                workspace_id=actor.workspace_id,
                actor_user_id=actor.user_id,
                action="xero.disconnected",
                subject_type="xero_tenant",
                subject_id=connection.tenant_id,
                revoked_at_xero=revoked,
            )
            work.commit()
        return Disconnected(tenant_name, revoked)

    def _revoke_at_xero(self, token_set_id: int | None, xero_connection_id: str | None, refresh: str | None) -> bool:
        if token_set_id is None or refresh is None:
            return False
        try:
            if xero_connection_id:
                self._gateway.delete_connection(token_set_id, xero_connection_id)
            self._oauth.revoke(refresh)
        except (XeroUnavailable, XeroAuthError, XeroError) as problem:
            logger.warning("could not revoke at Xero while disconnecting: %s", problem)
            return False
        return True

    @staticmethod
    def _wipe(work: UnitOfWork, token_set: XeroTokenSet) -> None:
        token_set.token = None
        token_set.access_expires_at = None
        token_set.pending_tenants = None

    # --- keeping connections alive -----------------------------------------------------------

    def connected_refs(self) -> list[TenantRef]:
        with self._uow() as work:
            return [tenant_ref(c) for c in work.connections.all_connected() if c.token_set_id is not None]
