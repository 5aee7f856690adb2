"""`init` writes a `.env` that `doctor` passes against the fakes, checks the Slack tokens, and echoes no secret.
The script runs as an operator's process here; init's other cases are tests/bot/test_init_command.py."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from dotenv import dotenv_values

from bot.cli import main
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from tests.e2e.cli_support import run_cli
from tests.e2e.conftest import FINANCE_CHANNEL

XERO_SECRET = "xero-client-secret-5d1e"


def fake_urls(slack: FakeSlack, xero: XeroEmulator) -> dict[str, str]:
    return {"SLACK_API_URL": slack.api_url, "XERO_API_URL": xero.url, "XERO_IDENTITY_URL": xero.url}


def test_init_then_doctor_passes_against_the_fakes(
    clean_env: dict[str, str], tmp_path: Path, fakes: tuple[FakeSlack, XeroEmulator]
) -> None:
    """In Socket Mode; over HTTP, a refused token, an existing .env: tests/bot/test_init_command.py."""
    slack, xero = fakes
    secrets = {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_APP_TOKEN": slack.app_token}
    secrets |= {"XERO_CLIENT_SECRET": XERO_SECRET}
    flags = ["--xero-client-id", "XERO-APP-1", "--finance-channel", FINANCE_CHANNEL]
    env = clean_env | fake_urls(slack, xero)
    written = run_cli("init", "--non-interactive", "--socket-mode", *flags, env=env | secrets, cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert "Register this redirect URI on the Xero app: http://localhost:3000/xero/callback" in written.stdout
    assert "auth.test OK: bot" in written.stdout

    dotenv = tmp_path / ".env"
    assert stat.S_IMODE(dotenv.stat().st_mode) == 0o600
    values = dotenv_values(dotenv)
    assert {name: values.get(name) for name in secrets} == secrets
    assert len(values["ENCRYPTION_KEY"] or "") == 44 and values["PAYMENTS_WEBHOOK_SECRET"]
    for secret in (*secrets.values(), values["ENCRYPTION_KEY"], values["PAYMENTS_WEBHOOK_SECRET"]):
        assert secret and secret not in written.stdout + written.stderr

    assert run_cli("migrate", env=env, cwd=tmp_path).returncode == 0
    doctor = run_cli("doctor", env=env, cwd=tmp_path)  # everything else comes from the .env init wrote
    assert doctor.returncode == 0, doctor.stdout
    lines = doctor.stdout.splitlines()
    assert all(line.startswith("ok    ") for line in lines), doctor.stdout
    assert f"ok    settings: read {dotenv}" in doctor.stdout
    assert f"SQLite file {tmp_path / 'xero-expense-bot.db'} answers; schema at" in doctor.stdout
    assert "ok    socket mode: " in doctor.stdout


def test_interactive_init_asks_secrets_without_echo(
    tmp_path: Path,
    fakes: tuple[FakeSlack, XeroEmulator],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    slack, _ = fakes
    for name in list(os.environ):
        if name.startswith(("SLACK_", "XERO_", "ENCRYPTION_", "DATABASE_", "PUBLIC_", "FINANCE_", "PAYMENTS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    monkeypatch.chdir(tmp_path)
    answers = iter(["socket", "", "XERO-APP-1", "#finance", FINANCE_CHANNEL])
    secrets = iter(["xoxb-wrong-1", slack.bot_token, slack.app_token, XERO_SECRET])
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt="": asked.append(prompt) or next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": asked.append(f"[hidden] {prompt}") or next(secrets))

    assert main(["init"]) == 0
    shown = capsys.readouterr().out
    hidden = [prompt for prompt in asked if prompt.startswith("[hidden]")]
    assert len(hidden) == 4 and any("xoxb-" in p for p in hidden) and any("xapp-" in p for p in hidden)
    assert "auth.test refused the bot token: invalid_auth" in shown  # asked again after a wrong token
    assert "a channel ID looks like C0123456789" in shown
    assert "Register this redirect URI on the Xero app: http://localhost:3000/xero/callback" in shown
    for secret in (slack.bot_token, slack.app_token, XERO_SECRET, "xoxb-wrong-1"):
        assert secret not in shown
    values = dotenv_values(tmp_path / ".env")
    assert (values["SLACK_APP_TOKEN"], values["FINANCE_CHANNEL"]) == (slack.app_token, FINANCE_CHANNEL)
