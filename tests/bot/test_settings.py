"""Settings come from the environment and `.env`; a bad value stops start-up with one clear line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.cli import main
from bot.scheduler import SchedulerWake, new_scheduler, schedule_jobs
from bot.settings import ConfigError, Settings, load_settings
from storage.crypto import generate_key
from tests.bot.test_import_command import restored_logging  # noqa: F401 - the fixture

VARIABLES = [
    "DATABASE_URL",
    "ENCRYPTION_KEY",
    "PUBLIC_URL",
    "PORT",
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "XERO_CLIENT_ID",
    "XERO_CLIENT_SECRET",
    "XERO_REDIRECT_URI",
    "XERO_LOGIN_URL",
    "XERO_IDENTITY_URL",
    "XERO_API_URL",
    "FINANCE_CHANNEL",
    "PAYMENTS_WEBHOOK_SECRET",
    "XERO_SCOPES",
    "RECEIPT_MAX_MB",
    "LOG_LEVEL",
    "JOB_TICK_SECONDS",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_match_the_contract() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///xero-expense-bot.db"
    assert settings.port == 3000
    assert settings.base_url == "http://localhost:3000"
    assert settings.redirect_uri == "http://localhost:3000/xero/callback"
    assert settings.slack_api_base == "https://slack.com/api/"
    assert str(settings.xero_login_url).rstrip("/") == "https://login.xero.com"
    assert settings.scopes == [
        "openid",
        "profile",
        "email",
        "offline_access",
        "accounting.banktransactions",
        "accounting.settings.read",
        "accounting.contacts",
        "accounting.attachments",
    ]
    assert settings.receipt_max_bytes == 10 * 1024 * 1024
    assert settings.finance_channel is None and settings.payments_webhook_secret is None
    assert settings.sync_lease_seconds == 60, "a sync claim without a heartbeat lives about a minute"


def job_intervals(settings: Settings) -> dict[str, timedelta]:
    scheduler = new_scheduler()
    schedule_jobs(scheduler, SimpleNamespace(settings=settings, wake=SchedulerWake(scheduler)))  # type: ignore[arg-type]
    return {job.id: job.trigger.interval for job in scheduler.get_jobs()}


def test_the_jobs_run_every_few_seconds_and_a_lower_job_tick_speeds_up_only_those(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seconds = timedelta(seconds=1)
    usual = job_intervals(load_settings())
    assert {name: usual[name] for name in ("post_new_payments", "sync_payments", "deliver_slack_outbox")} == {
        "post_new_payments": 5 * seconds,
        "sync_payments": 5 * seconds,
        "deliver_slack_outbox": 5 * seconds,
    }
    assert usual["report_bulk_progress"] == 3 * seconds and usual["poll_xero_status"] == 60 * seconds

    monkeypatch.setenv("JOB_TICK_SECONDS", "0.5")
    quick = job_intervals(load_settings())
    frequent = {name for name, every in usual.items() if every < 60 * seconds}
    assert frequent == {"post_new_payments", "sync_payments", "deliver_slack_outbox", "report_bulk_progress"}
    assert {name: quick[name] for name in frequent} == dict.fromkeys(frequent, seconds / 2)
    assert {name: quick[name] for name in usual.keys() - frequent} == {
        name: usual[name] for name in usual.keys() - frequent
    }


def test_environment_and_dotenv_are_both_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=4001\nFINANCE_CHANNEL=C0FINANCE\nPUBLIC_URL=https://bot.example.com\n")
    monkeypatch.setenv("PORT", "4002")
    settings = load_settings()
    assert settings.port == 4002
    assert settings.finance_channel == "C0FINANCE"
    assert settings.redirect_uri == "https://bot.example.com/xero/callback"


@pytest.mark.parametrize(
    ("name", "value", "names"),
    [
        ("PORT", "eighty", "PORT is invalid"),
        ("ENCRYPTION_KEY", "not-a-key", "ENCRYPTION_KEY is invalid"),
        ("ENCRYPTION_KEY", "c2hvcnQ=", "ENCRYPTION_KEY is invalid"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN is invalid"),
        ("PUBLIC_URL", "localhost-no-scheme", "PUBLIC_URL is invalid"),
        ("FINANCE_CHANNEL", "#finance", "FINANCE_CHANNEL is invalid"),
        ("RECEIPT_MAX_MB", "-1", "RECEIPT_MAX_MB is invalid"),
    ],
)
def test_a_malformed_value_names_the_variable_and_a_good_example(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, names: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(names)
    assert "a good value looks like" in message
    assert "\n" not in message
    assert value not in message


def test_serving_without_an_encryption_key_names_the_variable_and_keygen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cret")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    with pytest.raises(ConfigError, match=r"ENCRYPTION_KEY.*xero-expense-bot keygen"):
        load_settings().require_serving()


def test_serve_without_an_encryption_key_exits_with_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    restored_logging: None,  # noqa: F811 - the fixture
) -> None:
    """`serve` as the installed script runs it (`bot.cli.main`), in this process; the script in a process of its own,
    stopped by a malformed value, is tests/e2e/test_cli.py."""
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")

    assert main(["serve"]) == 2

    said = capsys.readouterr()
    [line] = said.err.strip().splitlines()
    assert "ENCRYPTION_KEY" in line and "xero-expense-bot keygen" in line
    assert said.out == "" and list(tmp_path.iterdir()) == [], "refused before anything was made"


def test_secrets_are_never_shown_by_the_settings_object(monkeypatch: pytest.MonkeyPatch) -> None:
    key = generate_key()
    monkeypatch.setenv("ENCRYPTION_KEY", key)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret-value")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret-bot-token")
    settings = load_settings()
    shown = repr(settings) + str(settings) + settings.model_dump_json()
    for secret in (key, "signing-secret-value", "xoxb-secret-bot-token"):
        assert secret not in shown


def test_rotated_keys_are_accepted_as_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENCRYPTION_KEY", f"{generate_key()}, {generate_key()}")
    assert load_settings().encryption_key is not None
