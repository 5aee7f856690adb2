"""The bot on Socket Mode: it connects through apps.connections.open, follows Slack's disconnects, stops cleanly.

The journeys themselves (connect, code, receipt, approve, Home) run over both transports where they
are written, marked `@both_transports`.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from bot.bootstrap import Deps
from bot.server import BotServer
from bot.settings import ConfigError
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import EMPLOYEE, FINANCE_CHANNEL, RunningBot, bot_settings, free_port, running_bot


@pytest.fixture
def socket_bot(
    slack: FakeSlack, xero: XeroEmulator, database_url: str, encryption_key: str, engine: Any, uow: UnitOfWorkFactory
) -> Iterator[RunningBot]:
    with running_bot(slack, xero, database_url, encryption_key, engine, uow, transport="socket_mode") as running:
        yield running


def status_of(method: str, url: str) -> int:
    request = urllib.request.Request(url, data=b"{}" if method == "POST" else None, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_it_connects_with_the_app_token_at_slack_api_url_and_serves_the_other_routes(
    socket_bot: RunningBot, slack: FakeSlack
) -> None:
    [opened] = slack.calls_to("apps.connections.open")
    assert opened.token == slack.app_token and opened.error is None
    assert slack.socket_mode.open_connections == 1
    answer = socket_bot.sender.slash_command("help", EMPLOYEE, FINANCE_CHANNEL)
    assert answer.status == 200 and "/xero help" in answer.json()["text"]
    assert status_of("GET", f"{socket_bot.url}/healthz") == 200
    assert status_of("GET", f"{socket_bot.url}/xero/callback?state=x&code=y") == 400
    assert status_of("POST", f"{socket_bot.url}/payments") == 401, "the webhook is there; this request is unsigned"
    assert status_of("POST", f"{socket_bot.url}/slack/events") == 404, "Slack does not call us in Socket Mode"


def test_when_slack_asks_it_opens_a_new_connection_and_keeps_answering(
    socket_bot: RunningBot, slack: FakeSlack
) -> None:
    link = slack.socket_mode
    link.disconnect("refresh_requested")
    link.wait_for(lambda: link.connections_opened == 2 and link.open_connections == 1)
    answer = socket_bot.sender.slash_command("help", EMPLOYEE, FINANCE_CHANNEL)
    assert answer.status == 200 and "/xero help" in answer.json()["text"]
    calls = slack.calls_to("apps.connections.open")
    assert len(calls) == 2 and {call.token for call in calls} == {slack.app_token}, "a new URL for each connection"


def test_stop_closes_the_connection_and_it_stays_closed(
    slack: FakeSlack, xero: XeroEmulator, database_url: str, encryption_key: str, engine: Any, uow: UnitOfWorkFactory
) -> None:
    with running_bot(slack, xero, database_url, encryption_key, engine, uow, transport="socket_mode"):
        assert slack.socket_mode.open_connections == 1
    slack.socket_mode.wait_for(lambda: slack.socket_mode.open_connections == 0)
    assert not [t for t in threading.enumerate() if t.name == "bot-under-test"], "serve returned"
    assert len(slack.calls_to("apps.connections.open")) == 1, "no reconnect after stop"
    assert slack.socket_mode.connections_opened == 1


def test_a_refused_app_token_stops_start_up_with_one_line_that_hides_it(
    slack: FakeSlack, xero: XeroEmulator, database_url: str, encryption_key: str, engine: Any, uow: UnitOfWorkFactory
) -> None:
    revoked = "xapp-1-A0FAKEAPP-1-revoked-token"
    settings = bot_settings(
        slack, xero, database_url, encryption_key, slack_app_token=revoked, slack_signing_secret=None
    )
    port = free_port()
    server = BotServer(settings, Deps(engine=engine, uow=uow), host="127.0.0.1", port=port)
    with pytest.raises(ConfigError) as refused:
        server.run()
    message = str(refused.value)
    assert message.startswith("SLACK_APP_TOKEN was refused by Slack (invalid_auth)") and "\n" not in message
    assert revoked not in message and "revoked-token" not in message
    assert not server.scheduler.running
    again = BotServer(settings, Deps(engine=engine, uow=uow), host="127.0.0.1", port=port)
    again.http.close()  # the port was released
