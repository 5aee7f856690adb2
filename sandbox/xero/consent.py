"""Drives the browser half of Xero's OAuth flow against the emulator: consent, then code exchange.

The SDK has no support for this step; tests and the demo use these helpers instead of a browser.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

DEFAULT_REDIRECT_URI = "http://localhost:3000/xero/callback"
DEFAULT_SCOPES = (
    "openid",
    "profile",
    "email",
    "offline_access",
    "accounting.banktransactions",
    "accounting.settings.read",
    "accounting.contacts",
    "accounting.attachments",
)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def consent_redirect(
    base_url: str,
    *,
    client_id: str,
    redirect_uri: str = DEFAULT_REDIRECT_URI,
    scopes: tuple[str, ...] = DEFAULT_SCOPES,
    state: str = "state-1",
) -> dict[str, str]:
    """Query parameters Xero appends to the redirect URI after the user consents (code or error)."""
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": state,
        }
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(f"{base_url}/identity/connect/authorize?{query}")
    except urllib.error.HTTPError as redirect:
        if redirect.code != 302:
            raise
        location = redirect.headers["Location"]
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    raise RuntimeError("the authorize endpoint did not redirect")


def exchange_code(
    base_url: str, *, code: str, client_id: str, client_secret: str, redirect_uri: str = DEFAULT_REDIRECT_URI
) -> dict[str, Any]:
    """POST /connect/token with HTTP Basic client authentication, as Xero's docs show."""
    form = urllib.parse.urlencode(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    ).encode()
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    request = urllib.request.Request(
        f"{base_url}/connect/token",
        data=form,
        headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request) as response:
        token: dict[str, Any] = json.loads(response.read())
    return token


def connect(
    base_url: str,
    *,
    client_id: str,
    client_secret: str,
    redirect_uri: str = DEFAULT_REDIRECT_URI,
    scopes: tuple[str, ...] = DEFAULT_SCOPES,
) -> dict[str, Any]:
    """Consent and exchange in one go; returns Xero's token response."""
    redirect = consent_redirect(base_url, client_id=client_id, redirect_uri=redirect_uri, scopes=scopes)
    if "code" not in redirect:
        raise RuntimeError(f"consent failed: {redirect}")
    return exchange_code(
        base_url, code=redirect["code"], client_id=client_id, client_secret=client_secret, redirect_uri=redirect_uri
    )
