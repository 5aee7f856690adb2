"""The setup commands' arguments and dispatch, so `bot.cli` only registers them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.settings import Settings, load_settings

SETUP_COMMANDS = ("init", "manifest", "rotate-key")


def add_setup_commands(commands: Any) -> None:
    """Add `init`, `manifest` and `rotate-key` to the CLI's subparsers."""
    from bot.setup.init import add_arguments

    init = commands.add_parser(
        "init",
        help="guided setup that writes .env",
        description="Ask for (or, with --non-interactive, take from flags and the environment) what the bot needs, "
        "check the Slack tokens, and write .env. Secrets are never echoed.",
    )
    add_arguments(init)
    manifest = commands.add_parser("manifest", help="print the Slack app manifest for this deployment")
    manifest.add_argument("--url", help="the bot's public URL (default: PUBLIC_URL)")
    manifest.add_argument(
        "--socket-mode",
        action="store_true",
        help="Slack talks to the bot over Socket Mode (the default when SLACK_APP_TOKEN is set)",
    )
    rotate = commands.add_parser(
        "rotate-key", help="re-encrypt stored tokens and receipts under the first key of ENCRYPTION_KEY"
    )
    rotate.add_argument("--batch-size", type=int, default=100, help="rows re-encrypted per transaction")
    rotate.add_argument(
        "--forget-unreadable",
        action="store_true",
        help="after a lost key: clear the Xero sign-ins, receipt files and Slack tokens no configured key opens",
    )


def run_setup_command(args: argparse.Namespace) -> int:
    if args.command == "init":
        from bot.setup.init import run_init

        return run_init(args, env_file=Path(".env"))
    if args.command == "manifest":
        from bot.setup.manifest import print_manifest

        return print_manifest(load_settings(), url=args.url, socket_mode=args.socket_mode)
    if args.command == "rotate-key":
        from bot.setup.rotate_key import run_rotate_key

        settings = _quiet_settings()
        return run_rotate_key(settings, batch_size=args.batch_size, forget_unreadable=args.forget_unreadable)
    raise AssertionError(args.command)


def _quiet_settings() -> Settings:
    """The settings, with logging that says only what went wrong (these commands print their own result)."""
    from pydantic import SecretStr

    from bot.logs import configure_logging

    settings = load_settings()
    secrets = [value.get_secret_value() for value in vars(settings).values() if isinstance(value, SecretStr)]
    level = "DEBUG" if settings.log_level.upper() == "DEBUG" else "WARNING"
    configure_logging(level, [part for value in secrets for part in value.split(",")], fmt=settings.log_format)
    return settings
