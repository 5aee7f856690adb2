"""Socket Mode: the WebSocket link an app opens with `apps.connections.open`, with Slack's envelope and ack rules.

Slack says `hello` when the app connects, then sends each event, command and interaction as an
envelope on one open connection and waits for an ack carrying the envelope's id (and, where the
envelope accepts one, the payload an HTTP answer would have had). An `events_api` envelope that is
not acked in time is sent again, up to 3 times, with `retry_attempt` and `retry_reason`; a command or
interaction is not: the person just sees an error. A `disconnect` message asks the app to open a new
connection; Slack sends nothing new on the old one and closes it shortly after.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Literal, TypeVar
from urllib.parse import parse_qs, urlsplit

try:  # the dev extra; without it the fake serves the Web API only (the demo needs no Socket Mode)
    from websockets.exceptions import ConnectionClosed
    from websockets.http11 import Request, Response
    from websockets.sync.server import Server, ServerConnection, serve
except ImportError:
    SOCKET_MODE_AVAILABLE = False
else:
    SOCKET_MODE_AVAILABLE = True

from sandbox.slack.model import Json
from sandbox.slack.workspace import Workspace

T = TypeVar("T")
EnvelopeType = Literal["events_api", "slash_commands", "interactive"]
DisconnectReason = Literal["warning", "refresh_requested", "link_disabled"]
EVENT_RETRIES = 3
RETRY_REASON = "timeout"
HOST = "applink-fake-1"
logger = logging.getLogger(__name__)


@dataclass
class Delivery:
    """One envelope as sent, and the app's ack if it came in time."""

    envelope: Json
    connection_id: str
    acked: threading.Event = field(default_factory=threading.Event)
    ack_payload: Json | None = None

    @property
    def envelope_id(self) -> str:
        return str(self.envelope["envelope_id"])

    @property
    def answer(self) -> Json | None:
        """What Slack takes from the ack: its payload, where the envelope accepts one."""
        return self.ack_payload if self.envelope["accepts_response_payload"] else None


@dataclass
class _Link:
    id: str
    connection: ServerConnection
    closing: bool = False


class SocketModeServer:
    """The WebSocket side of the fake: `deliver` plays Slack towards every app connected with a fresh ticket."""

    def __init__(self, ws: Workspace, *, ack_timeout: float = 3.0, refresh_grace: float = 1.0) -> None:
        self._ws = ws
        self.ack_timeout = ack_timeout
        self._refresh_grace = refresh_grace
        self._changed = threading.Condition(threading.RLock())
        self._links: dict[str, _Link] = {}
        self._pending: dict[str, Delivery] = {}
        self._deliveries: list[Delivery] = []
        self._opened = 0
        self._timers: list[threading.Timer] = []
        self._server: Server = serve(
            self._serve_link,
            "127.0.0.1",
            0,
            process_request=self._admit,
            compression=None,
            close_timeout=1,
            logger=logger,
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-slack-socket-mode", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # --- what tests look at ----------------------------------------------------------------------

    @property
    def open_connections(self) -> int:
        with self._changed:
            return len(self._links)

    @property
    def connections_opened(self) -> int:
        """Connections ever accepted (a reconnect adds one)."""
        with self._changed:
            return self._opened

    @property
    def deliveries(self) -> list[Delivery]:
        with self._changed:
            return list(self._deliveries)

    def unacknowledged(self) -> list[Delivery]:
        """Envelopes the app did not ack in time (each would have been an error or a retry in Slack)."""
        return [delivery for delivery in self.deliveries if not delivery.acked.is_set()]

    def wait_for(self, condition: Callable[[], T | None], timeout: float = 10.0) -> T:
        """Block until `condition()` is truthy (re-checked whenever a connection opens or closes)."""
        with self._changed:
            result = self._changed.wait_for(condition, timeout)
        if not result:
            raise TimeoutError(f"condition still false after {timeout}s")
        return result

    # --- playing Slack ---------------------------------------------------------------------------

    def deliver(
        self,
        envelope_type: EnvelopeType,
        payload: Json,
        *,
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
    ) -> Delivery | None:
        """Send `payload` in an envelope and wait for its ack: the acked delivery, or None when none came."""
        last = EVENT_RETRIES if envelope_type == "events_api" else retry_attempt
        for attempt in range(retry_attempt, max(last, retry_attempt) + 1):
            delivery = self._send(envelope_type, payload, accepts_response_payload, attempt)
            if delivery is None:
                continue
            delivery.acked.wait(self.ack_timeout)
            with self._changed:
                timed_out = self._pending.pop(delivery.envelope_id, None) is not None
            if not timed_out:
                return delivery
        return None

    def disconnect(self, reason: DisconnectReason = "refresh_requested") -> None:
        """Tell every connection to reconnect, as Slack does every few hours or when Socket Mode is turned off."""
        message = json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": HOST}})
        with self._changed:
            links = [link for link in self._links.values() if not link.closing]
            if reason != "warning":
                for link in links:
                    link.closing = True
        for link in links:
            with contextlib.suppress(ConnectionClosed):
                link.connection.send(message)
            if reason == "link_disabled":
                link.connection.close()
            elif reason == "refresh_requested":
                timer = threading.Timer(self._refresh_grace, link.connection.close)
                timer.daemon = True
                self._timers.append(timer)
                timer.start()

    def ping(self) -> None:
        """A WebSocket ping on every open connection, as Slack sends now and then; the app answers with a pong."""
        with self._changed:
            links = list(self._links.values())
        for link in links:
            with contextlib.suppress(ConnectionClosed):
                link.connection.ping()

    def _send(
        self, envelope_type: EnvelopeType, payload: Json, accepts_response_payload: bool, attempt: int
    ) -> Delivery | None:
        envelope: Json = {
            "envelope_id": str(uuid.uuid4()),
            "payload": payload,
            "type": envelope_type,
            "accepts_response_payload": accepts_response_payload,
        }
        if envelope_type == "events_api":
            envelope["retry_attempt"] = attempt
            envelope["retry_reason"] = RETRY_REASON if attempt else ""
        with self._changed:
            link = self._changed.wait_for(self._ready_link, self.ack_timeout)
            if link is None:
                return None
            delivery = Delivery(envelope, link.id)
            self._pending[delivery.envelope_id] = delivery
            self._deliveries.append(delivery)
        with contextlib.suppress(ConnectionClosed):
            link.connection.send(json.dumps(envelope))
        return delivery

    def _ready_link(self) -> _Link | None:
        """The newest connection not asked to reconnect."""
        ready = [link for link in self._links.values() if not link.closing]
        return ready[-1] if ready else None

    # --- the WebSocket server --------------------------------------------------------------------

    def _admit(self, connection: ServerConnection, request: Request) -> Response | None:
        """Only `/link/` with a ticket from apps.connections.open, each ticket once."""
        parts = urlsplit(request.path)
        ticket = (parse_qs(parts.query).get("ticket") or [""])[0]
        with self._ws.lock:
            known = ticket in self._ws.socket_tickets
            self._ws.socket_tickets.discard(ticket)
        if parts.path.rstrip("/") != "/link" or not known:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid_ticket\n")
        return None

    def _serve_link(self, connection: ServerConnection) -> None:
        with self._changed:
            self._opened += 1
            link = _Link(id=f"link-{self._opened}", connection=connection)
            self._links[link.id] = link
            hello = {
                "type": "hello",
                "num_connections": len(self._links),
                "debug_info": {"host": HOST, "build_number": 1, "approximate_connection_time": 18060},
                "connection_info": {"app_id": self._ws.bot.app_id},
            }
            self._changed.notify_all()
        try:
            connection.send(json.dumps(hello))
            for message in connection:
                self._receive(message)
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                self._links.pop(link.id, None)
                self._changed.notify_all()

    def _receive(self, message: str | bytes) -> None:
        try:
            ack = json.loads(message)
        except ValueError:
            logger.warning("Socket Mode: the app sent a message that is not JSON")
            return
        if not isinstance(ack, dict) or "envelope_id" not in ack:
            return
        with self._changed:
            delivery = self._pending.pop(str(ack["envelope_id"]), None)
            if delivery is None:
                return  # late or unknown: Slack has given up on that envelope already
            payload = ack.get("payload")
            delivery.ack_payload = payload if isinstance(payload, dict) else None
            delivery.acked.set()
