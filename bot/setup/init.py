"""`init`: a guided setup that writes `.env`, checking the Slack tokens as it goes and never echoing a secret."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from dotenv import dotenv_values

from bot.settings import ConfigError, load_settings
from bot.setup.slack_checks import SlackCheckFailed, check_app_token, check_bot_token, check_channel
from storage.crypto import generate_key

LAPTOP_URL = "http://localhost:3000"
DEFAULT_SLACK_API = "https://slack.com/api/"
# Values init asks for or makes, in the order they are written; every other line of an existing .env is kept.
MANAGED = (
    "ENCRYPTION_KEY",
    "DATABASE_URL",
    "PUBLIC_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "XERO_CLIENT_ID",
    "XERO_CLIENT_SECRET",
    "FINANCE_CHANNEL",
    "PAYMENTS_WEBHOOK_SECRET",
)
SECRETS = {"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "XERO_CLIENT_SECRET"}


class SetupRefused(Exception):
    """init cannot go on; the message is one line for the operator."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--non-interactive",
        action="store_true",
        help="ask nothing: take each value from its flag, else from the environment variable of the same name",
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing .env without asking")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--socket-mode", action="store_true", help="a laptop or a server Slack cannot reach (SLACK_APP_TOKEN)"
    )
    mode.add_argument("--http", action="store_true", help="a server Slack reaches at PUBLIC_URL over HTTPS")
    parser.add_argument("--public-url", help=f"the bot's address (Socket Mode default: {LAPTOP_URL})")
    parser.add_argument("--database-url", help="default: a SQLite file next to .env")
    parser.add_argument("--finance-channel", help="the channel ID (C…) new payments are posted to")
    parser.add_argument("--xero-client-id", help="the Xero app's client id")
    # Secrets: prefer the environment variables, since a flag's value shows in the process list.
    parser.add_argument("--slack-bot-token", help="xoxb-… (or SLACK_BOT_TOKEN in the environment)")
    parser.add_argument("--slack-app-token", help="xapp-… (or SLACK_APP_TOKEN in the environment)")
    parser.add_argument("--slack-signing-secret", help="(or SLACK_SIGNING_SECRET in the environment)")
    parser.add_argument("--xero-client-secret", help="(or XERO_CLIENT_SECRET in the environment)")


class Prompter:
    """Where answers come from: the terminal (secrets through getpass, so they are not echoed), or flags and
    the environment with --non-interactive."""

    def __init__(self, args: argparse.Namespace, current: dict[str, str]) -> None:
        self.interactive = not args.non_interactive
        self.args = args
        self.current = current

    def value(
        self, name: str, question: str, default: str | None = None, check: Callable[[str], str] | None = None
    ) -> str:
        """A value; `check` returns what to tell the operator, or raises SetupRefused/SlackCheckFailed."""
        given = getattr(self.args, name.lower(), None) or os.environ.get(name)
        if not self.interactive:
            value = given or self.current.get(name) or default
            if not value:
                raise SetupRefused(f"{name} is needed: pass --{name.lower().replace('_', '-')} or set {name}")
            self._check(value, check)
            return value
        known = given or self.current.get(name) or default
        while True:
            if name in SECRETS:
                hint = " (Enter keeps the current one)" if known else ""
                answer = getpass.getpass(f"{question}{hint}: ").strip()
            else:
                hint = f" [{known}]" if known else ""
                answer = input(f"{question}{hint}: ").strip()
            value = answer or known or ""
            if not value:
                print("  a value is needed")
                continue
            try:
                self._check(value, check)
            except (SetupRefused, SlackCheckFailed) as problem:
                print(f"  {problem}")
                continue
            return value

    def choice(self, question: str) -> bool:
        if not self.interactive:
            return False
        return input(f"{question} [y/N]: ").strip().lower() in ("y", "yes")

    @staticmethod
    def _check(value: str, check: Callable[[str], str] | None) -> None:
        if check is not None:
            said = check(value)
            if said:
                print(f"  {said}")


def run_init(args: argparse.Namespace, *, env_file: Path) -> int:
    try:
        written = _setup(args, env_file.resolve())
    except (SetupRefused, SlackCheckFailed) as problem:
        print(f"xero-expense-bot: {problem}", file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("\nxero-expense-bot: setup stopped; nothing was written", file=sys.stderr)
        return 1
    print(f"wrote {written} (readable by you only; it holds secrets: keep it out of version control)")
    print("next: `xero-expense-bot doctor` checks everything, then `xero-expense-bot serve` runs the bot")
    return 0


def _setup(args: argparse.Namespace, env_file: Path) -> Path:
    current = {k: v for k, v in dotenv_values(env_file).items() if v is not None} if env_file.exists() else {}
    ask = Prompter(args, current)
    if env_file.exists() and not args.force and not ask.choice(f"{env_file} exists. Overwrite it (its keys are kept)?"):
        raise SetupRefused(f"{env_file} exists: pass --force to overwrite it (its ENCRYPTION_KEY is kept)")
    api_url = os.environ.get("SLACK_API_URL") or current.get("SLACK_API_URL") or DEFAULT_SLACK_API

    socket_mode = _socket_mode(args, ask, current)
    values: dict[str, str] = {
        # A key already in use is kept: a new one would make the stored tokens and receipts unreadable.
        "ENCRYPTION_KEY": os.environ.get("ENCRYPTION_KEY") or current.get("ENCRYPTION_KEY") or generate_key(),
        "DATABASE_URL": args.database_url
        or os.environ.get("DATABASE_URL")
        or current.get("DATABASE_URL")
        or f"sqlite:///{env_file.parent / 'xero-expense-bot.db'}",
    }
    if ask.interactive:
        mode = "--socket-mode" if socket_mode else "--url https://your.host"
        print(f"Create the Slack app first: `xero-expense-bot manifest {mode}` prints its manifest for")
        print("https://api.slack.com/apps → Create New App → From an app manifest; then install it to the workspace.")
    values["PUBLIC_URL"] = ask.value(
        "PUBLIC_URL",
        "The bot's public URL" + (" (Xero sends the admin back here)" if socket_mode else " (HTTPS)"),
        LAPTOP_URL if socket_mode else None,
        check=lambda url: _public_url(url, socket_mode),
    )
    values.update(_slack_tokens(ask, api_url, socket_mode))
    if ask.interactive:
        print("Xero: at https://developer.xero.com/app/manage create a Web app (or open yours).")
    values["XERO_CLIENT_ID"] = ask.value("XERO_CLIENT_ID", "Xero client id")
    values["XERO_CLIENT_SECRET"] = ask.value("XERO_CLIENT_SECRET", "Xero client secret")
    print(f"Register this redirect URI on the Xero app: {values['PUBLIC_URL'].rstrip('/')}/xero/callback")
    values["FINANCE_CHANNEL"] = ask.value(
        "FINANCE_CHANNEL",
        "Finance channel ID (C…: the channel's details, at the bottom; invite the bot there first)",
        check=lambda channel: check_channel(api_url, values["SLACK_BOT_TOKEN"], _channel(channel)),
    )
    values["PAYMENTS_WEBHOOK_SECRET"] = (
        os.environ.get("PAYMENTS_WEBHOOK_SECRET") or current.get("PAYMENTS_WEBHOOK_SECRET") or secrets.token_urlsafe(32)
    )
    _validate(values)
    _write(env_file, values, current)
    print("PAYMENTS_WEBHOOK_SECRET is in the file: give it to the system that sends payments to /payments")
    return env_file


def _slack_tokens(ask: Prompter, api_url: str, socket_mode: bool) -> dict[str, str]:
    """The bot token, then the app-level token (Socket Mode) or the signing secret (HTTP), each checked."""
    values = {
        "SLACK_BOT_TOKEN": ask.value(
            "SLACK_BOT_TOKEN",
            "Bot User OAuth Token (xoxb-…, OAuth & Permissions)",
            check=lambda token: check_bot_token(api_url, _shaped(token, "xoxb-", "SLACK_BOT_TOKEN")),
        )
    }
    if socket_mode:
        values["SLACK_APP_TOKEN"] = ask.value(
            "SLACK_APP_TOKEN",
            "App-level token with connections:write (xapp-…, Basic Information → App-Level Tokens)",
            check=lambda token: check_app_token(api_url, _shaped(token, "xapp-", "SLACK_APP_TOKEN")),
        )
    else:
        values["SLACK_SIGNING_SECRET"] = ask.value("SLACK_SIGNING_SECRET", "Signing Secret (Basic Information)")
    return values


def _socket_mode(args: argparse.Namespace, ask: Prompter, current: dict[str, str]) -> bool:
    if args.socket_mode or args.http:
        return bool(args.socket_mode)
    if not ask.interactive:
        return bool(os.environ.get("SLACK_APP_TOKEN") or current.get("SLACK_APP_TOKEN"))
    print("Socket Mode: the bot connects to Slack itself, so it needs no public address (a laptop).")
    print("HTTP: Slack sends requests to the bot's public HTTPS URL (a server behind a TLS proxy).")
    while True:
        answer = input("Socket Mode or HTTP? [socket/http]: ").strip().lower()
        if answer in ("socket", "s", "socket mode"):
            return True
        if answer in ("http", "h"):
            return False


def _public_url(url: str, socket_mode: bool) -> str:
    if not url.startswith(("http://", "https://")):
        raise SetupRefused(f"{url!r} is not a URL: it looks like https://bot.example.com")
    if not socket_mode and not url.startswith("https://"):
        raise SetupRefused(
            "over HTTP Slack only calls HTTPS URLs: put TLS in front (deploy/Caddyfile) and use https://"
        )
    return ""


def _shaped(token: str, prefix: str, name: str) -> str:
    if not token.startswith(prefix):
        raise SetupRefused(f"{name} starts with {prefix}")
    return token


def _channel(channel: str) -> str:
    if channel[:1] not in ("C", "G") or not channel.isalnum() or channel.upper() != channel:
        raise SetupRefused("a channel ID looks like C0123456789 (not the #name)")
    return channel


def _validate(values: dict[str, str]) -> None:
    try:
        load_settings(_env_file=None, **{name.lower(): value for name, value in values.items()})
    except ConfigError as error:
        raise SetupRefused(str(error)) from None


def _write(env_file: Path, values: dict[str, str], current: dict[str, str]) -> None:
    lines = ["# Written by `xero-expense-bot init`. It holds secrets: keep it readable by the bot's user only."]
    lines += [f"{name}={_quoted(values[name])}" for name in MANAGED if name in values]
    kept = {name: value for name, value in current.items() if name not in MANAGED}
    if kept:
        lines.append("# kept from the previous .env")
        lines += [f"{name}={_quoted(value)}" for name, value in kept.items()]
    temporary = env_file.with_name(env_file.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    os.replace(temporary, env_file)


def _quoted(value: str) -> str:
    if all(c.isalnum() or c in "-_.:/+=@,~" for c in value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
