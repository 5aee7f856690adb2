"""Xero Identity: authorize, token, revocation and /connections, with rotation and a grace period."""

from __future__ import annotations

import base64
import binascii
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote

from sandbox.xero.clock import EmulatorClock
from sandbox.xero.identity_pages import consent_form, html_error, redirect
from sandbox.xero.jwts import ACCESS_TOKEN_SECONDS, access_jwt, id_token
from sandbox.xero.messages import EmulatorRequest, EmulatorResponse, json_response, problem
from sandbox.xero.state import (
    AccessToken,
    AuthorizationCode,
    Connection,
    Grant,
    RefreshToken,
    Tenant,
)

CODE_SECONDS = 5 * 60
REFRESH_GRACE = timedelta(minutes=30)
REFRESH_LIFETIME = timedelta(days=60)


def _oauth_error(error: str, status: int = 400) -> EmulatorResponse:
    return json_response(status, {"error": error})


def _connection_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"


class IdentityService:
    """Not thread-safe on its own: the emulator calls it under its state lock."""

    def __init__(
        self,
        clock: EmulatorClock,
        *,
        client_id: str,
        client_secret: str,
        tenants: dict[str, Tenant],
        issuer: Callable[[], str],
    ) -> None:
        self.clock = clock
        self.client_id = client_id
        self.client_secret = client_secret
        self.tenants = tenants
        self.issuer = issuer
        self.consent_tenants: list[str] | None = None
        self.consent_page = False  # off: authorize consents at once (tests); on: a page to click (the demo)
        self.next_authorize_error: str | None = None
        self.refresh_count = 0
        self.user = {
            "xero_userid": str(uuid.uuid4()),
            "email": "demo.user@example.com",
            "given_name": "Demo",
            "family_name": "User",
        }
        self.codes: dict[str, AuthorizationCode] = {}
        self.grants: dict[str, Grant] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.connections: dict[str, Connection] = {}

    # --- /identity/connect/authorize -------------------------------------------------------------

    def authorize(self, request: EmulatorRequest) -> EmulatorResponse:
        client_id = request.query_value("client_id")
        redirect_uri = request.query_value("redirect_uri")
        scope = request.query_value("scope")
        state = request.query_value("state") or ""
        if client_id != self.client_id:
            return html_error("unauthorized_client: Invalid client_id")
        if not redirect_uri:
            return html_error("invalid_request: Invalid redirect_uri")
        if request.query_value("response_type") != "code":
            return html_error("unsupported_response_type: response_type must be 'code'")
        if not scope:
            return html_error("invalid_scope: No scopes requested")
        if self.next_authorize_error:
            error, self.next_authorize_error = self.next_authorize_error, None
            return redirect(redirect_uri, {"error": error, "state": state})
        if self.consent_page:
            decision = request.query_value("consent")
            if decision == "deny":
                return redirect(redirect_uri, {"error": "access_denied", "state": state})
            if decision != "allow":
                names = [str(self.tenants[t].organisation.get("Name", "")) for t in self._tenants_to_connect()]
                return consent_form(request, names, scope)
        code = self._consent(client_id, redirect_uri, scope)
        return redirect(redirect_uri, {"code": code.code, "scope": scope, "state": state})

    def _consent(self, client_id: str, redirect_uri: str, scope: str) -> AuthorizationCode:
        grant = Grant(auth_event_id=str(uuid.uuid4()), client_id=client_id, scope=scope)
        self.grants[grant.auth_event_id] = grant
        now = self.clock.now()
        for tenant_id in self._tenants_to_connect():
            self._connect(tenant_id, grant.auth_event_id, now)
        code = AuthorizationCode(
            code=secrets.token_urlsafe(32),
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=scope,
            auth_event_id=grant.auth_event_id,
            expires_at=now + timedelta(seconds=CODE_SECONDS),
        )
        self.codes[code.code] = code
        return code

    def _tenants_to_connect(self) -> list[str]:
        if self.consent_tenants is None:
            return list(self.tenants)[:1]
        return [tenant_id for tenant_id in self.consent_tenants if tenant_id in self.tenants]

    def _connect(self, tenant_id: str, auth_event_id: str, now: datetime) -> None:
        """Reconnecting a tenant keeps its connection id and moves it to the new auth event, as Xero does."""
        existing = self.connection_for_tenant(tenant_id)
        if existing:
            existing.auth_event_id = auth_event_id
            existing.updated = now
            return
        connection = Connection(str(uuid.uuid4()), tenant_id, auth_event_id, now, now)
        self.connections[connection.connection_id] = connection

    def connection_for_tenant(self, tenant_id: str) -> Connection | None:
        return next((c for c in self.connections.values() if c.tenant_id == tenant_id), None)

    # --- /connect/token ----------------------------------------------------------------------------

    def token(self, request: EmulatorRequest) -> EmulatorResponse:
        form = {key: values[0] for key, values in parse_qs(request.body.decode()).items()}
        if not self._client_authenticated(request, form):
            return _oauth_error("invalid_client")
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange_code(form)
        if grant_type == "refresh_token":
            return self._refresh(form)
        return _oauth_error("unsupported_grant_type")

    def _client_authenticated(self, request: EmulatorRequest, form: dict[str, str]) -> bool:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        authorization = request.header("authorization") or ""
        if authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip()).decode()
            except (binascii.Error, UnicodeDecodeError):
                return False
            basic_id, _, basic_secret = decoded.partition(":")
            client_id, client_secret = unquote(basic_id), unquote(basic_secret)
        return client_id == self.client_id and client_secret == self.client_secret

    def _exchange_code(self, form: dict[str, str]) -> EmulatorResponse:
        code = self.codes.get(form.get("code", ""))
        now = self.clock.now()
        if code is None or code.used or now >= code.expires_at or code.redirect_uri != form.get("redirect_uri"):
            return _oauth_error("invalid_grant")
        code.used = True
        grant = self.grants[code.auth_event_id]
        return json_response(200, self._issue_tokens(grant, now), {"Cache-Control": "no-store"})

    def _refresh(self, form: dict[str, str]) -> EmulatorResponse:
        token = self.refresh_tokens.get(form.get("refresh_token", ""))
        now = self.clock.now()
        if token is None or not self._refresh_token_usable(token, now):
            return _oauth_error("invalid_grant")
        if token.first_used_at is None:
            token.first_used_at = now
        self.refresh_count += 1
        grant = self.grants[token.auth_event_id]
        return json_response(200, self._issue_tokens(grant, now), {"Cache-Control": "no-store"})

    def _refresh_token_usable(self, token: RefreshToken, now: datetime) -> bool:
        grant = self.grants[token.auth_event_id]
        if token.revoked or grant.revoked or now >= token.expires_at:
            return False
        if token.first_used_at is not None and now > token.first_used_at + REFRESH_GRACE:
            return False
        return bool(self.connections)  # Xero: once every connection is gone, refresh gives invalid_grant

    def _issue_tokens(self, grant: Grant, now: datetime) -> dict[str, Any]:
        access = AccessToken(
            token=access_jwt(grant, now, issuer=self.issuer(), user=self.user),
            auth_event_id=grant.auth_event_id,
            expires_at=now + timedelta(seconds=ACCESS_TOKEN_SECONDS),
        )
        self.access_tokens[access.token] = access
        issued: dict[str, Any] = {
            "access_token": access.token,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "token_type": "Bearer",
            "scope": grant.scope,
        }
        scopes = grant.scope.split()
        if "openid" in scopes:
            issued["id_token"] = id_token(grant, now, issuer=self.issuer(), user=self.user)
        if "offline_access" in scopes:
            refresh = RefreshToken(
                token=secrets.token_hex(32), auth_event_id=grant.auth_event_id, expires_at=now + REFRESH_LIFETIME
            )
            self.refresh_tokens[refresh.token] = refresh
            issued["refresh_token"] = refresh.token
        return issued

    # --- /connect/revocation -----------------------------------------------------------------------

    def revocation(self, request: EmulatorRequest) -> EmulatorResponse:
        form = {key: values[0] for key, values in parse_qs(request.body.decode()).items()}
        if not self._client_authenticated(request, form):
            return _oauth_error("invalid_client")
        token = self.refresh_tokens.get(form.get("token", ""))
        if token is not None:
            self.revoke_grant(token.auth_event_id)
        return EmulatorResponse(status=200, content_type="text/plain")

    def revoke_grant(self, auth_event_id: str) -> None:
        self.grants[auth_event_id].revoked = True
        for refresh in self.refresh_tokens.values():
            if refresh.auth_event_id == auth_event_id:
                refresh.revoked = True
        for connection_id in [c.connection_id for c in self.connections.values() if c.auth_event_id == auth_event_id]:
            del self.connections[connection_id]

    def revoke_all_tokens(self) -> None:
        for auth_event_id in list(self.grants):
            self.revoke_grant(auth_event_id)
        for access in self.access_tokens.values():
            access.revoked = True

    def disconnect_tenant(self, tenant_id: str) -> None:
        connection = self.connection_for_tenant(tenant_id)
        if connection:
            del self.connections[connection.connection_id]

    # --- bearer tokens and /connections --------------------------------------------------------------

    def bearer_problem(self, request: EmulatorRequest) -> EmulatorResponse | None:
        """401 when the request lacks a valid, unexpired access token, else None."""
        authorization = request.header("authorization") or ""
        if not authorization.lower().startswith("bearer "):
            return _unauthorized("AuthenticationUnsuccessful: no bearer token")
        access = self.access_tokens.get(authorization[7:].strip())
        if access is None or access.revoked:
            return _unauthorized("TokenInvalid: token is not valid")
        if self.clock.now() >= access.expires_at:
            stamp = access.expires_at.strftime("%m/%d/%Y %H:%M:%S")
            return _unauthorized(f"TokenExpired: token expired at {stamp}")
        return None

    def is_connected(self, tenant_id: str | None) -> bool:
        return bool(tenant_id) and self.connection_for_tenant(tenant_id or "") is not None

    def list_connections(self, request: EmulatorRequest) -> EmulatorResponse:
        auth_event_id = request.query_value("authEventId")
        listed = [
            {
                "id": c.connection_id,
                "authEventId": c.auth_event_id,
                "tenantId": c.tenant_id,
                "tenantType": "ORGANISATION",
                "tenantName": self.tenants[c.tenant_id].name,
                "createdDateUtc": _connection_time(c.created),
                "updatedDateUtc": _connection_time(c.updated),
            }
            for c in sorted(self.connections.values(), key=lambda c: c.created)
            if not auth_event_id or c.auth_event_id == auth_event_id
        ]
        return json_response(200, listed)

    def delete_connection(self, connection_id: str) -> EmulatorResponse:
        if connection_id not in self.connections:
            return problem(404, "Not Found", f"Connection {connection_id} was not found")
        del self.connections[connection_id]
        return EmulatorResponse(status=204, content_type="")


def _unauthorized(detail: str) -> EmulatorResponse:
    response = problem(401, "Unauthorized", detail, Instance=str(uuid.uuid4()), Extensions={})
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response
