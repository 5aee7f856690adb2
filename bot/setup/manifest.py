"""`manifest`: the Slack app manifest for this deployment, over HTTP (Slack calls PUBLIC_URL) or Socket Mode."""

from __future__ import annotations

import json
from typing import Any

from bot.settings import Settings
from bot.slack.clients import BOT_SCOPES

NAME = "Expense Bot for Xero"
DESCRIPTION = "Posts every outbound payment for coding, collects receipts, and syncs Spend Money to Xero."
LONG_DESCRIPTION = (
    "Expense Bot keeps a company's Xero books current from Slack. Every outbound payment from your bank "
    "(a signed webhook or a CSV/OFX export) is posted to the finance channel as a message with Xero account, "
    "tax rate and tracking dropdowns, pre-filled from your category mapping. The person who spent the money "
    "is asked for the receipt in a direct message and replies with a photo or PDF. When a finance user clicks "
    "Approve & sync, the payment becomes a Spend Money bank transaction in Xero, exactly once, with the "
    "receipts attached, and the message shows the result with a link, or Xero's error in words and a Retry "
    "button. The App Home lists what is pending, synced and in error, and bulk-syncs up to 1000 payments."
)
BOT_EVENTS = [
    "app_home_opened",
    "message.channels",
    "message.groups",
    "message.im",
    "app_uninstalled",
    "tokens_revoked",
]


def slack_manifest(url: str | None, *, socket_mode: bool) -> dict[str, Any]:
    """The manifest Slack's "Create New App → From an app manifest" takes.

    Over HTTP every request URL is `{url}/slack/events`. In Socket Mode Slack sends everything over the
    bot's own connection, so there are no request URLs; `url` then only adds the multi-workspace redirect.
    """
    if not socket_mode and not url:
        raise ValueError("an HTTP deployment needs its public URL (PUBLIC_URL or --url)")
    base = url.rstrip("/") if url else None
    events_url = f"{base}/slack/events" if base and not socket_mode else None
    oauth_config: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    if base:
        oauth_config = {"redirect_urls": [f"{base}/slack/oauth_redirect"], **oauth_config}
    event_subscriptions, interactivity = _subscriptions(events_url)
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": NAME,
            "description": DESCRIPTION,
            "background_color": "#13B5EA",
            "long_description": LONG_DESCRIPTION,
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "expense-bot", "always_online": True},
            "slash_commands": [_slash_command(events_url)],
        },
        "oauth_config": oauth_config,
        "settings": {
            "event_subscriptions": event_subscriptions,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def _slash_command(events_url: str | None) -> dict[str, Any]:
    command: dict[str, Any] = {
        "command": "/xero",
        "description": "Connect Xero, check its status, and manage settings and roles",
        "usage_hint": "help | connect | status | settings | rules | role @user finance|admin|none | disconnect",
        "should_escape": True,
    }
    if events_url:
        command["url"] = events_url
    return command


def _subscriptions(events_url: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The event subscriptions and interactivity settings; over HTTP all of them go to `events_url`."""
    event_subscriptions: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if events_url:
        event_subscriptions["request_url"] = events_url
        interactivity["request_url"] = events_url
        interactivity["message_menu_options_url"] = events_url
    return event_subscriptions, interactivity


def render(manifest: dict[str, Any]) -> str:
    """JSON, which Slack's manifest editor takes as it takes YAML."""
    return json.dumps(manifest, indent=2, ensure_ascii=False)


def print_manifest(settings: Settings, *, url: str | None, socket_mode: bool) -> int:
    """Socket Mode when asked or when SLACK_APP_TOKEN is set; the URL given, else PUBLIC_URL over HTTP."""
    socket_mode = socket_mode or settings.slack_app_token is not None
    print(render(slack_manifest(url or (None if socket_mode else settings.base_url), socket_mode=socket_mode)))
    return 0
