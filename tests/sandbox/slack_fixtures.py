"""Fixtures for the fake Slack tests: a small workspace, a WebClient on it, and a Bolt app served over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, Response, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient
from werkzeug.serving import make_server

from sandbox.slack import FakeSlack

SIGNING_SECRET = "test-signing-secret"
ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"
FINANCE, RANDOM, PRIVATE = "C0FINANCE", "C0RANDOM", "G0SECRET"


def populate(fake: FakeSlack) -> None:
    fake.add_user(ALICE, "alice", "alice@example.com", is_admin=True, is_owner=True, tz="Europe/Berlin")
    fake.add_user(BOB, "bob", "bob@example.com")
    fake.add_user(CAROL, "carol", "carol@example.com")
    fake.add_channel(FINANCE, "finance", members=[fake.bot_user_id, ALICE, BOB])
    fake.add_channel(RANDOM, "random", members=[ALICE, CAROL])
    fake.add_channel(PRIVATE, "secret", is_private=True, members=[ALICE])
    fake.add_usergroup("S0FINANCE", "finance", [ALICE], name="Finance team")


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as started:
        populate(started)
        yield started


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.api_url, token=fake.bot_token)


@contextmanager
def served(app: App) -> Iterator[str]:
    """The Bolt app behind Flask + SlackRequestHandler on a real loopback port; yields its base URL."""
    flask_app = Flask("bolt-under-test")
    handler = SlackRequestHandler(app)

    @flask_app.route("/slack/events", methods=["POST"])
    def slack_events() -> Response:
        return handler.handle(request)

    server = make_server("127.0.0.1", 0, flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
