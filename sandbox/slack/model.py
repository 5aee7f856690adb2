"""What the fake workspace remembers, one small dataclass per Slack object."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    domain: str


@dataclass(frozen=True)
class BotIdentity:
    user_id: str
    bot_id: str
    app_id: str
    name: str


@dataclass
class User:
    id: str
    name: str
    email: str | None
    team_id: str
    real_name: str = ""
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    tz: str = "Europe/London"
    is_bot: bool = False
    deleted: bool = False
    bot_id: str | None = None

    def to_slack(self) -> Json:
        real_name = self.real_name or self.name
        profile: Json = {
            "real_name": real_name,
            "display_name": self.name,
            "real_name_normalized": real_name,
            "display_name_normalized": self.name,
            "team": self.team_id,
        }
        if self.email is not None:
            profile["email"] = self.email
        if self.bot_id is not None:
            profile["bot_id"] = self.bot_id
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": real_name,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": 0,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_primary_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
        }


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    im_user: str | None = None
    is_archived: bool = False
    is_ext_shared: bool = False
    members: set[str] = field(default_factory=set)

    def to_slack(self) -> Json:
        if self.is_im:
            return {
                "id": self.id,
                "created": 1700000000,
                "is_im": True,
                "is_org_shared": False,
                "user": self.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_general": self.name == "general",
            "is_shared": self.is_ext_shared,
            "is_ext_shared": self.is_ext_shared,
            "is_org_shared": False,
            "is_member": True,
            "created": 1700000000,
            "name_normalized": self.name,
            "num_members": len(self.members),
        }


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[Json]
    user: str
    bot_id: str | None = None
    app_id: str | None = None
    team: str | None = None
    thread_ts: str | None = None
    reply_broadcast: bool = False
    subtype: str | None = None
    files: list[Json] = field(default_factory=list)
    attachments: list[Json] = field(default_factory=list)
    metadata: Json | None = None
    client_msg_id: str | None = None
    edited: Json | None = None
    reply_users: list[str] = field(default_factory=list)
    reply_count: int = 0
    latest_reply: str | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    history: list[Json] = field(default_factory=list)
    deleted: bool = False

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_slack(self) -> Json:
        message: Json = {"type": "message", "text": self.text, "user": self.user, "ts": self.ts}
        optional: Json = {
            "subtype": self.subtype,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team,
            "thread_ts": self.thread_ts,
            "client_msg_id": self.client_msg_id,
            "metadata": self.metadata,
            "edited": self.edited,
            "latest_reply": self.latest_reply,
        }
        message.update({key: value for key, value in optional.items() if value is not None})
        if self.blocks:
            message["blocks"] = self.blocks
        if self.files:
            message["files"] = self.files
            message["upload"] = False
        if self.attachments:
            message["attachments"] = self.attachments
        if self.reply_count:
            message["reply_count"] = self.reply_count
            message["reply_users"] = list(self.reply_users)
            message["reply_users_count"] = len(self.reply_users)
        if self.reply_broadcast and self.is_reply:
            message["subtype"] = "thread_broadcast"
        if self.reactions:
            message["reactions"] = [
                {"name": name, "users": list(users), "count": len(users)} for name, users in self.reactions.items()
            ]
        return copy.deepcopy(message)


@dataclass
class Ephemeral:
    channel: str
    user: str
    message_ts: str
    text: str
    blocks: list[Json]
    thread_ts: str | None
    source: str
    deleted: bool = False

    def to_slack(self) -> Json:
        return copy.deepcopy(
            {
                "type": "message",
                "subtype": "ephemeral",
                "channel": self.channel,
                "user": self.user,
                "ts": self.message_ts,
                "text": self.text,
                "blocks": self.blocks,
                "thread_ts": self.thread_ts,
                "source": self.source,
            }
        )


@dataclass
class View:
    id: str
    team_id: str
    type: str
    user_id: str
    app_id: str
    bot_id: str
    hash: str
    definition: Json
    root_view_id: str | None = None
    previous_view_id: str | None = None
    state_values: Json = field(default_factory=dict)
    is_open: bool = True
    errors: dict[str, str] = field(default_factory=dict)  # shown under input blocks; "" is Slack's own banner

    @property
    def callback_id(self) -> str:
        return str(self.definition.get("callback_id", ""))

    @property
    def external_id(self) -> str:
        return str(self.definition.get("external_id", ""))

    @property
    def blocks(self) -> list[Json]:
        blocks: list[Json] = self.definition.get("blocks", [])
        return blocks

    def to_slack(self) -> Json:
        view: Json = {
            "id": self.id,
            "team_id": self.team_id,
            "type": self.type,
            "blocks": self.blocks,
            "private_metadata": self.definition.get("private_metadata", ""),
            "callback_id": self.callback_id,
            "state": {"values": self.state_values},
            "hash": self.hash,
            "title": self.definition.get("title"),
            "clear_on_close": bool(self.definition.get("clear_on_close", False)),
            "notify_on_close": bool(self.definition.get("notify_on_close", False)),
            "close": self.definition.get("close"),
            "submit": self.definition.get("submit"),
            "previous_view_id": self.previous_view_id,
            "root_view_id": self.root_view_id or self.id,
            "app_id": self.app_id,
            "external_id": self.external_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        if self.type == "home":
            for key in ("title", "close", "submit"):
                view.pop(key)
        return copy.deepcopy(view)


@dataclass
class HostedFile:
    id: str
    name: str
    title: str
    mimetype: str
    filetype: str
    content: bytes
    user: str
    created: int
    public_secret: str
    channels: list[str] = field(default_factory=list)


@dataclass
class Usergroup:
    id: str
    handle: str
    name: str
    users: list[str]
    is_disabled: bool = False
