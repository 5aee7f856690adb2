"""Events API envelopes and the events this bot subscribes to, as Slack delivers them."""

from __future__ import annotations

import time
import uuid
from typing import Any

from sandbox.slack.fake import FakeSlack
from sandbox.slack.model import Json


def envelope(fake: FakeSlack, event: Json, *, event_id: str, verification_token: str) -> Json:
    return {
        "token": verification_token,
        "team_id": fake.team_id,
        "context_team_id": fake.team_id,
        "context_enterprise_id": None,
        "api_app_id": fake.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": fake.team_id,
                "user_id": fake.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{uuid.uuid4().hex}",
    }


def new_event_id() -> str:
    return "Ev" + uuid.uuid4().hex[:10].upper()


def channel_type(fake: FakeSlack, channel_id: str) -> str:
    info = fake.channel_info(channel_id)
    if info.get("is_im"):
        return "im"
    return "group" if info.get("is_private") else "channel"


def user_message(
    fake: FakeSlack,
    user_id: str,
    channel: str,
    text: str,
    *,
    thread_ts: str | None = None,
    files: list[Json] | None = None,
) -> Json:
    """A person's message event; the message is also stored in the fake, so the bot can react or reply."""
    channel_id = fake.channel_info(channel)["id"]
    stored = fake.add_user_message(
        user_id,
        channel_id,
        text,
        thread_ts=thread_ts,
        files=files,
        subtype="file_share" if files else None,
        client_msg_id=str(uuid.uuid4()),
    )
    event: dict[str, Any] = {
        **stored,
        "display_as_bot": False,
        "blocks": [
            {
                "type": "rich_text",
                "block_id": uuid.uuid4().hex[:4],
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
            }
        ]
        if text
        else [],
        "channel": channel_id,
        "event_ts": stored["ts"],
        "channel_type": channel_type(fake, channel_id),
    }
    return event


def app_home_opened(fake: FakeSlack, user_id: str, tab: str = "home") -> Json:
    event: Json = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": fake.dm_channel(user_id),
        "tab": tab,
        "event_ts": fake.next_ts(),
    }
    home = fake.home_view(user_id)
    if home is not None and tab == "home":
        event["view"] = home
    return event


def app_uninstalled(fake: FakeSlack) -> Json:
    return {"type": "app_uninstalled", "event_ts": fake.next_ts()}


def tokens_revoked(fake: FakeSlack, *, bot: list[str], oauth: list[str]) -> Json:
    return {"type": "tokens_revoked", "tokens": {"oauth": list(oauth), "bot": list(bot)}, "event_ts": fake.next_ts()}
