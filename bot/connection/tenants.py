"""The organisations a Xero sign-in grants, what connecting one returns, and the gateway's reference to one."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

from bot.errors import DomainError
from bot.xero.errors import XeroAuthError
from bot.xero.gateway import TenantRef
from storage.models import XeroConnection


class CallbackRefused(DomainError):
    """The Xero redirect cannot be accepted; nothing was stored."""


@dataclass(frozen=True)
class Tenant:
    connection_id: str
    tenant_id: str
    tenant_name: str


@dataclass(frozen=True)
class Connected:
    workspace_id: int
    team_id: str
    user_id: str
    connection_id: int
    tenant_name: str
    reconnected: bool


@dataclass(frozen=True)
class ChoiceNeeded:
    workspace_id: int
    team_id: str
    user_id: str
    token_set_id: int
    tenants: list[Tenant]


@dataclass(frozen=True)
class Disconnected:
    tenant_name: str
    revoked_at_xero: bool


def tenant_ref(connection: XeroConnection) -> TenantRef:
    if connection.token_set_id is None:
        raise XeroAuthError("This Xero connection has no sign-in any more. An admin can run `/xero connect`.")
    return TenantRef(
        connection_id=connection.id,
        workspace_id=connection.workspace_id,
        tenant_id=connection.tenant_id,
        tenant_name=connection.tenant_name,
        token_set_id=connection.token_set_id,
    )


def hash_state(state: str) -> str:
    """Only a hash of the single-use OAuth `state` is stored: a database reader cannot complete someone's sign-in."""
    return hashlib.sha256(state.encode()).hexdigest()


def auth_event_id(access_token: str) -> str | None:
    """Xero access tokens are JWTs carrying `authentication_event_id`; None when it is not one."""
    parts = access_token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except ValueError:
        return None
    value = claims.get("authentication_event_id") if isinstance(claims, dict) else None
    return str(value) if value else None
