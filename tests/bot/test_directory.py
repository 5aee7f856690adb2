"""A person's name for text outside Slack (Xero's History & Notes): the id when Slack cannot say who it is."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.errors import DomainError
from bot.slack.directory import SlackDirectory


def test_a_workspace_that_uninstalled_the_bot_gives_no_name_and_nothing_fails() -> None:
    def client_for(team_id: str) -> WebClient:
        raise DomainError("The bot is not installed in this workspace any more; reinstall it from /slack/install.")

    assert SlackDirectory(client_for).name_of("T0GONE", "U0ANA") is None


def test_slack_out_of_reach_gives_no_name() -> None:
    unreachable = WebClient(token="xoxb-test", base_url="http://127.0.0.1:9/api/", timeout=1)

    assert SlackDirectory(lambda team_id: unreachable).name_of("T0ACME", "U0ANA") is None
