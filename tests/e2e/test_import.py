"""`xero-expense-bot import FILE` as an operator runs it: the installed script against sample and hostile exports."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.crypto import KeyRing
from storage.db import create_engine, session_factory
from storage.models import ImportProfile, Payment, SourceAccount
from tests.e2e.cli_support import run_cli, serving_env

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def env(clean_env: dict[str, str], tmp_path: Path, fakes: tuple[FakeSlack, XeroEmulator]) -> dict[str, str]:
    slack, xero = fakes
    return serving_env(clean_env, slack, xero, tmp_path)


def rows(env: dict[str, str], model: type) -> list:  # type: ignore[type-arg]
    engine = create_engine(env["DATABASE_URL"], KeyRing.from_setting(env["ENCRYPTION_KEY"]))
    with session_factory(engine)() as session:
        found = list(session.query(model).order_by(model.id))
    engine.dispose()
    return found


def test_a_csv_export_imports_its_debits_says_which_lines_were_not_and_reimporting_is_a_no_op(
    env: dict[str, str], tmp_path: Path
) -> None:
    first = run_cli("import", str(DATA / "bank-export.csv"), "--account", "acc-sgd-1", env=env, cwd=tmp_path)

    assert first.returncode == 1, first.stderr
    assert first.stdout.splitlines() == [
        "bank-export.csv: 12 lines: 8 new, 0 already imported, 2 credits (money in) skipped, 1 skipped, 1 invalid",
        'bank-export.csv line 8: amount "-12.345" has more decimal places than SGD allows (2)',
        'bank-export.csv line 10 skipped: amount "0.00" is zero: neither money out nor in',
        "Fix the invalid lines (or pass the flags they need) and import bank-export.csv again: the lines already "
        "imported are recognised and not stored twice.",
    ]
    assert "stored 12/12 lines (100%)" in first.stderr
    assert "Traceback" not in first.stderr
    stored = rows(env, Payment)
    assert len(stored) == 8
    assert stored[1].amount == Decimal("1234.56") and stored[1].payee == "Amazon Web Services"

    again = run_cli("import", str(DATA / "bank-export.csv"), "--account", "acc-sgd-1", env=env, cwd=tmp_path)
    assert again.stdout.splitlines()[0].startswith("bank-export.csv: 12 lines: 0 new, 8 already imported")
    assert len(rows(env, Payment)) == 8


def test_an_ofx_statement_uses_its_own_account_and_fitids(env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("import", str(DATA / "statement.ofx"), env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "statement.ofx: 6 lines: 4 new, 0 already imported, 2 credits (money in) skipped, 0 skipped, 0 invalid"
    ]
    [account] = rows(env, SourceAccount)
    assert account.external_id == "0721234567" and account.currency == "SGD"
    again = run_cli("import", str(DATA / "statement.ofx"), env=env, cwd=tmp_path)
    assert again.stdout.startswith("statement.ofx: 6 lines: 0 new, 4 already imported")


def test_a_choice_only_a_person_can_make_is_asked_for_once_and_kept_for_the_account(
    env: dict[str, str], tmp_path: Path
) -> None:
    march = tmp_path / "knab-march.csv"
    march.write_text("KNAB EXPORT;;\nDatum;Tegenrekeninghouder;Bedrag\n05-03-2021;Albert Heijn;-12,50\n")
    april = tmp_path / "knab-april.csv"
    april.write_text("KNAB EXPORT;;\nDatum;Tegenrekeninghouder;Bedrag\n01-04-2021;Jumbo;-4,20\n02-04-2021;Hema;-1,00\n")

    refused = run_cli("import", str(march), "--account", "knab", env=env, cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1] == (
        "xero-expense-bot: knab-march.csv needs a choice only a person can make: --date-format DMY or MDY (every date "
        'reads both ways, such as "05-03-2021" on line 3); --currency CODE (nothing in knab-march.csv says which '
        "currency its amounts are in)"
    )
    assert rows(env, Payment) == []

    told = run_cli(
        "import", str(march), "--account", "knab", "--date-format", "dmy", "--currency", "EUR", env=env, cwd=tmp_path
    )
    assert told.returncode == 0, told.stderr
    next_month = run_cli("import", str(april), env=env, cwd=tmp_path)

    assert next_month.returncode == 0, next_month.stderr
    assert next_month.stdout.startswith("knab-april.csv: 2 lines: 2 new")
    assert [(p.payee, p.date.isoformat(), p.currency) for p in rows(env, Payment)] == [
        ("Albert Heijn", "2021-03-05", "EUR"),
        ("Jumbo", "2021-04-01", "EUR"),
        ("Hema", "2021-04-02", "EUR"),
    ]
    [profile] = rows(env, ImportProfile)
    assert profile.account_external_id == "knab" and profile.mapping["date_order"] == "DMY"


def test_a_dry_run_shows_how_the_file_is_read_and_stores_nothing(env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(
        "import", str(DATA / "bank-export.csv"), "--account", "acc-sgd-1", "--dry-run", env=env, cwd=tmp_path
    )

    out = result.stdout.splitlines()
    assert out[0].startswith("Dry run, nothing stored. bank-export.csv: 12 lines: 8 would be new")
    assert '  date: "Date", DMY order' in out
    assert "  line 2: 2026-11-02 SGD 45.00 to Figma (Figma Professional (3 editors))" in out
    assert rows(env, Payment) == [] and rows(env, ImportProfile) == []


def test_a_nul_byte_is_one_lines_problem_not_a_traceback(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"Date,Payee,Amount,Currency\n2026-11-03,Ev\x00il,-1.00,SGD\n2026-11-04,Good,-2.00,SGD\n")

    result = run_cli("import", str(path), "--account", "ops", env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert 'nul.csv line 2: payee "Ev\\x00il" contains a NUL byte: remove it from the file' in result.stdout
    assert [p.payee for p in rows(env, Payment)] == ["Good"]


def test_escape_codes_in_a_file_never_reach_the_terminal(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "\x1b[31mred.csv"
    path.write_text("Date,Payee,Amount\n2026-11-03,\x1b[2J\x1b]0;pwned\x07Shop,-1.00\n2026-11-03,Shop,-1.00x\x1b[0m\n")

    result = run_cli("import", str(path), "--account", "ops", "--currency", "SGD", env=env, cwd=tmp_path)

    assert result.returncode == 1
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream and "\x07" not in stream
    assert "\\x1b[2J" in result.stdout


def test_files_that_cannot_be_imported_say_why_in_one_line(env: dict[str, str], tmp_path: Path) -> None:
    no_account = run_cli("import", str(DATA / "bank-export.csv"), env=env, cwd=tmp_path)
    missing = run_cli("import", str(tmp_path / "nope.csv"), env=env, cwd=tmp_path)
    zipped = tmp_path / "export.csv"
    zipped.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    archive = run_cli("import", str(zipped), "--account", "ops", env=env, cwd=tmp_path)

    for result, words in (
        (no_account, "--account ID"),
        (missing, "no file at"),
        (archive, "export.csv is a ZIP archive"),
    ):
        assert result.returncode == 1
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("xero-expense-bot:") and words in last
        assert "Traceback" not in result.stderr and "codec" not in last and "<_io" not in last
    assert rows(env, Payment) == []
