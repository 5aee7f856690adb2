"""The part of FakeSlack that sets up the workspace before (or while) the bot works in it: people, channels,
files, posts people make, tokens and codes it hands out, and the faults Slack can have."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sandbox.slack.errors import SlackError
from sandbox.slack.files import file_object
from sandbox.slack.model import Channel, HostedFile, Json, Message, User, Usergroup
from sandbox.slack.outage import Outage
from sandbox.slack.rate_limits import RateLimits
from sandbox.slack.response_urls import issue_response_url, show_acknowledgement
from sandbox.slack.workspace import Workspace

FILETYPES = {"jpg": "jpg", "jpeg": "jpg", "png": "png", "gif": "gif", "pdf": "pdf", "heic": "heic", "txt": "text"}


class WorkspaceSetup:
    """Part of FakeSlack (which sets these attributes up)."""

    bot_token: str
    _ws: Workspace
    _rate_limits: RateLimits
    _outage: Outage

    def add_user(
        self,
        user_id: str,
        name: str,
        email: str | None = None,
        *,
        is_admin: bool = False,
        is_owner: bool = False,
        is_primary_owner: bool = False,
        tz: str = "Europe/London",
        is_bot: bool = False,
        deleted: bool = False,
        real_name: str = "",
    ) -> Json:
        with self._ws.lock:
            user = User(
                id=user_id,
                name=name,
                email=email,
                team_id=self._ws.team.id,
                real_name=real_name,
                is_admin=is_admin,
                is_owner=is_owner,
                is_primary_owner=is_primary_owner,
                tz=tz,
                is_bot=is_bot,
                deleted=deleted,
            )
            self._ws.users[user_id] = user
            return user.to_slack()

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        members: Iterable[str] = (),
        is_archived: bool = False,
        is_ext_shared: bool = False,
    ) -> Json:
        """Members are user ids; include `fake.bot_user_id` for channels the bot may post in."""
        with self._ws.lock:
            channel = Channel(
                id=channel_id,
                name=name,
                is_private=is_private,
                is_archived=is_archived,
                is_ext_shared=is_ext_shared,
                members=set(members),
            )
            self._ws.channels[channel_id] = channel
            return channel.to_slack()

    def add_member(self, channel_id: str, user_id: str) -> None:
        with self._ws.lock:
            self._ws.channels[channel_id].members.add(user_id)

    def dm_channel(self, user_id: str) -> str:
        """The bot's DM channel id with a user (created on first use, stable afterwards)."""
        with self._ws.lock:
            return self._ws.open_dm(user_id).id

    def add_usergroup(
        self, usergroup_id: str, handle: str, users: Iterable[str], *, name: str = "", is_disabled: bool = False
    ) -> None:
        with self._ws.lock:
            self._ws.usergroups[usergroup_id] = Usergroup(
                id=usergroup_id, handle=handle, name=name or handle, users=list(users), is_disabled=is_disabled
            )

    def remove_scope(self, scope: str, token: str | None = None) -> None:
        """As if the app had been installed without `scope` (say files:read: downloads get a sign-in page)."""
        with self._ws.lock:
            key = token or self.bot_token
            grant = self._ws.tokens[key]
            self._ws.tokens[key] = dataclasses.replace(grant, scopes=tuple(s for s in grant.scopes if s != scope))

    def add_file(
        self,
        user_id: str,
        name: str,
        content: bytes,
        mimetype: str,
        filetype: str | None = None,
        channel: str | None = None,
        *,
        title: str | None = None,
        stub: bool = False,
    ) -> Json:
        """A hosted file; returns its Slack file object, or with stub=True the Slack Connect stub."""
        with self._ws.lock:
            extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            hosted = HostedFile(
                id=self._ws.ids.next_id("F"),
                name=name,
                title=title or name,
                mimetype=mimetype,
                filetype=filetype or FILETYPES.get(extension, extension or "binary"),
                content=content,
                user=user_id,
                created=int(time.time()),
                public_secret=self._ws.ids.secret(10),
                channels=[channel] if channel else [],
            )
            self._ws.files[hosted.id] = hosted
            if stub:
                return {"id": hosted.id, "file_access": "check_file_info"}
            return file_object(self._ws, hosted)

    def add_user_message(
        self,
        user_id: str,
        channel: str,
        text: str = "",
        *,
        thread_ts: str | None = None,
        files: list[Json] | None = None,
        subtype: str | None = None,
        client_msg_id: str | None = None,
    ) -> Json:
        """A message a person posted (e.g. a photo reply in a payment's thread); returns it as Slack would."""
        with self._ws.lock:
            channel_id = self._ws.channel(channel).id
            message = self._ws.store_message(
                Message(
                    channel=channel_id,
                    ts=self._ws.ids.next_ts(),
                    text=text,
                    blocks=[],
                    user=user_id,
                    team=self._ws.team.id,
                    thread_ts=thread_ts,
                    files=list(files or []),
                    subtype=subtype,
                    client_msg_id=client_msg_id,
                )
            )
            self._ws.changed.notify_all()
            return message.to_slack()

    def issue_trigger(self, user_id: str) -> str:
        with self._ws.lock:
            return self._ws.issue_trigger(user_id)

    def issue_response_url(
        self, user_id: str, channel_id: str | None, message_ts: str | None = None, is_ephemeral: bool = False
    ) -> str:
        with self._ws.lock:
            return issue_response_url(
                self._ws, user_id=user_id, channel_id=channel_id, message_ts=message_ts, is_ephemeral=is_ephemeral
            )

    def show_acknowledgement(self, user_id: str, channel_id: str, payload: Json) -> None:
        show_acknowledgement(self._ws, user_id=user_id, channel_id=channel_id, payload=payload)

    def issue_oauth_code(self, user_id: str) -> str:
        """A code `oauth.v2.access` will exchange once, as if `user_id` had approved the install."""
        with self._ws.lock:
            code = f"{self._ws.ids.next_id('')}.{self._ws.ids.secret(24)}"
            self._ws.oauth_codes[code] = user_id
            return code

    def rate_limit(self, method: str = "chat.postMessage", count: int = 1, retry_after: int = 1) -> None:
        """The next `count` calls to `method` get HTTP 429 with Retry-After."""
        with self._ws.lock:
            self._rate_limits.script(method, count, retry_after)

    def start_outage(self, kind: str = "503", methods: Iterable[str] = ()) -> None:
        """Slack is down from now on: every Web API call (or only those to `methods`) fails and does nothing.

        `kind` is how it fails: "503" (`service_unavailable`), "500" (`fatal_error`) or "connection" (the
        connection is closed without an answer)."""
        with self._ws.lock:
            self._outage.start(kind, frozenset(methods))

    def end_outage(self) -> None:
        with self._ws.lock:
            self._outage.end()

    @contextmanager
    def outage(self, kind: str = "503", methods: Iterable[str] = ()) -> Iterator[None]:
        self.start_outage(kind, methods)
        try:
            yield
        finally:
            self.end_outage()

    def lose_answers(self, method: str = "chat.postMessage", count: int = 1) -> None:
        """The next `count` successful calls to `method` take effect in Slack, but the connection drops before
        the caller hears the answer."""
        with self._ws.lock:
            self._outage.lose_answers(method, count)

    def is_token_valid(self, token: str) -> bool:
        with self._ws.lock:
            try:
                self._ws.grant(token)
            except SlackError:
                return False
            return True
