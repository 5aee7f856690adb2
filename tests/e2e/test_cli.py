"""The command line as an operator uses it: the installed `xero-expense-bot` script in a subprocess. `doctor`'s
report line by line is tests/bot/test_init_command.py (run in this process; tests/e2e/test_init.py runs the script);
`migrate` on a new SQLite file is tests/e2e/test_quiet_logs.py; `serve` without ENCRYPTION_KEY is
tests/bot/test_settings.py (run in this process: the script's one-line refusal is checked here, for a malformed
value)."""

from __future__ import annotations

import base64
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sandbox.slack import FakeSlack, SlackSender
from sandbox.xero import XeroEmulator
from storage.crypto import generate_key
from tests.conftest import POSTGRES_URL
from tests.e2e.cli_support import SCRIPT, free_port, run_cli, serving_env
from tests.e2e.conftest import EMPLOYEE, FINANCE_CHANNEL, SIGNING_SECRET


def test_keygen_prints_a_usable_key(clean_env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("keygen", env=clean_env, cwd=tmp_path)
    assert result.returncode == 0
    assert len(base64.b64decode(result.stdout.strip(), validate=True)) == 32


def test_a_malformed_value_stops_start_up_with_one_line(clean_env: dict[str, str], tmp_path: Path) -> None:
    env = clean_env | {"ENCRYPTION_KEY": generate_key(), "PORT": "eighty"}
    result = run_cli("serve", env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "xero-expense-bot: PORT is invalid (Input should be a valid integer, unable to parse string as an integer); "
        "a good value looks like 3000"
    ]


def wait_until_healthy(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early: {process.stderr.read() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise AssertionError("serve did not become healthy in 30 s")


def test_serve_answers_health_metrics_and_slack_then_stops_cleanly_on_sigterm(
    clean_env: dict[str, str], tmp_path: Path, fakes: tuple[FakeSlack, XeroEmulator]
) -> None:
    slack, xero = fakes
    env = serving_env(clean_env, slack, xero, tmp_path)
    port = free_port()
    process = subprocess.Popen(
        [SCRIPT, "serve", "--port", str(port)], env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process)
        with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
            assert b"xero_bot_http_requests_total" in response.read()
        sender = SlackSender(url, SIGNING_SECRET, slack)
        helped = sender.slash_command("help", EMPLOYEE, FINANCE_CHANNEL)
        assert helped.status == 200 and "/xero help" in helped.json()["text"]
        assert sender.send_raw("command=/xero&text=help", "application/x-www-form-urlencoded", sign=False).status == 401
        stale = str(int(time.time()) - 301)
        assert sender.send_raw("command=/xero", "application/x-www-form-urlencoded", timestamp=stale).status == 401
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "shutting down" in stderr and "stopped" in stderr
    for secret in (env["ENCRYPTION_KEY"], env["SLACK_BOT_TOKEN"], SIGNING_SECRET):
        assert secret not in stderr


@pytest.mark.skipif(not POSTGRES_URL, reason="set TEST_DATABASE_URL to migrate a PostgreSQL database")
def test_migrate_creates_the_schema_on_postgresql(clean_env: dict[str, str], tmp_path: Path) -> None:
    from storage.crypto import KeyRing
    from tests.conftest import PostgresSchema

    assert POSTGRES_URL
    schema = PostgresSchema(POSTGRES_URL, KeyRing.from_setting(generate_key()))
    try:
        env = clean_env | {"ENCRYPTION_KEY": generate_key(), "DATABASE_URL": schema.url}
        result = run_cli("migrate", env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    finally:
        schema.drop()
