"""`doctor`: one line per check, so an operator sees at a glance what is wrong and what to do.

Each line starts with `ok`, `warn` (the bot runs, but something waits for you) or `FAIL` (a feature cannot
work). Exit status: 0 every check is ok, 1 at least one failed, 3 warnings only; 2 (from the CLI) when a setting
is malformed and nothing could be checked.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import ENV_FILE, Settings
from bot.setup.slack_checks import SlackCheckFailed, check_app_token, check_bot_token, check_channel
from storage.crypto import KeyRing, generate_key
from storage.db import create_engine
from storage.migrate import alembic_config

TIMEOUT_SECONDS = 10
OK, WARN, FAIL = "ok", "warn", "FAIL"
EXIT_OK, EXIT_FAILED, EXIT_WARNINGS = 0, 1, 3
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


@dataclass(frozen=True)
class Outcome:
    level: str
    text: str


Check = Callable[[Settings], Outcome]


def check_settings_file(_settings: Settings) -> Outcome:
    path = Path(ENV_FILE).resolve()
    if path.is_file():
        return Outcome(OK, f"read {path} (and the environment, which wins)")
    return Outcome(OK, f"no {path}: settings come from the environment only (`xero-expense-bot init` writes one)")


def check_encryption_key(settings: Settings) -> Outcome:
    if settings.encryption_key is None:
        return Outcome(FAIL, "ENCRYPTION_KEY is not set: `xero-expense-bot keygen` makes one (or run init)")
    keys = len(settings.encryption_key.get_secret_value().split(","))
    if keys > 1:
        return Outcome(WARN, f"{keys} keys: run `xero-expense-bot rotate-key`, then keep only the first")
    return Outcome(OK, "set (back it up: without it stored Xero sign-ins and receipts cannot be read)")


def check_database(settings: Settings) -> Outcome:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database or "").resolve()
        where = f"SQLite file {path}"
        if not path.exists():
            return Outcome(WARN, f"{where} does not exist yet: `serve` or `migrate` creates it")
    else:
        where = url.render_as_string(hide_password=True)
    # Only the schema is read here, so any key will do to open the engine.
    engine = create_engine(settings.database_url, KeyRing.from_setting(generate_key()))
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        return Outcome(FAIL, f"cannot reach {where}: {type(error).__name__}")
    finally:
        engine.dispose()
    script = ScriptDirectory.from_config(alembic_config(engine))
    head = script.get_current_head()
    known = {revision.revision for revision in script.walk_revisions()}
    if not current:
        return Outcome(WARN, f"{where} answers and is empty: `serve` or `migrate` creates the schema")
    if not current <= known:
        return Outcome(FAIL, f"{where} is at {', '.join(sorted(current))}, which this version does not know: upgrade")
    if head in current:
        return Outcome(OK, f"{where} answers; schema at {head} (latest)")
    behind = [r.revision for r in script.iterate_revisions(head, next(iter(current)))][:-1]
    return Outcome(
        WARN,
        f"{where} answers; schema at {', '.join(sorted(current))}, {len(behind)} migration(s) pending: "
        "`serve` applies them, or run `xero-expense-bot migrate`",
    )


def check_slack_mode(settings: Settings) -> Outcome:
    if settings.slack_app_token is not None:
        return Outcome(OK, "Socket Mode: the bot connects to Slack itself (SLACK_APP_TOKEN); no public URL needed")
    if settings.slack_signing_secret is None:
        return Outcome(FAIL, "SLACK_SIGNING_SECRET is not set: HTTP mode needs it (or set SLACK_APP_TOKEN)")
    return Outcome(OK, f"HTTP: Slack sends everything to {settings.base_url}/slack/events")


def check_public_url(settings: Settings) -> Outcome:
    url = settings.base_url
    if settings.slack_app_token is None and not url.startswith("https://"):
        return Outcome(FAIL, f"{url}: Slack only calls HTTPS URLs; put TLS in front (deploy/Caddyfile)")
    return Outcome(OK, url)


def check_slack(settings: Settings) -> Outcome:
    if settings.slack_bot_token is not None:
        return _slack_outcome(lambda: check_bot_token(settings.slack_api_base, _secret(settings.slack_bot_token)))
    if not settings.multi_workspace:
        return Outcome(FAIL, "SLACK_BOT_TOKEN is not set (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for several)")
    if settings.slack_client_secret is None:
        return Outcome(FAIL, "SLACK_CLIENT_SECRET is not set: it is required with SLACK_CLIENT_ID")
    try:
        WebClient(base_url=settings.slack_api_base, timeout=TIMEOUT_SECONDS).api_test()
    except (SlackApiError, OSError) as error:
        return Outcome(FAIL, f"cannot reach {settings.slack_api_base}: {type(error).__name__}")
    return Outcome(OK, f"multi-workspace: installs at {settings.base_url}/slack/install; Slack answers")


def check_socket_mode(settings: Settings) -> Outcome:
    token = settings.slack_app_token
    return _slack_outcome(lambda: check_app_token(settings.slack_api_base, _secret(token)))


def check_finance_channel(settings: Settings) -> Outcome:
    if settings.multi_workspace:
        return Outcome(OK, "each workspace sets its own in `/xero settings`")
    if settings.finance_channel is None:
        return Outcome(WARN, "FINANCE_CHANNEL is not set: new payments wait until it is (or `/xero settings`)")
    if settings.slack_bot_token is None:
        return Outcome(WARN, f"{settings.finance_channel}: not checked without SLACK_BOT_TOKEN")
    token, channel = _secret(settings.slack_bot_token), settings.finance_channel
    return _slack_outcome(lambda: check_channel(settings.slack_api_base, token, channel))


def check_xero_credentials(settings: Settings) -> Outcome:
    missing = [
        name
        for name, value in (
            ("XERO_CLIENT_ID", settings.xero_client_id),
            ("XERO_CLIENT_SECRET", settings.xero_client_secret),
        )
        if not value
    ]
    if missing:
        return Outcome(FAIL, f"{' and '.join(missing)} not set: `/xero connect` cannot work (Xero developer portal)")
    return Outcome(OK, "XERO_CLIENT_ID and XERO_CLIENT_SECRET set")


def check_xero_redirect(settings: Settings) -> Outcome:
    redirect = settings.redirect_uri
    parsed = urllib.parse.urlsplit(redirect)
    if parsed.scheme != "https" and parsed.netloc.split(":")[0] not in LOCAL_HOSTS:
        return Outcome(FAIL, f"{redirect}: Xero accepts only HTTPS redirect URIs (http only for localhost)")
    return Outcome(OK, f"{redirect} (it must be registered on the Xero app exactly)")


def check_xero(settings: Settings) -> Outcome:
    url = f"{str(settings.xero_api_url).rstrip('/')}/connections"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (urllib.error.URLError, OSError) as error:
        return Outcome(FAIL, f"cannot reach {settings.xero_api_url}: {_reason(error)}")
    if status not in (401, 403):
        return Outcome(FAIL, f"{url} answered {status}, expected 401 without a token")
    return Outcome(OK, f"{settings.xero_api_url} answers")


def check_payments_webhook(settings: Settings) -> Outcome:
    if settings.payments_webhook_secret is None:
        return Outcome(
            WARN, "PAYMENTS_WEBHOOK_SECRET is not set: POST /payments answers 503 (bank-export imports still work)"
        )
    return Outcome(OK, f"signed payments accepted at {settings.base_url}/payments")


def checks_for(settings: Settings) -> list[tuple[str, Check]]:
    checks: list[tuple[str, Check]] = [
        ("settings", check_settings_file),
        ("encryption key", check_encryption_key),
        ("database", check_database),
        ("slack mode", check_slack_mode),
        ("public URL", check_public_url),
        ("slack", check_slack),
    ]
    if settings.slack_app_token is not None:
        checks.append(("socket mode", check_socket_mode))
    checks += [
        ("finance channel", check_finance_channel),
        ("xero app", check_xero_credentials),
        ("xero redirect", check_xero_redirect),
        ("xero", check_xero),
        ("payments webhook", check_payments_webhook),
    ]
    return checks


def run_checks(settings: Settings) -> int:
    levels = []
    for name, check in checks_for(settings):
        outcome = check(settings)
        levels.append(outcome.level)
        print(f"{outcome.level:<5} {name}: {outcome.text}")
    if FAIL in levels:
        return EXIT_FAILED
    return EXIT_WARNINGS if WARN in levels else EXIT_OK


def _slack_outcome(check: Callable[[], str]) -> Outcome:
    try:
        return Outcome(OK, check())
    except SlackCheckFailed as problem:
        return Outcome(FAIL, str(problem))


def _secret(value: object) -> str:
    from pydantic import SecretStr

    assert isinstance(value, SecretStr)
    return value.get_secret_value()


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None)
    return str(reason or type(error).__name__)
