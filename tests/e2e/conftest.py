"""End-to-end fixtures: the real bot served over HTTP, a fake Slack Web API and the Xero emulator."""

from __future__ import annotations

import errno
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.bootstrap import Deps
from bot.clock import FrozenClock
from bot.server import BotServer
from bot.settings import Settings, load_settings
from sandbox.slack import FakeSlack, SlackSender
from sandbox.xero import XeroEmulator
from storage.uow import UnitOfWorkFactory
from tests.specs import require_xero_spec

T = TypeVar("T")
SIGNING_SECRET = "test-signing-secret"
WEBHOOK_SECRET = "test-webhook-secret"
FINANCE_CHANNEL = "C0FINANCE"
ADMIN, FINANCE, EMPLOYEE, STRANGER = "UADMIN01", "UFIN0001", "UEMP0001", "USTRANGE"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    fake.start()
    fake.add_user(ADMIN, "ada", "ada@example.com", is_admin=True)
    fake.add_user(FINANCE, "fiona", "fiona@example.com")
    fake.add_user(EMPLOYEE, "ana", "ana@example.com")
    fake.add_user(STRANGER, "sam", "sam@example.com")
    fake.add_channel(FINANCE_CHANNEL, "finance", members=[ADMIN, FINANCE, fake.bot_user_id])
    yield fake
    fake.stop()


@pytest.fixture
def xero(request: pytest.FixtureRequest) -> Iterator[XeroEmulator]:
    """The Xero emulator checking every request and answer against Xero's OpenAPI spec (the test is skipped
    without the spec, see tests/specs.py); a test may pass constructor arguments with `indirect` parametrization."""
    emulator = XeroEmulator(spec_path=require_xero_spec(), **getattr(request, "param", {}))
    assert emulator.validating
    emulator.start()
    yield emulator
    emulator.stop()
    emulator.assert_no_spec_violations()


def bot_settings(
    slack: FakeSlack, xero: XeroEmulator, database_url: str, encryption_key: str, **extra: Any
) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "encryption_key": encryption_key,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_bot_token": slack.bot_token,
        "slack_api_url": slack.api_url,
        "xero_client_id": xero.client_id,
        "xero_client_secret": xero.client_secret,
        "xero_login_url": xero.url,
        "xero_identity_url": xero.url,
        "xero_api_url": xero.url,
        "finance_channel": FINANCE_CHANNEL,
        "payments_webhook_secret": WEBHOOK_SECRET,
        "_env_file": None,
    }
    values.update(extra)
    return load_settings(**values)


def eventually(check: Callable[[], T | bool | None], timeout: float = 15.0) -> T:
    """Wait for work the bot does after acknowledging Slack (listeners run after the HTTP answer)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not become true in time")
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningBot:
    settings: Settings
    deps: Deps
    server: BotServer
    sender: SlackSender
    clock: FrozenClock

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    @property
    def uow(self) -> UnitOfWorkFactory:
        return self.deps.uow


@contextmanager
def running_bot(
    slack: FakeSlack,
    xero: XeroEmulator,
    database_url: str,
    encryption_key: str,
    engine: Any,
    uow: UnitOfWorkFactory,
    *,
    transport: str = "http",
    **settings_overrides: Any,
) -> Iterator[RunningBot]:
    """The real bot on a free port, its clock starting at the emulator's, until the block ends.

    `transport="socket_mode"` runs it with SLACK_APP_TOKEN and no signing secret: Slack's requests
    arrive as envelopes on its Socket Mode connection, and every one must be acked in time.
    """
    if transport == "socket_mode":
        settings_overrides = {"slack_app_token": slack.app_token, "slack_signing_secret": None, **settings_overrides}
    clock = FrozenClock(xero.clock.now())
    deps = Deps(engine=engine, uow=uow, clock=clock)
    for attempt in range(3):
        port = free_port()
        settings = bot_settings(
            slack,
            xero,
            database_url,
            encryption_key,
            port=port,
            public_url=f"http://127.0.0.1:{port}",
            xero_minute_limit=xero.minute_limit,
            **settings_overrides,
        )
        try:
            server = on_a_thread_of_its_own(partial(BotServer, settings, deps, host="127.0.0.1", port=port))
            break
        except OSError as error:  # another test process took the port between the probe and the bind
            if error.errno != errno.EADDRINUSE or attempt == 2:
                raise
    server.services.posting.interval_seconds = 0
    opened_before = slack.socket_mode.connections_opened
    thread = threading.Thread(target=server.run, name="bot-under-test", daemon=True)
    thread.start()
    eventually(lambda: server.scheduler.running)  # started on that thread: a test may pause its jobs at once
    url = f"http://127.0.0.1:{server.port}"
    if transport == "socket_mode":
        slack.socket_mode.wait_for(lambda: slack.socket_mode.connections_opened > opened_before)
        sender = SlackSender.socket_mode(slack)
    else:
        sender = SlackSender(url, SIGNING_SECRET, slack)
    try:
        yield RunningBot(settings, deps, server, sender, clock)
    finally:
        with pinging(slack) if transport == "socket_mode" else nullcontext():
            server.stop()
            thread.join(timeout=10)
    if transport == "socket_mode":
        assert slack.socket_mode.unacknowledged() == [], "every envelope is acked within Slack's 3 seconds"


def on_a_thread_of_its_own(build: Callable[[], T]) -> T:
    """`build()` run on a new thread, its result or exception handed back. A Bolt App built without a name takes
    its caller's file name from `inspect.stack()`, which reads the source of every frame on the stack: under
    pytest's deep stack that was ~30 ms of each bot's start, on a new thread's few frames it is nothing."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(build())
        except BaseException as error:  # handed to the caller as it is
            failure.append(error)

    thread = threading.Thread(target=run, name="bot-start")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


@contextmanager
def pinging(slack: FakeSlack) -> Iterator[None]:
    """Slack pings the Socket Mode connections while the block runs: the bot's client reads with a 3-second
    timeout and can close its connection only between two reads; a ping ends each read at once."""
    done = threading.Event()

    def ping() -> None:
        while not done.wait(0.05):
            slack.socket_mode.ping()

    pinger = threading.Thread(target=ping, name="slack-pings", daemon=True)
    pinger.start()
    try:
        yield
    finally:
        done.set()
        pinger.join(timeout=5)


@pytest.fixture
def bot(
    request: pytest.FixtureRequest,
    slack: FakeSlack,
    xero: XeroEmulator,
    database_url: str,
    encryption_key: str,
    engine: Any,
    uow: UnitOfWorkFactory,
) -> Iterator[RunningBot]:
    """The bot over HTTP; `@both_transports` runs a test again with the bot on Socket Mode."""
    transport = getattr(request, "param", "http")
    with running_bot(slack, xero, database_url, encryption_key, engine, uow, transport=transport) as running:
        yield running


both_transports = pytest.mark.parametrize("bot", ["http", "socket_mode"], indirect=True)


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a new operator: no bot settings, only what each test sets."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR"}
    return {name: value for name, value in os.environ.items() if name in keep}


@pytest.fixture
def fakes() -> Iterator[tuple[FakeSlack, XeroEmulator]]:
    slack, xero = FakeSlack(), XeroEmulator(spec_path=require_xero_spec())
    slack.start()
    xero.start()
    slack.add_user(EMPLOYEE, "ana", "ana@example.com")
    slack.add_channel(FINANCE_CHANNEL, "finance", members=[EMPLOYEE, slack.bot_user_id])
    yield slack, xero
    slack.stop()
    xero.stop()
