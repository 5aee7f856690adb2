"""The demo, started as `xero-expense-bot demo` starts it, on a free port."""

from __future__ import annotations

import socket
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from bot.demo import start_demo
from sandbox.demo.world import ADMIN, FINANCE_CHANNEL, DemoWorld


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    world = start_demo(free_port(), tmp_path_factory.mktemp("demo"), configure_logs=False)
    yield world
    world.stop()


def connect_over_http(world: DemoWorld) -> None:
    """What Ada's browser does: /xero connect, the button's URL, "Allow access" on Xero's page, the callback."""
    answer = world.sender.slash_command("connect", ADMIN.user_id, FINANCE_CHANNEL).json()
    url = next(
        element["url"]
        for block in answer["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("url")
    )
    with urllib.request.urlopen(url, timeout=10) as consent:
        assert b"Allow access" in consent.read()
    with urllib.request.urlopen(f"{url}&consent=allow", timeout=30) as callback:  # follows the redirect to the bot
        assert urllib.parse.urlsplit(callback.url).path == "/xero/callback"
        assert b"Connected to" in callback.read()
