"""`METRICS_TOKEN`: with one set, `/metrics` answers only the bearer of that token."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import running_bot

TOKEN = "scrape-me-4f7d2c9a"


def get_metrics(url: str, authorization: str | None) -> tuple[int, str]:
    request = urllib.request.Request(f"{url}/metrics")
    if authorization is not None:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_metrics_need_the_bearer_token_when_one_is_set(
    slack: FakeSlack, xero: XeroEmulator, database_url: str, encryption_key: str, engine: Any, uow: UnitOfWorkFactory
) -> None:
    with running_bot(slack, xero, database_url, encryption_key, engine, uow, metrics_token=TOKEN) as bot:
        for refused in (None, "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"):
            status, body = get_metrics(bot.url, refused)
            assert status == 401, refused
            assert "xero_bot_http_requests_total" not in body and TOKEN not in body
        status, body = get_metrics(bot.url, f"Bearer {TOKEN}")
        assert status == 200 and "xero_bot_http_requests_total" in body
