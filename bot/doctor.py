"""`doctor`: one line per check, so an operator sees at a glance what is wrong and what to do."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.bootstrap import build_deps
from bot.settings import ConfigError, Settings
from bot.slack.clients import slack_client
from storage.db import ping
from storage.migrate import pending_revisions

Check = Callable[[Settings], str]
TIMEOUT_SECONDS = 10


class CheckFailed(Exception):
    pass


def check_configuration(settings: Settings) -> str:
    try:
        settings.require_serving()
    except ConfigError as error:
        raise CheckFailed(str(error)) from None
    mode = "Socket Mode" if settings.slack_app_token else "HTTP"
    workspaces = "multi-workspace" if settings.multi_workspace else "single workspace"
    return f"{mode}, {workspaces}, public URL {settings.base_url}"


def check_database(settings: Settings) -> str:
    try:
        deps = build_deps(settings)
        ping(deps.engine)
        pending = pending_revisions(deps.engine)
    except SQLAlchemyError as error:
        raise CheckFailed(f"cannot reach {_safe_url(settings.database_url)}: {type(error).__name__}") from None
    if pending:
        name = deps.engine.dialect.name
        return f"{name} answers; {len(pending)} migration(s) pending (run `xero-expense-bot migrate`)"
    return f"{deps.engine.dialect.name} answers; schema up to date"


def check_slack(settings: Settings) -> str:
    if settings.slack_bot_token is None:
        client = slack_client(settings)
        try:
            client.api_test()
        except (SlackApiError, OSError) as error:
            raise CheckFailed(f"cannot reach {settings.slack_api_base}: {_reason(error)}") from None
        return f"{settings.slack_api_base} answers (multi-workspace: tokens come from installs)"
    client = slack_client(settings, settings.slack_bot_token.get_secret_value())
    try:
        identity = client.auth_test()
    except SlackApiError as error:
        raise CheckFailed(f"auth.test refused the bot token: {error.response.get('error')}") from None
    except OSError as error:
        raise CheckFailed(f"cannot reach {settings.slack_api_base}: {_reason(error)}") from None
    return f"auth.test OK: bot {identity.get('user')} in {identity.get('team')}"


def check_xero(settings: Settings) -> str:
    url = f"{str(settings.xero_api_url).rstrip('/')}/connections"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (urllib.error.URLError, OSError) as error:
        raise CheckFailed(f"cannot reach {settings.xero_api_url}: {_reason(error)}") from None
    if status not in (401, 403):
        raise CheckFailed(f"{url} answered {status}, expected 401 without a token")
    credentials = (
        "app credentials set"
        if settings.xero_client_id and settings.xero_client_secret
        else ("XERO_CLIENT_ID/XERO_CLIENT_SECRET not set yet: needed to connect")
    )
    return f"{settings.xero_api_url} answers; {credentials}"


CHECKS: list[tuple[str, Check]] = [
    ("configuration", check_configuration),
    ("database", check_database),
    ("slack", check_slack),
    ("xero", check_xero),
]


def run_checks(settings: Settings) -> int:
    failed = 0
    for name, check in CHECKS:
        try:
            print(f"ok    {name}: {check(settings)}")
        except CheckFailed as problem:
            failed += 1
            print(f"FAIL  {name}: {problem}")
    return 1 if failed else 0


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None)
    return str(reason or type(error).__name__)


def _safe_url(url: str) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
