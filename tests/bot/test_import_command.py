"""`xero-expense-bot import FILE`: what the operator reads for sample and hostile exports, the command run in this
process (`bot.cli.main`, as the installed script calls it). The script itself, run as a separate process against
the fakes, is tests/e2e/test_import.py."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.logs import QUIET_LOGGERS
from sandbox.slack import FakeSlack
from storage.models import ImportProfile, Payment, SourceAccount
from storage.uow import UnitOfWorkFactory

DATA = Path(__file__).resolve().parents[1] / "data"
KEEP = {"PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR"}


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """The command configures logging for the process, as the script does: put this process's back after."""
    root = logging.getLogger()
    saved = (logging.getLogRecordFactory(), list(root.handlers), root.level)
    names = (*QUIET_LOGGERS, "alembic.runtime.plugins")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    factory, handlers, level = saved
    logging.setLogRecordFactory(factory)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as started:
        yield started


@pytest.fixture
def run_import(
    slack: FakeSlack,
    database_url: str,
    encryption_key: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restored_logging: None,
) -> Callable[..., Result]:
    """`xero-expense-bot import ARGS…` in an operator's environment: the database, the key, and the bot's Slack
    token (the payments belong to the token's workspace, which the command asks Slack for)."""
    for name in [name for name in os.environ if name not in KEEP]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ENCRYPTION_KEY", encryption_key)
    monkeypatch.setenv("SLACK_BOT_TOKEN", slack.bot_token)
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> Result:
        capsys.readouterr()
        returncode = main(["import", *args])
        out, err = capsys.readouterr()
        return Result(returncode, out, err)

    return run


def rows(uow: UnitOfWorkFactory, model: Any) -> list[Any]:
    with uow() as work:
        return list(work.session.scalars(select(model).order_by(model.id)))


def test_an_ofx_statement_uses_its_own_account_and_fitids(
    run_import: Callable[..., Result], uow: UnitOfWorkFactory
) -> None:
    result = run_import(str(DATA / "statement.ofx"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "statement.ofx: 6 lines: 4 new, 0 already imported, 2 credits (money in) skipped, 0 skipped, 0 invalid"
    ]
    [account] = rows(uow, SourceAccount)
    assert account.external_id == "0721234567" and account.currency == "SGD"
    again = run_import(str(DATA / "statement.ofx"))
    assert again.stdout.startswith("statement.ofx: 6 lines: 0 new, 4 already imported")


def test_a_choice_only_a_person_can_make_is_asked_for_once_and_kept_for_the_account(
    run_import: Callable[..., Result], uow: UnitOfWorkFactory, tmp_path: Path
) -> None:
    march = tmp_path / "knab-march.csv"
    march.write_text("KNAB EXPORT;;\nDatum;Tegenrekeninghouder;Bedrag\n05-03-2021;Albert Heijn;-12,50\n")
    april = tmp_path / "knab-april.csv"
    april.write_text("KNAB EXPORT;;\nDatum;Tegenrekeninghouder;Bedrag\n01-04-2021;Jumbo;-4,20\n02-04-2021;Hema;-1,00\n")

    refused = run_import(str(march), "--account", "knab")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1] == (
        "xero-expense-bot: knab-march.csv needs a choice only a person can make: --date-format DMY or MDY (every date "
        'reads both ways, such as "05-03-2021" on line 3); --currency CODE (nothing in knab-march.csv says which '
        "currency its amounts are in)"
    )
    assert rows(uow, Payment) == []

    told = run_import(str(march), "--account", "knab", "--date-format", "dmy", "--currency", "EUR")
    assert told.returncode == 0, told.stderr
    next_month = run_import(str(april))

    assert next_month.returncode == 0, next_month.stderr
    assert next_month.stdout.startswith("knab-april.csv: 2 lines: 2 new")
    assert [(p.payee, p.date.isoformat(), p.currency) for p in rows(uow, Payment)] == [
        ("Albert Heijn", "2021-03-05", "EUR"),
        ("Jumbo", "2021-04-01", "EUR"),
        ("Hema", "2021-04-02", "EUR"),
    ]
    [profile] = rows(uow, ImportProfile)
    assert profile.account_external_id == "knab" and profile.mapping["date_order"] == "DMY"


def test_a_dry_run_shows_how_the_file_is_read_and_stores_nothing(
    run_import: Callable[..., Result], uow: UnitOfWorkFactory
) -> None:
    result = run_import(str(DATA / "bank-export.csv"), "--account", "acc-sgd-1", "--dry-run")

    out = result.stdout.splitlines()
    assert out[0].startswith("Dry run, nothing stored. bank-export.csv: 12 lines: 8 would be new")
    assert '  date: "Date", DMY order' in out
    assert "  line 2: 2026-11-02 SGD 45.00 to Figma (Figma Professional (3 editors))" in out
    assert rows(uow, Payment) == [] and rows(uow, ImportProfile) == []


def test_a_nul_byte_is_one_lines_problem_not_a_traceback(
    run_import: Callable[..., Result], uow: UnitOfWorkFactory, tmp_path: Path
) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"Date,Payee,Amount,Currency\n2026-11-03,Ev\x00il,-1.00,SGD\n2026-11-04,Good,-2.00,SGD\n")

    result = run_import(str(path), "--account", "ops")  # an exception would fail the test with its traceback

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert 'nul.csv line 2: payee "Ev\\x00il" contains a NUL byte: remove it from the file' in result.stdout
    assert [p.payee for p in rows(uow, Payment)] == ["Good"]


def test_escape_codes_in_a_file_never_reach_the_terminal(run_import: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "\x1b[31mred.csv"
    path.write_text("Date,Payee,Amount\n2026-11-03,\x1b[2J\x1b]0;pwned\x07Shop,-1.00\n2026-11-03,Shop,-1.00x\x1b[0m\n")

    result = run_import(str(path), "--account", "ops", "--currency", "SGD")

    assert result.returncode == 1
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream and "\x07" not in stream
    assert "\\x1b[2J" in result.stdout


def test_files_that_cannot_be_imported_say_why_in_one_line(
    run_import: Callable[..., Result], uow: UnitOfWorkFactory, tmp_path: Path
) -> None:
    no_account = run_import(str(DATA / "bank-export.csv"))
    missing = run_import(str(tmp_path / "nope.csv"))
    zipped = tmp_path / "export.csv"
    zipped.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    archive = run_import(str(zipped), "--account", "ops")

    for result, words in (
        (no_account, "--account ID"),
        (missing, "no file at"),
        (archive, "export.csv is a ZIP archive"),
    ):
        assert result.returncode == 1
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("xero-expense-bot:") and words in last
        assert "Traceback" not in result.stderr and "codec" not in last and "<_io" not in last
    assert rows(uow, Payment) == []
