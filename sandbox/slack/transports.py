"""How SlackSender reaches the bot: signed HTTP requests, or envelopes over a Socket Mode connection."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from sandbox.slack.model import Json
from sandbox.slack.socket_mode import Delivery, SocketModeServer

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
ACCEPTS_RESPONSE_PAYLOAD = frozenset({"view_submission", "block_suggestion"})


@dataclass(frozen=True)
class SenderResponse:
    status: int
    headers: dict[str, str]
    body: str
    elapsed: float = 0.0  # seconds until the answer arrived; Slack gives up after 3

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class SentRequest:
    """A request exactly as it went over the wire: what someone capturing it could send again."""

    body: str
    headers: dict[str, str]


class Transport(Protocol):
    def command(self, fields: dict[str, str]) -> SenderResponse: ...

    def interaction(self, payload: Json) -> SenderResponse: ...

    def event(self, body: Json, retry_num: int | None, retry_reason: str | None) -> SenderResponse: ...


class HttpTransport:
    """POSTs to the bot's request URL with Slack's signature headers; the answer is the HTTP response."""

    def __init__(self, url: str, signing_secret: str, timeout: float) -> None:
        self.url = url
        self._verifier = SignatureVerifier(signing_secret)
        self._timeout = timeout
        self.last_request: SentRequest | None = None

    def command(self, fields: dict[str, str]) -> SenderResponse:
        return self.send_raw(urlencode(fields), FORM)

    def interaction(self, payload: Json) -> SenderResponse:
        return self.send_raw(urlencode({"payload": json.dumps(payload)}), FORM)

    def signed_command(self, fields: dict[str, str]) -> SentRequest:
        """A slash command as Slack would send it, signed now, to be sent later with `replay`."""
        return self.signed(urlencode(fields), FORM)

    def signed_interaction(self, payload: Json) -> SentRequest:
        return self.signed(urlencode({"payload": json.dumps(payload)}), FORM)

    def event(self, body: Json, retry_num: int | None, retry_reason: str | None) -> SenderResponse:
        headers = (
            {}
            if retry_num is None
            else {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason or "http_timeout"}
        )
        return self.send_raw(json.dumps(body), JSON, headers=headers)

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
        self.last_request = self.signed(body, content_type, timestamp, signature, sign, headers)
        return self.replay(self.last_request)

    def signed(
        self,
        body: bytes | str,
        content_type: str,
        timestamp: str | None = None,
        signature: str | None = None,
        sign: bool = True,
        headers: dict[str, str] | None = None,
    ) -> SentRequest:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        request_headers = {"Content-Type": content_type, "User-Agent": USER_AGENT, "Accept": "*/*", **(headers or {})}
        if sign:
            signed_at = timestamp or str(int(time.time()))
            request_headers["X-Slack-Request-Timestamp"] = signed_at
            generated = self._verifier.generate_signature(timestamp=signed_at, body=text)
            request_headers["X-Slack-Signature"] = signature or generated or ""
        return SentRequest(text, dict(request_headers))

    def replay(self, sent: SentRequest) -> SenderResponse:
        """POST a request exactly as captured: same body, timestamp and signature."""
        request = urllib.request.Request(self.url, data=sent.body.encode("utf-8"), headers=sent.headers, method="POST")
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                status, answer_headers, answer = response.status, dict(response.headers.items()), response.read()
        except urllib.error.HTTPError as error:
            status, answer_headers, answer = error.code, dict(error.headers.items()), error.read()
        return SenderResponse(status, answer_headers, answer.decode(), time.monotonic() - started)


class SocketModeTransport:
    """Sends envelopes on the bot's Socket Mode connection (no signature: the xapp- token opened it).

    The answer is 200 with the ack's payload as the body (empty where Slack ignores a payload),
    or 504 with no body when the bot did not ack in time, which Slack shows the person as an error.
    """

    def __init__(self, link: SocketModeServer) -> None:
        self._link = link

    def command(self, fields: dict[str, str]) -> SenderResponse:
        started = time.monotonic()
        return _answer(self._link.deliver("slash_commands", dict(fields), accepts_response_payload=True), started)

    def interaction(self, payload: Json) -> SenderResponse:
        accepts = payload.get("type") in ACCEPTS_RESPONSE_PAYLOAD
        started = time.monotonic()
        return _answer(self._link.deliver("interactive", payload, accepts_response_payload=accepts), started)

    def event(self, body: Json, retry_num: int | None, retry_reason: str | None) -> SenderResponse:
        started = time.monotonic()
        return _answer(self._link.deliver("events_api", body, retry_attempt=retry_num or 0), started)


def _answer(delivery: Delivery | None, started: float) -> SenderResponse:
    elapsed = time.monotonic() - started
    if delivery is None:
        return SenderResponse(504, {}, "", elapsed)
    answer = delivery.answer
    if not answer:
        return SenderResponse(200, {}, "", elapsed)
    return SenderResponse(200, {"Content-Type": "application/json"}, json.dumps(answer), elapsed)
