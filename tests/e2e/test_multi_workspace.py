"""Multi-workspace mode: "Add to Slack" installs through SLACK_API_URL, tokens stored encrypted, uninstall cleans up."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import Workspace
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import (
    ADMIN,
    FINANCE_CHANNEL,
    RunningBot,
    eventually,
    running_bot,
)
from tests.e2e.xero_flow import fetch


@pytest.fixture
def multi_bot(
    slack: FakeSlack, xero: XeroEmulator, database_url: str, encryption_key: str, engine: Any, uow: UnitOfWorkFactory
) -> Iterator[RunningBot]:
    """The bot in multi-workspace mode: no bot token, installs through "Add to Slack"."""
    with running_bot(
        slack,
        xero,
        database_url,
        encryption_key,
        engine,
        uow,
        slack_bot_token=None,
        slack_client_id=slack.client_id,
        slack_client_secret=slack.client_secret,
    ) as running:
        yield running


def install(bot: RunningBot) -> str:
    """Click "Add to Slack" as a browser would; return the page shown at the end."""
    with urllib.request.urlopen(f"{bot.url}/slack/install", timeout=10) as response:
        page = response.read().decode()
        cookie = response.headers["Set-Cookie"].split(";")[0]
    authorize = re.search(r'href="([^"]+/oauth/v2/authorize[^"]+)"', page)
    assert authorize, page
    status, _, location = fetch(authorize.group(1).replace("&amp;", "&"))
    assert status == 302 and location and location.startswith(f"{bot.url}/slack/oauth_redirect?")
    request = urllib.request.Request(location, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def test_add_to_slack_installs_and_the_bot_then_answers_in_that_workspace(
    multi_bot: RunningBot, slack: FakeSlack
) -> None:
    assert "Thank you!" in install(multi_bot)
    assert slack.calls_to("oauth.v2.access"), "the code exchange must go to SLACK_API_URL"
    answer = multi_bot.sender.slash_command("connect", ADMIN, FINANCE_CHANNEL).json()
    assert any(
        e.get("text", {}).get("text") == "Connect to Xero"
        for b in answer.get("blocks", [])
        for e in b.get("elements", [])
    )
    installed_tokens = {call.token for call in slack.calls_to("users.info")}
    assert installed_tokens and slack.bot_token not in installed_tokens


def test_installed_tokens_are_encrypted_and_uninstall_removes_them(multi_bot: RunningBot, slack: FakeSlack) -> None:
    install(multi_bot)
    with multi_bot.uow() as work:
        rows = work.session.execute(text("SELECT bot_token FROM slack_bots")).all()
        installations = work.session.execute(text("SELECT bot_token FROM slack_installations")).all()
    assert rows and installations
    issued = multi_bot.server.services.slack.for_team(slack.team_id).token
    assert issued and issued.startswith("xox")
    for (stored,) in [*rows, *installations]:
        assert issued not in stored and stored.startswith("enc1:")

    assert multi_bot.sender.event(multi_bot.sender.app_uninstalled()).status == 200

    def uninstalled() -> bool:
        with multi_bot.uow() as work:
            bots = work.session.execute(text("SELECT count(*) FROM slack_bots")).scalar_one()
            workspace = work.session.query(Workspace).filter_by(team_id=slack.team_id).one()
            return bots == 0 and workspace.uninstalled_at is not None

    eventually(uninstalled)
