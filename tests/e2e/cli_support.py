"""Running the installed `xero-expense-bot` script as an operator would, against the fakes."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.crypto import generate_key
from tests.e2e.conftest import SIGNING_SECRET

SCRIPT = shutil.which("xero-expense-bot", path=str(Path(sys.executable).parent)) or "xero-expense-bot"


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCRIPT, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serving_env(clean_env: dict[str, str], slack: FakeSlack, xero: XeroEmulator, tmp_path: Path) -> dict[str, str]:
    return clean_env | {
        "ENCRYPTION_KEY": generate_key(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_API_URL": slack.api_url,
        "XERO_API_URL": xero.url,
        "XERO_IDENTITY_URL": xero.url,
        "XERO_LOGIN_URL": xero.url,
    }
