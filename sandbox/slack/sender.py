"""SlackSender: builds the requests Slack's servers send and delivers them to the bot over HTTP or Socket Mode."""

from __future__ import annotations

import json
from typing import Any

from sandbox.slack import events, interactions
from sandbox.slack.fake import FakeSlack
from sandbox.slack.interactions import UNSET
from sandbox.slack.model import Json
from sandbox.slack.surfaces import Surface
from sandbox.slack.transports import HttpTransport, SenderResponse, SentRequest, SocketModeTransport, Transport

__all__ = ["SenderResponse", "SentRequest", "SlackSender"]

ACK_DEADLINE_SECONDS = 3.0  # Slack stops waiting for an answer after 3 seconds


class SlackSender:
    """Each method builds the payload Slack would send, delivers it, and returns the bot's answer.

    Over HTTP (the constructor) requests are signed and the answer is the HTTP response; over
    Socket Mode (`SlackSender.socket_mode`) they are envelopes and the answer is the ack's payload.
    """

    def __init__(
        self,
        bot_url: str,
        signing_secret: str,
        fake: FakeSlack,
        team_id: str | None = None,
        *,
        path: str = "/slack/events",
        verification_token: str = "fake-verification-token",
        timeout: float = 10.0,
        transport: Transport | None = None,
    ) -> None:
        self.team_id = team_id or fake.team_id
        self.verification_token = verification_token
        self.transport = transport or HttpTransport(bot_url.rstrip("/") + path, signing_secret, timeout)
        self._fake = fake

    @classmethod
    def socket_mode(
        cls, fake: FakeSlack, team_id: str | None = None, *, verification_token: str = "fake-verification-token"
    ) -> SlackSender:
        """Deliver over the bot's Socket Mode connection to `fake` instead of its HTTP request URL."""
        return cls(
            "",
            "",
            fake,
            team_id,
            verification_token=verification_token,
            transport=SocketModeTransport(fake.socket_mode),
        )

    # --- slash commands ------------------------------------------------------------------------

    def slash_command(
        self, text: str, user_id: str, channel_id: str | None = None, command: str = "/xero"
    ) -> SenderResponse:
        """`channel_id=None` means the command was typed in the user's DM with the bot."""
        channel = self._fake.channel_info(channel_id or self._fake.dm_channel(user_id))
        fields = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self._fake.team_domain,
            "channel_id": channel["id"],
            "channel_name": channel.get("name", "directmessage") if not channel.get("is_im") else "directmessage",
            "user_id": user_id,
            "user_name": self._fake.user(user_id)["name"],
            "command": command,
            "text": text,
            "api_app_id": self._fake.app_id,
            "is_enterprise_install": "false",
            "response_url": self._fake.issue_response_url(user_id, channel["id"]),
            "trigger_id": self._fake.issue_trigger(user_id),
        }
        response = self.transport.command(fields)
        if response.status == 200 and response.body.strip().startswith("{"):
            payload = response.json()
            if payload.get("text") or payload.get("blocks"):
                self._fake.show_acknowledgement(user_id, channel["id"], payload)
        return response

    # --- block_actions ---------------------------------------------------------------------------

    def click(
        self,
        user_id: str,
        channel: str,
        ts: str,
        action_id: str,
        value: str | None = None,
        *,
        block_id: str | None = None,
    ) -> SenderResponse:
        """Click a button on a message (or ephemeral message); value defaults to the button's own."""
        return self._act(
            self._fake.message_surface(channel, ts), user_id, action_id, UNSET if value is None else value, block_id
        )

    def select(
        self, user_id: str, channel: str, ts: str, action_id: str, option_value: Any, *, block_id: str | None = None
    ) -> SenderResponse:
        """Pick an option (static/external select, radio, overflow) by value, or pass a full option dict."""
        return self._act(self._fake.message_surface(channel, ts), user_id, action_id, option_value, block_id)

    def select_user(
        self, user_id: str, channel: str, ts: str, action_id: str, selected_user: str, *, block_id: str | None = None
    ) -> SenderResponse:
        return self._act(self._fake.message_surface(channel, ts), user_id, action_id, selected_user, block_id)

    def choose(
        self, user_id: str, channel: str, ts: str, action_id: str, chosen: Any, *, block_id: str | None = None
    ) -> SenderResponse:
        """Any other element: a date for datepickers, a list for multi-selects and checkboxes, …"""
        return self._act(self._fake.message_surface(channel, ts), user_id, action_id, chosen, block_id)

    def click_in_view(
        self, user_id: str, view_id: str, action_id: str, value: str | None = None, *, block_id: str | None = None
    ) -> SenderResponse:
        """Click in an open modal or a Home tab (`fake.home_view(user)["id"]`)."""
        return self._act(
            self._fake.view_surface(view_id), user_id, action_id, UNSET if value is None else value, block_id
        )

    def select_in_view(
        self, user_id: str, view_id: str, action_id: str, option_value: Any, *, block_id: str | None = None
    ) -> SenderResponse:
        return self._act(self._fake.view_surface(view_id), user_id, action_id, option_value, block_id)

    def select_user_in_view(
        self, user_id: str, view_id: str, action_id: str, selected_user: str, *, block_id: str | None = None
    ) -> SenderResponse:
        return self._act(self._fake.view_surface(view_id), user_id, action_id, selected_user, block_id)

    def choose_in_view(
        self, user_id: str, view_id: str, action_id: str, chosen: Any, *, block_id: str | None = None
    ) -> SenderResponse:
        return self._act(self._fake.view_surface(view_id), user_id, action_id, chosen, block_id)

    def _act(self, surface: Surface, user_id: str, action_id: str, chosen: Any, block_id: str | None) -> SenderResponse:
        payload = interactions.block_actions(
            self._fake,
            surface,
            user_id=user_id,
            action_id=action_id,
            chosen=chosen,
            block_id=block_id,
            verification_token=self.verification_token,
        )
        return self.send_interaction(payload)

    # --- views and options -------------------------------------------------------------------------

    def submit_view(
        self, user_id: str, view_id: str, values: dict[str, dict[str, Any]] | None = None
    ) -> SenderResponse:
        """Submit a modal; the bot's `response_action` (errors/update/push/clear, or close) is applied to the fake."""
        payload = interactions.view_submission(
            self._fake, view_id, user_id=user_id, values=values or {}, verification_token=self.verification_token
        )
        response = self.send_interaction(payload)
        if response.status == 200 and response.elapsed <= ACK_DEADLINE_SECONDS:
            answer = response.json() if response.body.strip().startswith("{") else None
            self._fake.apply_view_response(view_id, answer)
        else:
            self._fake.submission_failed(view_id)
        return response

    def close_view(self, user_id: str, view_id: str) -> SenderResponse | None:
        """The user closes a modal; Slack only tells the bot when the view has notify_on_close."""
        notify = bool(self._fake.view(view_id).get("notify_on_close"))
        payload = interactions.view_closed(
            self._fake, view_id, user_id=user_id, verification_token=self.verification_token
        )
        self._fake.close_modals(user_id)
        return self.send_interaction(payload) if notify else None

    def suggest(
        self,
        user_id: str,
        action_id: str,
        value: str,
        *,
        channel: str | None = None,
        ts: str | None = None,
        view_id: str | None = None,
        block_id: str | None = None,
    ) -> SenderResponse:
        """Typing into an external_select on a message (channel + ts) or a view (view_id); body has the options."""
        if view_id is not None:
            surface = self._fake.view_surface(view_id)
        elif channel is not None and ts is not None:
            surface = self._fake.message_surface(channel, ts)
        else:
            raise ValueError("suggest needs view_id, or channel and ts")
        payload = interactions.block_suggestion(
            self._fake,
            surface,
            user_id=user_id,
            action_id=action_id,
            value=value,
            block_id=block_id,
            verification_token=self.verification_token,
        )
        return self.send_interaction(payload)

    def send_interaction(self, payload: Json) -> SenderResponse:
        payload["team"]["id"] = payload["user"]["team_id"] = self.team_id
        return self.transport.interaction(payload)

    # --- Events API --------------------------------------------------------------------------------

    def event(
        self, event: Json, event_id: str | None = None, retry_num: int | None = None, retry_reason: str | None = None
    ) -> SenderResponse:
        """`retry_num` sends it as Slack's n-th retry (HTTP: `http_timeout` unless told; Socket Mode: `timeout`)."""
        body = events.envelope(
            self._fake, event, event_id=event_id or events.new_event_id(), verification_token=self.verification_token
        )
        body["team_id"] = self.team_id
        return self.transport.event(body, retry_num, retry_reason)

    def url_verification(self, challenge: str) -> SenderResponse:
        body = {"token": self.verification_token, "challenge": challenge, "type": "url_verification"}
        return self._http().send_raw(json.dumps(body), "application/json")

    def file_share_message(
        self, user_id: str, channel: str, thread_ts: str | None, files: list[Json], text: str = ""
    ) -> Json:
        """The `message`/`file_share` event for a photo posted (in a thread when thread_ts is set)."""
        return events.user_message(self._fake, user_id, channel, text, thread_ts=thread_ts, files=files)

    def user_message(self, user_id: str, channel: str, text: str, thread_ts: str | None = None) -> Json:
        return events.user_message(self._fake, user_id, channel, text, thread_ts=thread_ts)

    def app_home_opened(self, user_id: str, tab: str = "home") -> Json:
        return events.app_home_opened(self._fake, user_id, tab)

    def app_uninstalled(self) -> Json:
        return events.app_uninstalled(self._fake)

    def tokens_revoked(self, bot: list[str] | None = None, oauth: list[str] | None = None) -> Json:
        return events.tokens_revoked(self._fake, bot=bot or [], oauth=oauth or [])

    # --- raw HTTP ------------------------------------------------------------------------------------

    def send_raw(
        self,
        body: bytes | str,
        content_type: str,
        timestamp: str | None = None,
        signature: str | None = None,
        sign: bool = True,
        headers: dict[str, str] | None = None,
    ) -> SenderResponse:
        """POST as Slack does; `sign=False` omits the signature headers, `timestamp` allows stale requests."""
        return self._http().send_raw(body, content_type, timestamp, signature, sign, headers)

    @property
    def last_request(self) -> SentRequest | None:
        """The last request sent over HTTP, exactly as it went over the wire."""
        return self._http().last_request

    def replay(self, sent: SentRequest) -> SenderResponse:
        """Send a captured request again, byte for byte: same body, timestamp and signature."""
        return self._http().replay(sent)

    def _http(self) -> HttpTransport:
        if not isinstance(self.transport, HttpTransport):
            raise TypeError("raw and signed requests exist only over HTTP; Socket Mode envelopes are not signed")
        return self.transport
