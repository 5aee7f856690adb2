"""Xero's OAuth 2.0 endpoints: authorize URL, code exchange, refresh, revocation.

xero-python has no code exchange and keeps its token URLs in class attributes shared by the whole
process, so these few form posts are made here, against the hosts in settings.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import urllib3

from bot.settings import Settings
from bot.xero.errors import XeroAuthError, XeroUnavailable

logger = logging.getLogger(__name__)

TIMEOUT = urllib3.Timeout(connect=5, read=20)


@dataclass(frozen=True)
class TokenResponse:
    access_token: str
    refresh_token: str
    expires_at: datetime
    scopes: list[str]
    id_token: str | None

    def as_stored(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at.isoformat(),
            "scope": self.scopes,
            "id_token": self.id_token,
        }


class XeroOAuth:
    def __init__(self, settings: Settings, http: urllib3.PoolManager | None = None) -> None:
        self.settings = settings
        self._http = http or urllib3.PoolManager(retries=False, timeout=TIMEOUT)
        identity = str(settings.xero_identity_url).rstrip("/")
        self.token_url = f"{identity}/connect/token"
        self.revocation_url = f"{identity}/connect/revocation"

    def authorize_url(self, state: str) -> str:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.settings.xero_client_id or "",
                "redirect_uri": self.settings.redirect_uri,
                "scope": " ".join(self.settings.scopes),
                "state": state,
            }
        )
        return f"{str(self.settings.xero_login_url).rstrip('/')}/identity/connect/authorize?{query}"

    def exchange_code(self, code: str, now: datetime) -> TokenResponse:
        return self._token_request(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": self.settings.redirect_uri}, now
        )

    def refresh(self, refresh_token: str, now: datetime) -> TokenResponse:
        return self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token}, now)

    def revoke(self, refresh_token: str) -> None:
        response = self._post(self.revocation_url, {"token": refresh_token})
        if response.status >= 400:
            raise XeroUnavailable(f"Xero's revocation endpoint answered {response.status}.")

    def _token_request(self, form: dict[str, str], now: datetime) -> TokenResponse:
        response = self._post(self.token_url, form)
        payload = _json(response.data)
        if response.status == 400 and payload.get("error") in ("invalid_grant", "invalid_request"):
            raise XeroAuthError(
                "Xero no longer accepts this connection's sign-in (it was revoked or expired). "
                "An admin needs to reconnect with `/xero connect`."
            )
        if response.status in (400, 401) and payload.get("error") in ("invalid_client", "unauthorized_client"):
            raise XeroAuthError("Xero refused the app's credentials: check XERO_CLIENT_ID and XERO_CLIENT_SECRET.")
        if response.status != 200 or "access_token" not in payload:
            raise XeroUnavailable(f"Xero's token endpoint answered {response.status}; try again in a minute.")
        scope = payload.get("scope", "")
        return TokenResponse(
            access_token=payload["access_token"],
            refresh_token=payload.get("refresh_token", ""),
            expires_at=now + timedelta(seconds=int(payload.get("expires_in", 1800))),
            scopes=scope.split() if isinstance(scope, str) else list(scope),
            id_token=payload.get("id_token"),
        )

    def _post(self, url: str, form: dict[str, str]) -> urllib3.BaseHTTPResponse:
        credentials = f"{self.settings.xero_client_id or ''}:{self._client_secret()}"
        try:
            return self._http.request(
                "POST",
                url,
                body=urlencode(form),
                headers={
                    "Authorization": "Basic " + base64.b64encode(credentials.encode()).decode(),
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                },
            )
        except urllib3.exceptions.HTTPError as error:
            logger.warning("Xero identity request failed: %s", type(error).__name__)
            raise XeroUnavailable("Xero could not be reached; try again in a minute.") from None

    def _client_secret(self) -> str:
        secret = self.settings.xero_client_secret
        return secret.get_secret_value() if secret is not None else ""


def _json(data: bytes) -> dict[str, Any]:
    try:
        loaded = json.loads(data or b"{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}
