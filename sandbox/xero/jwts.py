"""The tokens the emulator issues, shaped like Xero's: an access token that is a JWT naming its consent, and an
OpenID id token. Nothing verifies their signatures, so they carry none worth checking."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import datetime

from sandbox.xero.state import Grant

ACCESS_TOKEN_SECONDS = 30 * 60


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def access_jwt(grant: Grant, now: datetime, *, issuer: str, user: dict[str, str]) -> str:
    """Like Xero's: a JWT carrying `authentication_event_id`, so a client can ask /connections for the
    organisations of this consent. The signature part is random: nothing here verifies it."""
    issued_at = int(now.timestamp())
    claims = {
        "nbf": issued_at,
        "exp": issued_at + ACCESS_TOKEN_SECONDS,
        "iss": issuer,
        "aud": f"{issuer}/resources",
        "client_id": grant.client_id,
        "sub": user["xero_userid"].replace("-", ""),
        "xero_userid": user["xero_userid"],
        "authentication_event_id": grant.auth_event_id,
        "jti": secrets.token_hex(16),
        "scope": grant.scope.split(),
    }
    header = {"alg": "RS256", "typ": "JWT"}
    signature = _b64url(secrets.token_bytes(32))
    return f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}.{signature}"


def id_token(grant: Grant, now: datetime, *, issuer: str, user: dict[str, str]) -> str:
    """Well-formed but unsigned (alg "none"): clients that verify signatures must skip that here."""
    issued_at = int(now.timestamp())
    claims = {
        "nbf": issued_at,
        "exp": issued_at + 300,
        "iss": issuer,
        "aud": grant.client_id,
        "iat": issued_at,
        "auth_time": issued_at,
        "sub": user["xero_userid"].replace("-", ""),
        "xero_userid": user["xero_userid"],
        "global_session_id": grant.auth_event_id.replace("-", ""),
        "sid": grant.auth_event_id.replace("-", ""),
        "preferred_username": user["email"],
        "email": user["email"],
        "given_name": user["given_name"],
        "family_name": user["family_name"],
        "name": f"{user['given_name']} {user['family_name']}",
    }
    header = {"alg": "none", "typ": "JWT"}
    return f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}."
