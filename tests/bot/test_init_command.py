"""`xero-expense-bot init` and `doctor` as an operator reads them, run in this process
(`bot.cli.main`, as the installed script calls it) against the fakes. The script itself, a process of its own
whose `.env` the next process reads, is tests/e2e/test_init.py."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from dotenv import dotenv_values

from bot.cli import main
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.crypto import generate_key
from tests.bot.test_import_command import KEEP, Result, restored_logging  # noqa: F401 - the fixture
from tests.specs import require_xero_spec

FINANCE_CHANNEL = "C0FINANCE"
XERO_SECRET = "xero-client-secret-5d1e"
SIGNING = "slack-signing-secret-77af"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeSlack, XeroEmulator]]:
    with FakeSlack() as slack, XeroEmulator(spec_path=require_xero_spec()) as xero:
        slack.add_user("UEMP0001", "ana", "ana@example.com")
        slack.add_channel(FINANCE_CHANNEL, "finance", members=["UEMP0001", slack.bot_user_id])
        yield slack, xero


@pytest.fixture
def cli(
    fakes: tuple[FakeSlack, XeroEmulator],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restored_logging: None,  # noqa: F811
) -> Callable[..., Result]:
    """`xero-expense-bot ARGS…` in a new operator's folder, with the fakes' addresses and `env` set."""
    slack, xero = fakes
    for name in [name for name in os.environ if name not in KEEP]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    fake_urls = {"SLACK_API_URL": slack.api_url, "XERO_API_URL": xero.url, "XERO_IDENTITY_URL": xero.url}

    def run(*args: str, env: dict[str, str]) -> Result:
        with monkeypatch.context() as scoped:
            for name, value in (fake_urls | env).items():
                scoped.setenv(name, value)
            capsys.readouterr()
            returncode = main(list(args))
            out, err = capsys.readouterr()
        return Result(returncode, out, err)

    return run


def test_init_over_http_then_doctor_passes_against_the_fakes(
    cli: Callable[..., Result], fakes: tuple[FakeSlack, XeroEmulator], tmp_path: Path
) -> None:
    slack, _ = fakes
    secrets = {"SLACK_BOT_TOKEN": slack.bot_token, "XERO_CLIENT_SECRET": XERO_SECRET, "SLACK_SIGNING_SECRET": SIGNING}
    flags = ["--xero-client-id", "XERO-APP-1", "--finance-channel", FINANCE_CHANNEL]
    written = cli("init", "--non-interactive", "--http", *flags, "--public-url", "https://books.acme.test", env=secrets)
    assert written.returncode == 0, written.stderr
    assert "Register this redirect URI on the Xero app: https://books.acme.test/xero/callback" in written.stdout
    assert "auth.test OK: bot" in written.stdout

    dotenv = tmp_path / ".env"
    assert stat.S_IMODE(dotenv.stat().st_mode) == 0o600
    values = dotenv_values(dotenv)
    assert {name: values.get(name) for name in secrets} == secrets
    assert len(values["ENCRYPTION_KEY"] or "") == 44 and values["PAYMENTS_WEBHOOK_SECRET"]
    for secret in (*secrets.values(), values["ENCRYPTION_KEY"], values["PAYMENTS_WEBHOOK_SECRET"]):
        assert secret and secret not in written.stdout + written.stderr

    assert cli("migrate", env={}).returncode == 0
    doctor = cli("doctor", env={})  # everything else comes from the .env init wrote
    assert doctor.returncode == 0, doctor.stdout
    assert all(line.startswith("ok    ") for line in doctor.stdout.splitlines()), doctor.stdout
    assert f"ok    settings: read {dotenv}" in doctor.stdout
    assert f"SQLite file {tmp_path / 'xero-expense-bot.db'} answers; schema at" in doctor.stdout
    assert "ok    socket mode: " not in doctor.stdout


def test_init_refuses_a_token_slack_refuses_and_writes_nothing(
    cli: Callable[..., Result], fakes: tuple[FakeSlack, XeroEmulator], tmp_path: Path
) -> None:
    slack, _ = fakes
    env = {"SLACK_BOT_TOKEN": "xoxb-revoked-0001", "SLACK_APP_TOKEN": slack.app_token}
    flags = ["--socket-mode", "--xero-client-id", "X", "--xero-client-secret", "Y"]
    result = cli("init", "--non-interactive", *flags, env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == "xero-expense-bot: auth.test refused the bot token: invalid_auth"
    assert "xoxb-revoked-0001" not in result.stdout + result.stderr
    assert not (tmp_path / ".env").exists()


def test_init_keeps_an_existing_env_unless_forced_and_then_keeps_its_key(
    cli: Callable[..., Result], fakes: tuple[FakeSlack, XeroEmulator], tmp_path: Path
) -> None:
    slack, _ = fakes
    key = generate_key()
    (tmp_path / ".env").write_text(f"ENCRYPTION_KEY={key}\nPOSTGRES_PASSWORD=pg-pass\n")
    env = {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_APP_TOKEN": slack.app_token}
    flags = ["--socket-mode", "--xero-client-id", "X", "--xero-client-secret", "Y"]
    flags += ["--finance-channel", FINANCE_CHANNEL]
    refused = cli("init", "--non-interactive", *flags, env=env)
    assert refused.returncode == 1 and "pass --force" in refused.stderr
    forced = cli("init", "--non-interactive", "--force", *flags, env=env)
    assert forced.returncode == 0, forced.stderr
    values = dotenv_values(tmp_path / ".env")
    assert (values["ENCRYPTION_KEY"], values["POSTGRES_PASSWORD"]) == (key, "pg-pass")


def test_doctor_reports_one_line_per_check_and_fails_what_cannot_work(
    cli: Callable[..., Result], fakes: tuple[FakeSlack, XeroEmulator], tmp_path: Path
) -> None:
    slack, xero = fakes
    env = {  # HTTP mode on http://localhost, no Xero app, no channel
        "ENCRYPTION_KEY": generate_key(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "SLACK_SIGNING_SECRET": SIGNING,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "XERO_LOGIN_URL": xero.url,
    }
    assert cli("migrate", env=env).returncode == 0
    report = cli("doctor", env=env)
    assert report.returncode == 1, report.stdout
    assert [line.split(":")[0] for line in report.stdout.splitlines()] == [
        "ok    settings",
        "ok    encryption key",
        "ok    database",
        "ok    slack mode",
        "FAIL  public URL",
        "ok    slack",
        "warn  finance channel",
        "FAIL  xero app",
        "ok    xero redirect",
        "ok    xero",
        "warn  payments webhook",
    ]
    assert "FAIL  public URL: http://localhost:3000: Slack only calls HTTPS URLs" in report.stdout
    assert "FAIL  xero app: XERO_CLIENT_ID and XERO_CLIENT_SECRET not set" in report.stdout
    assert f"ok    settings: no {tmp_path / '.env'}: settings come from the environment only" in report.stdout

    ready = env | {
        "PUBLIC_URL": "https://books.acme.test",
        "XERO_CLIENT_ID": "X",
        "XERO_CLIENT_SECRET": "Y",
        "FINANCE_CHANNEL": FINANCE_CHANNEL,
    }
    warned = cli("doctor", env=ready)
    assert warned.returncode == 3, warned.stdout  # warnings only: no webhook secret
    broken = cli("doctor", env=ready | {"SLACK_BOT_TOKEN": "xoxb-revoked"})
    assert broken.returncode == 1
    assert "FAIL  slack: auth.test refused the bot token: invalid_auth" in broken.stdout
    assert "xoxb-revoked" not in broken.stdout + broken.stderr
