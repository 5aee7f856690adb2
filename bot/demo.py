"""`xero-expense-bot demo`: the bot as `serve` builds it, on the embedded Slack fake and Xero emulator.

Everything it needs is made at start (keys, secrets, a fresh SQLite file in a temporary folder); the page
at `http://127.0.0.1:{port}/` plays Slack's part. See sandbox/demo/.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from bot.logs import configure_logging

if TYPE_CHECKING:
    from sandbox.demo.world import DemoWorld


def start_demo(port: int, folder: Path | None = None, *, configure_logs: bool = True) -> DemoWorld:
    """Build the world, add the page to the bot's own web app, serve, and seed: the demo, ready to open."""
    from sandbox.demo.page import register_demo_page
    from sandbox.demo.world import build_world

    world = build_world(port, folder)
    if configure_logs:
        configure_logging("WARNING", _secrets(world.settings))
    register_demo_page(world.server.web, world)
    world.start()
    return world


def run_demo(*, port: int = 3000) -> int:
    started = time.monotonic()
    print("Starting the demo: a fake Slack workspace, a Xero emulator and the real bot…", flush=True)
    try:
        world = start_demo(port)
    except OSError as error:
        print(f"xero-expense-bot: cannot serve the demo on port {port} ({error}); try another --port", file=sys.stderr)
        return 1
    stopped = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(
        f"Ready in {time.monotonic() - started:.0f} s. Open {world.url}/ in your browser "
        f"(its data is in {world.folder}; Ctrl-C stops it).",
        flush=True,
    )
    stopped.wait()
    print("Stopping…", flush=True)
    world.stop()
    return 0


def _secrets(settings: object) -> list[str]:
    from pydantic import SecretStr

    return [value.get_secret_value() for value in vars(settings).values() if isinstance(value, SecretStr)]
