"""Wiring the real xero-python SDK to a XeroEmulator, as the reference's cheat-sheet shows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
import urllib3
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient
from xero_python.api_client import oauth2 as sdk_oauth2
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.identity import IdentityApi

from sandbox.xero import XeroEmulator
from sandbox.xero.consent import connect


def wire_sdk_to(emulator: XeroEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Token URLs are SDK class attributes; the SDK's clock becomes the emulator's clock."""
    monkeypatch.setattr(TokenApi, "refresh_token_url", f"{emulator.url}/connect/token")
    monkeypatch.setattr(TokenApi, "client_credentials_token_url", f"{emulator.url}/connect/token")
    monkeypatch.setattr(TokenApi, "revoke_token_url", f"{emulator.url}/connect/revocation")
    monkeypatch.setattr(sdk_oauth2, "time", SimpleNamespace(time=emulator.clock.timestamp))


def sdk_token(emulator: XeroEmulator, issued: dict[str, Any]) -> dict[str, Any]:
    """Xero's token response in the shape the SDK's getter must return (scope as a list, expires_at)."""
    return {
        "access_token": issued["access_token"],
        "refresh_token": issued.get("refresh_token"),
        "id_token": issued.get("id_token"),
        "token_type": issued["token_type"],
        "expires_in": issued["expires_in"],
        "expires_at": emulator.clock.timestamp() + issued["expires_in"],
        "scope": issued["scope"].split(),
    }


@dataclass
class SdkSession:
    """One SDK client with its own token store, as the bot's gateway would hold."""

    emulator: XeroEmulator
    token: dict[str, Any]
    saved: list[dict[str, Any]] = field(default_factory=list)
    client: ApiClient = field(init=False)
    accounting: AccountingApi = field(init=False)
    identity: IdentityApi = field(init=False)

    def __post_init__(self) -> None:
        cfg = Configuration()
        cfg.oauth2_token = OAuth2Token(client_id=self.emulator.client_id, client_secret=self.emulator.client_secret)
        self.client = ApiClient(
            cfg, pool_threads=1, oauth2_token_getter=lambda: self.token, oauth2_token_saver=self._save
        )
        self.accounting = AccountingApi(self.client, base_url=self.emulator.accounting_url)
        self.identity = IdentityApi(self.client, base_url=self.emulator.url)

    def _save(self, token: dict[str, Any]) -> None:
        self.saved.append(dict(token))
        self.token = dict(token)


def connected_session(emulator: XeroEmulator) -> SdkSession:
    issued = connect(emulator.url, client_id=emulator.client_id, client_secret=emulator.client_secret)
    return SdkSession(emulator, sdk_token(emulator, issued))


class RawClient:
    """Plain urllib3 calls, for what the SDK cannot send (bad payloads, missing headers)."""

    def __init__(self, emulator: XeroEmulator, access_token: str) -> None:
        self.emulator = emulator
        self.access_token = access_token
        self.http = urllib3.PoolManager(retries=False)

    def headers(self, tenant_id: str | None, **extra: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.access_token}", "Accept": "application/json", **extra}
        if tenant_id is not None:
            headers["xero-tenant-id"] = tenant_id
        return headers

    def call(
        self, method: str, path: str, tenant_id: str | None, body: Any = None, **headers: str
    ) -> urllib3.BaseHTTPResponse:
        encoded = json.dumps(body).encode() if body is not None else None
        all_headers = self.headers(tenant_id, **headers)
        if encoded is not None:
            all_headers.setdefault("Content-Type", "application/json")
        url = path if path.startswith("http") else f"{self.emulator.accounting_url}{path}"
        return self.http.request(method, url, body=encoded, headers=all_headers)


def form_post(url: str, fields: dict[str, str]) -> urllib3.BaseHTTPResponse:
    return urllib3.PoolManager(retries=False).request("POST", url, fields=fields, encode_multipart=False)
