"""FakeSlack: a Slack Web API on loopback, with a workspace tests can set up and inspect."""

from __future__ import annotations

import copy
import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TypeVar

from sandbox.slack.errors import SlackError
from sandbox.slack.files import file_object
from sandbox.slack.methods.views import prepared_definition, push_onto_stack, replace_view
from sandbox.slack.model import (
    ApiCall,
    BotIdentity,
    Channel,
    HostedFile,
    Json,
    Message,
    Team,
    TokenGrant,
    User,
    Usergroup,
)
from sandbox.slack.outage import Outage
from sandbox.slack.rate_limits import RateLimits
from sandbox.slack.rendering import rendered_text
from sandbox.slack.response_urls import issue_response_url, show_acknowledgement
from sandbox.slack.server import LoopbackServer, Router
from sandbox.slack.socket_mode import SOCKET_MODE_AVAILABLE, SocketModeServer
from sandbox.slack.surfaces import Surface, message_key
from sandbox.slack.web_api import WebApi
from sandbox.slack.workspace import OAuthSettings, Workspace

T = TypeVar("T")
DEFAULT_SCOPES = (
    "commands",
    "chat:write",
    "channels:history",
    "groups:history",
    "im:history",
    "im:write",
    "files:read",
    "users:read",
    "users:read.email",
    "usergroups:read",
    "reactions:write",
    "channels:join",
)
SUBMIT_TROUBLE = "We had some trouble connecting. Try again?"  # what Slack shows when a submission's answer fails
FILETYPES = {"jpg": "jpg", "jpeg": "jpg", "png": "png", "gif": "gif", "pdf": "pdf", "heic": "heic", "txt": "text"}


class FakeSlack:
    """Start it, point `WebClient(base_url=fake.api_url)` at it, then assert on what users would see."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-fake-bot-token",
        app_token: str = "xapp-1-A0FAKEAPP-1-fake-app-token",
        team_id: str = "T0TEST",
        team_name: str = "Fake Workspace",
        team_domain: str = "fake-workspace",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        bot_name: str = "xero-bot",
        app_id: str = "A0FAKEAPP",
        client_id: str = "1111.2222",
        client_secret: str = "fake-client-secret",
        scopes: Iterable[str] = DEFAULT_SCOPES,
        token_rotation: bool = False,
        token_expires_in: int = 43200,
        post_message_per_channel_per_second: int | None = None,
        trigger_ttl_seconds: float | None = 3.0,
        socket_ack_timeout: float = 3.0,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self._ws = Workspace(
            team=Team(id=team_id, name=team_name, domain=team_domain),
            bot=BotIdentity(user_id=bot_user_id, bot_id=bot_id, app_id=app_id, name=bot_name),
            oauth=OAuthSettings(
                client_id=client_id,
                client_secret=client_secret,
                scopes=tuple(scopes),
                token_rotation=token_rotation,
                token_expires_in=token_expires_in,
            ),
            trigger_ttl_seconds=trigger_ttl_seconds,
        )
        self._ws.tokens[bot_token] = TokenGrant(bot_token, "bot", bot_user_id, tuple(scopes))
        self._ws.tokens[app_token] = TokenGrant(app_token, "app", bot_user_id, ("connections:write",))
        self._ws.users[bot_user_id] = User(
            id=bot_user_id, name=bot_name, email=None, team_id=team_id, is_bot=True, bot_id=bot_id
        )
        self._rate_limits = RateLimits(post_message_per_channel_per_second=post_message_per_channel_per_second)
        self._outage = Outage()
        self._server: LoopbackServer | None = None
        self._socket_ack_timeout = socket_ack_timeout
        self._socket_mode: SocketModeServer | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is None:
            self._server = LoopbackServer(Router(self._ws, WebApi(self._ws, self._rate_limits, self._outage)))
            self._ws.base_url = f"http://127.0.0.1:{self._server.port}"
            self._server.start()
            if SOCKET_MODE_AVAILABLE:
                self._socket_mode = SocketModeServer(self._ws, ack_timeout=self._socket_ack_timeout)
                self._ws.socket_mode_url = self._socket_mode.url
                self._socket_mode.start()
        return self

    def stop(self) -> None:
        if self._socket_mode is not None:
            self._socket_mode.stop()
            self._socket_mode = None
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if not self._ws.base_url:
            raise RuntimeError("FakeSlack is not started")
        return self._ws.base_url

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    @property
    def socket_mode(self) -> SocketModeServer:
        """Where apps connected over Socket Mode get envelopes (SlackSender.socket_mode delivers through it)."""
        if self._socket_mode is None:
            raise RuntimeError("FakeSlack is not started, or websockets (the dev extra) is not installed")
        return self._socket_mode

    @property
    def team_id(self) -> str:
        return self._ws.team.id

    @property
    def team_domain(self) -> str:
        return self._ws.team.domain

    @property
    def bot_user_id(self) -> str:
        return self._ws.bot.user_id

    @property
    def bot_id(self) -> str:
        return self._ws.bot.bot_id

    @property
    def app_id(self) -> str:
        return self._ws.bot.app_id

    @property
    def client_id(self) -> str:
        return self._ws.oauth.client_id

    @property
    def client_secret(self) -> str:
        return self._ws.oauth.client_secret

    # --- setting up the workspace --------------------------------------------------------------

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
                team_id=self.team_id,
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
                    team=self.team_id,
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

    # --- what users see ------------------------------------------------------------------------

    def messages(self, channel: str) -> list[Json]:
        """Top-level messages (and thread replies also sent to the channel), oldest first."""
        with self._ws.lock:
            channel_id = self._ws.channel(channel).id
            return [
                m.to_slack()
                for m in self._ws.messages.get(channel_id, {}).values()
                if not m.deleted and (not m.is_reply or m.reply_broadcast)
            ]

    def replies(self, channel: str, thread_ts: str) -> list[Json]:
        """Replies in a thread, oldest first, without the parent."""
        with self._ws.lock:
            channel_id = self._ws.channel(channel).id
            return [
                m.to_slack()
                for m in self._ws.messages.get(channel_id, {}).values()
                if not m.deleted and m.is_reply and m.thread_ts == thread_ts
            ]

    def message(self, channel: str, ts: str) -> Json:
        with self._ws.lock:
            try:
                return self._ws.message(self._ws.channel(channel).id, ts).to_slack()
            except SlackError as error:
                raise KeyError(f"no message {ts} in {channel}") from error

    def edit_history(self, channel: str, ts: str) -> list[Json]:
        """Earlier versions of a message, oldest first (one per chat.update or replace_original)."""
        with self._ws.lock:
            return copy.deepcopy(self._ws.message(self._ws.channel(channel).id, ts).history)

    def reactions(self, channel: str, ts: str) -> dict[str, list[str]]:
        with self._ws.lock:
            message = self._ws.message(self._ws.channel(channel).id, ts)
            return {name: list(users) for name, users in message.reactions.items()}

    def ephemerals(self, user: str | None = None, channel: str | None = None) -> list[Json]:
        with self._ws.lock:
            channel_id = self._ws.channel(channel).id if channel else None
            return [
                e.to_slack()
                for e in self._ws.ephemerals
                if not e.deleted and user in (None, e.user) and channel_id in (None, e.channel)
            ]

    def home_view(self, user: str) -> Json | None:
        with self._ws.lock:
            view_id = self._ws.home_views.get(user)
            return None if view_id is None else self._ws.views[view_id].to_slack()

    def modals(self, user: str | None = None) -> list[Json]:
        """Open modal views, bottom of each user's stack first."""
        with self._ws.lock:
            return [
                self._ws.views[view_id].to_slack()
                for owner, stack in self._ws.modal_stacks.items()
                if user in (None, owner)
                for view_id in stack
            ]

    def view(self, view_id: str) -> Json:
        with self._ws.lock:
            if view_id not in self._ws.views:
                raise KeyError(f"no view {view_id}")
            return self._ws.views[view_id].to_slack()

    def view_errors(self, view_id: str) -> dict[str, str]:
        """What a modal shows after a refused submission: the app's `errors` by input block, or Slack's banner ("")."""
        with self._ws.lock:
            return dict(self._ws.views[view_id].errors)

    def responses(self, response_url: str | None = None) -> list[Json]:
        """Bodies posted to fake-issued response_urls (via respond() or WebhookClient)."""
        with self._ws.lock:
            return [copy.deepcopy(r["body"]) for r in self._ws.responses if response_url in (None, r["response_url"])]

    @property
    def calls(self) -> list[ApiCall]:
        with self._ws.lock:
            return list(self._ws.calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def reset_calls(self) -> None:
        with self._ws.lock:
            self._ws.calls.clear()

    @staticmethod
    def rendered_text(message_or_view: Json) -> str:
        return rendered_text(message_or_view)

    def wait_for(self, condition: Callable[[], T | None], timeout: float = 10.0) -> T:
        """Block until `condition()` is truthy (re-checked after every request the fake handles)."""
        with self._ws.changed:
            result = self._ws.changed.wait_for(condition, timeout)
        if not result:
            raise TimeoutError(f"condition still false after {timeout}s")
        return result

    # --- used by SlackSender -------------------------------------------------------------------

    def user(self, user_id: str) -> Json:
        with self._ws.lock:
            return self._ws.user(user_id).to_slack()

    def channel_info(self, channel: str) -> Json:
        with self._ws.lock:
            return self._ws.channel(channel).to_slack()

    def next_ts(self) -> str:
        with self._ws.lock:
            return self._ws.ids.next_ts()

    def message_surface(self, channel: str, ts: str) -> Surface:
        with self._ws.lock:
            channel_id = self._ws.channel(channel).id
            ephemeral = self._ws.ephemeral(channel_id, ts)
            if ephemeral is not None:
                return Surface(
                    key=message_key(channel_id, ts),
                    kind="message",
                    blocks=copy.deepcopy(ephemeral.blocks),
                    payload=ephemeral.to_slack(),
                    channel_id=channel_id,
                    ts=ts,
                    is_ephemeral=True,
                )
            message = self.message(channel_id, ts)
            return Surface(
                key=message_key(channel_id, ts),
                kind="message",
                blocks=message.get("blocks", []),
                payload=message,
                channel_id=channel_id,
                ts=ts,
            )

    def view_surface(self, view_id: str) -> Surface:
        view = self.view(view_id)
        return Surface(key=f"view:{view_id}", kind="view", blocks=view["blocks"], payload=view, view_id=view_id)

    def remembered_choices(self, surface: Surface, user_id: str) -> Json:
        with self._ws.lock:
            if surface.view_id is not None:
                return copy.deepcopy(self._ws.views[surface.view_id].state_values)
            return copy.deepcopy(self._ws.ui_state.get((surface.key, user_id), {}))

    def remember_choices(self, surface: Surface, user_id: str, values: Json) -> None:
        """What a user picked stays in their client until the surface is re-rendered by the app."""
        with self._ws.lock:
            if surface.view_id is not None:
                self._ws.views[surface.view_id].state_values = copy.deepcopy(values)
            else:
                self._ws.ui_state[(surface.key, user_id)] = copy.deepcopy(values)

    def apply_view_response(self, view_id: str, response: Json | None) -> None:
        """What Slack does with the app's answer to a view_submission (close, update, push, clear, errors)."""
        with self._ws.lock:
            view = self._ws.views[view_id]
            stack = self._ws.modal_stacks.get(view.user_id, [])
            action = (response or {}).get("response_action")
            view.errors = {}
            if action == "errors":
                errors = (response or {}).get("errors")
                inputs = {str(block.get("block_id")) for block in view.blocks if block.get("type") == "input"}
                if isinstance(errors, dict) and errors and set(errors) <= inputs:
                    view.errors = {str(key): str(text) for key, text in errors.items()}
                else:  # Slack refuses errors for blocks that are not inputs of this view, and says so its own way
                    view.errors = {"": SUBMIT_TROUBLE}
                self._ws.changed.notify_all()
                return
            if action == "update":
                replace_view(self._ws, view, prepared_definition((response or {}).get("view"), "modal"))
            elif action == "push":
                push_onto_stack(self._ws, view.user_id, prepared_definition((response or {}).get("view"), "modal"))
            elif action == "clear":
                self.close_modals(view.user_id)
            elif view_id in stack:
                stack.remove(view_id)
                view.is_open = False
            self._ws.changed.notify_all()

    def submission_failed(self, view_id: str) -> None:
        """Slack got no usable answer to a view_submission in time: the modal stays open with its banner."""
        with self._ws.lock:
            self._ws.views[view_id].errors = {"": SUBMIT_TROUBLE}
            self._ws.changed.notify_all()

    def close_modals(self, user_id: str) -> None:
        with self._ws.lock:
            for view_id in self._ws.modal_stacks.pop(user_id, []):
                self._ws.views[view_id].is_open = False
