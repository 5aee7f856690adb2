"""All state of the fake workspace behind one lock, with the lookups every Web API method needs."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sandbox.slack.errors import SlackError
from sandbox.slack.ids import IdFactory
from sandbox.slack.issued import ApiCall, ResponseUrl, TokenGrant, Trigger
from sandbox.slack.model import BotIdentity, Channel, Ephemeral, HostedFile, Json, Message, Team, User, Usergroup, View

UiStateKey = tuple[str, str]


@dataclass
class OAuthSettings:
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    token_rotation: bool
    token_expires_in: int


@dataclass
class Workspace:
    team: Team
    bot: BotIdentity
    oauth: OAuthSettings
    trigger_ttl_seconds: float | None
    base_url: str = ""
    socket_mode_url: str = ""
    ids: IdFactory = field(default_factory=IdFactory)
    lock: threading.RLock = field(default_factory=threading.RLock)
    users: dict[str, User] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    dm_by_user: dict[str, str] = field(default_factory=dict)
    messages: dict[str, dict[str, Message]] = field(default_factory=dict)
    ephemerals: list[Ephemeral] = field(default_factory=list)
    home_views: dict[str, str] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
    modal_stacks: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, HostedFile] = field(default_factory=dict)
    usergroups: dict[str, Usergroup] = field(default_factory=dict)
    tokens: dict[str, TokenGrant] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    oauth_codes: dict[str, str] = field(default_factory=dict)
    socket_tickets: set[str] = field(default_factory=set)
    triggers: dict[str, Trigger] = field(default_factory=dict)
    response_urls: dict[str, ResponseUrl] = field(default_factory=dict)
    responses: list[Json] = field(default_factory=list)
    calls: list[ApiCall] = field(default_factory=list)
    ui_state: dict[UiStateKey, Json] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)

    # --- users and conversations -------------------------------------------------------------

    def user(self, user_id: str) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise SlackError("user_not_found")
        return user

    def channel(self, channel_ref: str) -> Channel:
        """Resolve an id (C…/G…/D…), a user id (their DM with the bot) or a `#name`."""
        if channel_ref in self.channels:
            return self.channels[channel_ref]
        if channel_ref in self.users:
            return self.open_dm(channel_ref)
        name = channel_ref.removeprefix("#")
        for channel in self.channels.values():
            if channel.name == name and not channel.is_im:
                return channel
        raise SlackError("channel_not_found")

    def open_dm(self, user_id: str) -> Channel:
        self.user(user_id)
        if user_id not in self.dm_by_user:
            channel = Channel(
                id=self.ids.next_id("D"),
                name=user_id,
                is_private=True,
                is_im=True,
                im_user=user_id,
                members={user_id, self.bot.user_id},
            )
            self.channels[channel.id] = channel
            self.dm_by_user[user_id] = channel.id
        return self.channels[self.dm_by_user[user_id]]

    def visible_channel(self, channel_ref: str) -> Channel:
        """A channel the bot can see: private ones it is not in are `channel_not_found`, as in Slack."""
        channel = self.channel(channel_ref)
        if channel.is_private and self.bot.user_id not in channel.members:
            raise SlackError("channel_not_found")
        return channel

    def postable_channel(self, channel_ref: str) -> Channel:
        channel = self.visible_channel(channel_ref)
        if channel.is_archived:
            raise SlackError("is_archived")
        if self.bot.user_id not in channel.members:
            raise SlackError("not_in_channel")
        return channel

    # --- messages ------------------------------------------------------------------------------

    def message(self, channel_id: str, ts: str) -> Message:
        message = self.messages.get(channel_id, {}).get(ts)
        if message is None or message.deleted:
            raise SlackError("message_not_found")
        return message

    def store_message(self, message: Message) -> Message:
        """Add a message; a reply to a reply joins the root's thread, as in Slack."""
        channel_messages = self.messages.setdefault(message.channel, {})
        if message.thread_ts is not None:
            parent = channel_messages.get(message.thread_ts)
            if parent is None or parent.deleted:
                message.thread_ts = None
            else:
                root = channel_messages.get(parent.thread_ts or parent.ts, parent)
                message.thread_ts = root.ts
                root.thread_ts = root.ts
                root.reply_count += 1
                root.latest_reply = message.ts
                if message.user not in root.reply_users:
                    root.reply_users.append(message.user)
        channel_messages[message.ts] = message
        return message

    def ephemeral(self, channel_id: str, message_ts: str) -> Ephemeral | None:
        for ephemeral in self.ephemerals:
            if ephemeral.channel == channel_id and ephemeral.message_ts == message_ts and not ephemeral.deleted:
                return ephemeral
        return None

    # --- views, triggers, tokens ---------------------------------------------------------------

    def view(self, view_id: str) -> View:
        view = self.views.get(view_id)
        if view is None:
            raise SlackError("not_found")
        return view

    def issue_trigger(self, user_id: str) -> str:
        trigger_id = self.ids.trigger_id()
        self.triggers[trigger_id] = Trigger(user_id=user_id, issued_at=time.monotonic())
        return trigger_id

    def use_trigger(self, trigger_id: str | None) -> Trigger:
        trigger = self.triggers.get(trigger_id or "")
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        ttl = self.trigger_ttl_seconds
        expired = ttl is not None and time.monotonic() - trigger.issued_at > ttl
        if trigger.used or expired:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger

    def grant(self, token: str | None) -> TokenGrant:
        if not token:
            raise SlackError("not_authed")
        grant = self.tokens.get(token)
        if grant is None:
            raise SlackError("invalid_auth")
        if grant.revoked:
            raise SlackError("token_revoked")
        if grant.expires_at is not None and time.time() >= grant.expires_at:
            raise SlackError("token_expired")
        return grant

    def permalink(self, channel_id: str, ts: str, thread_ts: str | None = None) -> str:
        link = f"{self.base_url}/archives/{channel_id}/p{ts.replace('.', '')}"
        if thread_ts and thread_ts != ts:
            link += f"?thread_ts={thread_ts}&cid={channel_id}"
        return link

    def forget_ui_state(self, surface_key: str) -> None:
        for key in [key for key in self.ui_state if key[0] == surface_key]:
            del self.ui_state[key]
