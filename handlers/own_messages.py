"""The bot's own messages, found again by the intent key in their metadata, so a retried post adopts the
message an earlier attempt already made instead of posting it twice."""

from __future__ import annotations

import threading
from typing import Any

from bot.slack.clients import SlackClients
from bot.slack.outbox_items import Marker

PAGE = 200
PAGES = 5  # the newest 1000 messages of the conversation (or thread): a retry comes within the hour


class OwnMessages:
    def __init__(self, slack: SlackClients) -> None:
        self._slack = slack
        self._bot_users: dict[str, str] = {}
        self._lock = threading.Lock()

    def find(self, team_id: str, channel: str, marker: Marker, thread_ts: str | None = None) -> str | None:
        """The ts of the bot's message carrying `marker`, or None."""
        client = self._slack.for_team(team_id)
        bot_user = self._bot_user(team_id)
        cursor: str | None = None
        for _ in range(PAGES):
            arguments: dict[str, Any] = {"channel": channel, "include_all_metadata": True, "limit": PAGE}
            if cursor:
                arguments["cursor"] = cursor
            if thread_ts:
                page = client.conversations_replies(ts=thread_ts, **arguments)
            else:
                page = client.conversations_history(**arguments)
            for message in page.get("messages") or []:
                if message.get("user") == bot_user and _carries(message, marker):
                    return str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        return None

    def _bot_user(self, team_id: str) -> str:
        with self._lock:
            known = self._bot_users.get(team_id)
        if known is None:
            known = str(self._slack.for_team(team_id).auth_test()["user_id"])
            with self._lock:
                self._bot_users[team_id] = known
        return known


def _carries(message: dict[str, Any], marker: Marker) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return bool(metadata.get("event_type") == marker.event_type and payload.get("key") == marker.key)
