"""What `init` and `doctor` ask Slack to tell whether a token and the finance channel will work."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

TIMEOUT_SECONDS = 10


class SlackCheckFailed(Exception):
    """Slack refused or did not answer; the message says which and what to do, and holds no token."""


def _client(api_url: str, token: str) -> WebClient:
    return WebClient(token=token, base_url=api_url if api_url.endswith("/") else api_url + "/", timeout=TIMEOUT_SECONDS)


def check_bot_token(api_url: str, token: str) -> str:
    """`auth.test` with the bot token: who the bot is, and in which workspace."""
    try:
        identity = _client(api_url, token).auth_test()
    except SlackApiError as error:
        raise SlackCheckFailed(f"auth.test refused the bot token: {error.response.get('error')}") from None
    except OSError as error:
        raise SlackCheckFailed(f"cannot reach Slack at {api_url}: {type(error).__name__}") from None
    return f"auth.test OK: bot {identity.get('user')} in {identity.get('team')}"


def check_app_token(api_url: str, token: str) -> str:
    """`apps.connections.open` with the app-level token: the call Socket Mode makes first (no socket is opened)."""
    try:
        _client(api_url, token).apps_connections_open(app_token=token)
    except SlackApiError as error:
        raise SlackCheckFailed(
            f"apps.connections.open refused the app-level token: {error.response.get('error')} "
            "(it needs the connections:write scope)"
        ) from None
    except OSError as error:
        raise SlackCheckFailed(f"cannot reach Slack at {api_url}: {type(error).__name__}") from None
    return "the app-level token may open Socket Mode connections"


def check_channel(api_url: str, token: str, channel: str) -> str:
    """The finance channel exists and the bot is in it (else its messages would fail with not_in_channel)."""
    try:
        info = _client(api_url, token).conversations_info(channel=channel)
    except SlackApiError as error:
        raise SlackCheckFailed(
            f"{channel}: {error.response.get('error')} (invite the bot to the channel, then use its ID)"
        ) from None
    except OSError as error:
        raise SlackCheckFailed(f"cannot reach Slack at {api_url}: {type(error).__name__}") from None
    found = info.get("channel") or {}
    if found.get("is_member") is False:
        raise SlackCheckFailed(f"#{found.get('name')} ({channel}): the bot is not in it; /invite @expense-bot there")
    return f"#{found.get('name')} ({channel}), the bot is in it"
