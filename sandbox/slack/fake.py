"""FakeSlack: a Slack Web API on loopback, with a workspace tests can set up and inspect."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from types import TracebackType
from typing import TypeVar

from sandbox.slack.fake_setup import WorkspaceSetup
from sandbox.slack.fake_views import WhatUsersSee
from sandbox.slack.issued import TokenGrant
from sandbox.slack.methods.views import prepared_definition, push_onto_stack, replace_view
from sandbox.slack.model import BotIdentity, Json, Team, User
from sandbox.slack.outage import Outage
from sandbox.slack.rate_limits import RateLimits
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


class FakeSlack(WorkspaceSetup, WhatUsersSee):
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
