"""The `xero-expense-bot` command line (CONTRACT §3)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import ConfigError, Settings, load_settings
from bot.setup.commands import SETUP_COMMANDS, add_setup_commands, run_setup_command
from storage.crypto import generate_key

if TYPE_CHECKING:
    from bot.imports.sources import CsvChoices


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xero-expense-bot", description="Keep a company's Xero books current from Slack."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the bot (HTTP, or Socket Mode with SLACK_APP_TOKEN)")
    serve.add_argument("--port", type=int, help="HTTP port (default: PORT or 3000)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    commands.add_parser("keygen", help="print a new ENCRYPTION_KEY")
    commands.add_parser("doctor", help="check configuration, database, Slack and Xero")
    demo = commands.add_parser("demo", help="the real bot on a built-in Slack and Xero, with a page to try it")
    demo.add_argument("--port", type=int, default=3000, help="HTTP port of the demo page (default: 3000)")
    importing = commands.add_parser(
        "import",
        help="import outbound payments from a bank export (CSV, OFX, QFX)",
        description="Import the debits of a bank export. The choices that read a CSV layout are kept for its account, "
        "so the next export of the same bank needs no flags.",
    )
    importing.add_argument("file", type=Path, help="the export file")
    importing.add_argument("--account", help="the source account's id (a known account, or a new id)")
    importing.add_argument("--format", choices=["csv", "ofx"], help="default: from the file's content and name")
    importing.add_argument("--team", help="the Slack team id (T…), when several workspaces use this bot")
    importing.add_argument(
        "--dry-run", action="store_true", help="read the file and show the first lines; store nothing"
    )
    importing.add_argument("--currency", help="ISO code of the amounts' currency, when the file does not say")
    importing.add_argument(
        "--date-format", choices=["DMY", "MDY", "YMD"], type=str.upper, help="order of numeric dates"
    )
    importing.add_argument("--sign", help="negative-is-out, positive-is-out, or the column that says debit or credit")
    importing.add_argument("--decimal", choices=[".", ","], help="the amounts' decimal mark")
    importing.add_argument("--header-row", type=int, metavar="N", help="the header's line number (0: no header)")
    importing.add_argument("--encoding", help="the file's text encoding (utf-8, windows-1252, …)")
    for name in ("date", "amount", "debit", "credit", "payee", "description"):
        importing.add_argument(f"--{name}-column", metavar="NAME|N", help=f"the {name} column, by header or number")
    add_setup_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "keygen":
        print(generate_key())
        return 0
    if args.command == "demo":  # needs no settings: it makes its own
        from bot.demo import run_demo

        return run_demo(port=args.port)
    try:
        return run_setup_command(args) if args.command in SETUP_COMMANDS else _run(args)
    except ConfigError as error:
        print(f"xero-expense-bot: {error}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from bot.logs import configure_logging

    settings = load_settings()
    # A command other than `serve` prints its own result; the log says only what went wrong (or all, at DEBUG).
    level = settings.log_level if args.command == "serve" or settings.log_level.upper() == "DEBUG" else "WARNING"
    configure_logging(level, _secret_values(settings), fmt=settings.log_format)
    if args.command == "serve":
        from bot.server import serve

        serve(settings, port=args.port)
        return 0
    if args.command == "migrate":
        from bot.bootstrap import build_deps
        from bot.coding.backfill import fill_payee_keys
        from storage.migrate import upgrade

        deps = build_deps(settings)
        upgrade(deps.engine)
        fill_payee_keys(deps.uow)  # payments from before migration 0011
        print("database schema is up to date")
        return 0
    if args.command == "import":
        return _import(settings, args)
    if args.command == "doctor":
        from bot.doctor import run_checks

        return run_checks(settings)
    raise AssertionError(args.command)


def _csv_choices(args: argparse.Namespace) -> CsvChoices:
    """What the command line says about a CSV export's layout (anything not given is detected)."""
    from bot.imports.sources import CsvChoices

    return CsvChoices(
        date_format=args.date_format,
        currency=args.currency,
        date_column=args.date_column,
        amount_column=args.amount_column,
        debit_column=args.debit_column,
        credit_column=args.credit_column,
        payee_column=args.payee_column,
        description_column=args.description_column,
        sign=args.sign,
        decimal=args.decimal,
        header_row=args.header_row,
        encoding=args.encoding,
    )


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.bootstrap import build_deps, build_services
    from bot.errors import DomainError
    from bot.imports.importer import Importer, ProgressBar
    from bot.imports.sources import ExportFile
    from storage.migrate import upgrade

    deps = build_deps(settings)
    upgrade(deps.engine)
    services = build_services(settings, deps)
    choices = _csv_choices(args)
    importer = Importer(uow=deps.uow, ingest=services.ingest)
    try:
        workspace_id = services.workspaces.for_incoming(args.team, choose_with="--team")
        reader = importer.open(
            ExportFile.at(args.file),
            workspace_id=workspace_id,
            account_id=args.account,
            fmt=args.format,
            choices=choices,
        )
        summary = importer.run(
            reader, workspace_id=workspace_id, dry_run=args.dry_run, progress=None if args.dry_run else ProgressBar()
        )
    except DomainError as problem:
        print(f"xero-expense-bot: {problem.message}", file=sys.stderr)
        return 1
    except SQLAlchemyError as failure:
        print(
            f"xero-expense-bot: the database failed during the import ({type(failure).__name__}); the batches stored "
            "before are kept: check DATABASE_URL and import the file again",
            file=sys.stderr,
        )
        return 1
    print("\n".join(summary.lines()))
    return 0 if summary.complete else 1


def _secret_values(settings: object) -> list[str]:
    from pydantic import SecretStr

    values = [value.get_secret_value() for value in vars(settings).values() if isinstance(value, SecretStr)]
    return [part for value in values for part in value.split(",")]


if __name__ == "__main__":
    sys.exit(main())
