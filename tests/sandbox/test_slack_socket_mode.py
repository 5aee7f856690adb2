"""The fake's Socket Mode, played against by a raw WebSocket client: tickets, hello, acks, retries, disconnects."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from sandbox.slack import FakeSlack
from sandbox.slack.socket_mode import Delivery, EnvelopeType
from sandbox.slack.transports import SocketModeTransport

Json = dict[str, Any]
EVENT: Json = {"type": "event_callback", "event_id": "Ev0001", "event": {"type": "app_home_opened", "user": "U1"}}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """Acks are awaited for 0.3 s instead of Slack's 3 s, so that retries come quickly."""
    with FakeSlack(socket_ack_timeout=0.3) as started:
        yield started


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


def socket_url(fake: FakeSlack) -> str:
    return str(WebClient(base_url=fake.api_url).apps_connections_open(app_token=fake.app_token)["url"])


@contextmanager
def open_link(fake: FakeSlack) -> Iterator[tuple[ClientConnection, Json]]:
    """A connection as an app opens it, and the hello Slack greets it with."""
    with connect(socket_url(fake)) as link:
        yield link, json.loads(link.recv(timeout=5))


def received(link: ClientConnection) -> Json:
    message = json.loads(link.recv(timeout=5))
    assert isinstance(message, dict)
    return message


def deliver(
    pool: ThreadPoolExecutor, fake: FakeSlack, kind: EnvelopeType, payload: Json, accepts: bool = False
) -> Future[Delivery | None]:
    return pool.submit(fake.socket_mode.deliver, kind, payload, accepts_response_payload=accepts)


def ack(link: ClientConnection, envelope: Json, payload: Json | None = None) -> None:
    link.send(json.dumps({"envelope_id": envelope["envelope_id"], **({"payload": payload} if payload else {})}))


def test_only_an_app_level_token_gets_a_url_and_each_url_connects_once(fake: FakeSlack) -> None:
    client = WebClient(base_url=fake.api_url)
    for token, error in ((fake.bot_token, "not_allowed_token_type"), ("xapp-1-A0FAKEAPP-1-unknown", "invalid_auth")):
        with pytest.raises(SlackApiError) as refused:
            client.apps_connections_open(app_token=token)
        assert refused.value.response["error"] == error
    with pytest.raises(SlackApiError) as wrong_kind:
        WebClient(base_url=fake.api_url, token=fake.app_token).chat_postMessage(channel="C1", text="hi")
    assert wrong_kind.value.response["error"] == "not_allowed_token_type"

    url = socket_url(fake)
    assert url.startswith("ws://127.0.0.1:") and "/link/?ticket=" in url and url.endswith(f"&app_id={fake.app_id}")
    with connect(url) as link:
        hello = json.loads(link.recv(timeout=5))
    assert hello["type"] == "hello" and hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": fake.app_id}
    for reused_or_forged in (url, url.replace("ticket=", "ticket=0")):
        with pytest.raises(InvalidStatus) as rejected, connect(reused_or_forged):
            pass
        assert rejected.value.response.status_code == 401


def test_an_unacked_event_is_sent_again_three_times_then_given_up(fake: FakeSlack, pool: ThreadPoolExecutor) -> None:
    with open_link(fake) as (link, _):
        outcome = deliver(pool, fake, "events_api", EVENT)
        envelopes = [received(link) for _ in range(4)]
        assert outcome.result(timeout=5) is None
    assert [(e["type"], e["retry_attempt"], e["retry_reason"]) for e in envelopes] == [
        ("events_api", 0, ""),
        ("events_api", 1, "timeout"),
        ("events_api", 2, "timeout"),
        ("events_api", 3, "timeout"),
    ]
    assert len({e["envelope_id"] for e in envelopes}) == 4, "each attempt is a new envelope"
    assert all(e["payload"] == EVENT and e["accepts_response_payload"] is False for e in envelopes)
    assert len(fake.socket_mode.unacknowledged()) == 4


def test_an_event_acked_on_its_first_retry_is_not_sent_again(fake: FakeSlack, pool: ThreadPoolExecutor) -> None:
    with open_link(fake) as (link, _):
        outcome = deliver(pool, fake, "events_api", EVENT)
        first = received(link)
        retry = received(link)
        ack(link, first)  # too late: Slack has moved on to the retry
        ack(link, retry)
        delivery = outcome.result(timeout=5)
        with pytest.raises(TimeoutError):
            link.recv(timeout=0.6)
    assert delivery is not None and delivery.envelope_id == retry["envelope_id"]
    assert [d.acked.is_set() for d in fake.socket_mode.deliveries] == [False, True]


def test_a_command_is_answered_by_its_ack_payload_and_never_retried(fake: FakeSlack, pool: ThreadPoolExecutor) -> None:
    transport = SocketModeTransport(fake.socket_mode)
    with open_link(fake) as (link, _):
        answered = pool.submit(transport.command, {"command": "/xero", "text": "help"})
        envelope = received(link)
        assert (envelope["type"], envelope["accepts_response_payload"]) == ("slash_commands", True)
        assert envelope["payload"] == {"command": "/xero", "text": "help"} and "retry_attempt" not in envelope
        ack(link, envelope, {"response_type": "ephemeral", "text": "Hello"})
        response = answered.result(timeout=5)
        assert (response.status, response.json()) == (200, {"response_type": "ephemeral", "text": "Hello"})

        ignored = pool.submit(transport.command, {"command": "/xero", "text": "status"})
        received(link)
        assert ignored.result(timeout=5).status == 504, "no ack in time: Slack shows the person an error"
        with pytest.raises(TimeoutError):
            link.recv(timeout=0.6)

        clicked = pool.submit(transport.interaction, {"type": "block_actions", "actions": []})
        click = received(link)
        assert (click["type"], click["accepts_response_payload"]) == ("interactive", False)
        ack(link, click, {"text": "Slack ignores this"})
        assert clicked.result(timeout=5).body == ""


def test_refresh_requested_moves_delivery_to_the_new_connection_and_closes_the_old(
    fake: FakeSlack, pool: ThreadPoolExecutor
) -> None:
    with open_link(fake) as (old, _), open_link(fake) as (new, hello):
        assert hello["num_connections"] == 2
        fake.socket_mode.disconnect("refresh_requested")
        for link in (old, new):
            notice = received(link)
            assert (notice["type"], notice["reason"]) == ("disconnect", "refresh_requested")
        with open_link(fake) as (newest, _):
            outcome = deliver(pool, fake, "interactive", {"type": "block_suggestion", "value": "tra"}, accepts=True)
            envelope = received(newest)
            ack(old, envelope, {"options": []})  # an ack counts on whichever connection it comes back
            delivery = outcome.result(timeout=5)
            assert delivery is not None and delivery.answer == {"options": []}
            for link in (old, new):
                with pytest.raises(ConnectionClosed):
                    link.recv(timeout=5)  # Slack closes the connections it asked to go after a short grace
            assert fake.socket_mode.wait_for(lambda: fake.socket_mode.open_connections == 1)


def test_a_warning_keeps_the_connection_and_link_disabled_closes_it(fake: FakeSlack, pool: ThreadPoolExecutor) -> None:
    with open_link(fake) as (link, _):
        fake.socket_mode.disconnect("warning")
        assert received(link)["reason"] == "warning"
        outcome = deliver(pool, fake, "events_api", EVENT)
        ack(link, received(link))
        assert outcome.result(timeout=5) is not None, "a warning is only a heads-up: deliveries go on"
        fake.socket_mode.disconnect("link_disabled")
        assert received(link)["reason"] == "link_disabled"
        with pytest.raises(ConnectionClosed):
            link.recv(timeout=5)
    assert fake.socket_mode.deliver("events_api", EVENT) is None, "no connection: nothing can be delivered"
