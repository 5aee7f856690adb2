"""`xero-expense-bot import FILE` as an operator runs it: the installed script against the sample exports."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot.sandbox.slack import FakeSlack
from bot.sandbox.xero import XeroEmulator
from storage.crypto import KeyRing
from storage.db import create_engine, session_factory
from storage.models import Payment, SourceAccount
from tests.e2e.cli_support import run_cli, serving_env

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def env(clean_env: dict[str, str], tmp_path: Path, fakes: tuple[FakeSlack, XeroEmulator]) -> dict[str, str]:
    slack, xero = fakes
    return serving_env(clean_env, slack, xero, tmp_path)


def payments(env: dict[str, str]) -> list[Payment]:
    engine = create_engine(env["DATABASE_URL"], KeyRing.from_setting(env["ENCRYPTION_KEY"]))
    with session_factory(engine)() as session:
        found = list(session.query(Payment).order_by(Payment.id))
    engine.dispose()
    return found


def test_a_csv_export_imports_its_debits_and_reimporting_is_a_no_op(env: dict[str, str], tmp_path: Path) -> None:
    first = run_cli("import", str(DATA / "bank-export.csv"), "--account", "acc-sgd-1", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == "8 new, 0 already imported (duplicates), 2 credits skipped, 2 invalid"
    assert lines[1].startswith("  invalid line 8: amount") and "more decimal places than SGD allows" in lines[1]
    assert lines[2].startswith("  invalid line 10: amount")
    assert "read 12/12 lines (100%)" in first.stderr or "lines" in first.stderr
    stored = payments(env)
    assert len(stored) == 8
    assert stored[1].amount == Decimal("1234.56") and stored[1].payee == "Amazon Web Services"
    assert all(p.currency == "SGD" for p in stored)

    again = run_cli("import", str(DATA / "bank-export.csv"), "--account", "acc-sgd-1", env=env, cwd=tmp_path)
    assert again.returncode == 0
    assert again.stdout.splitlines()[0] == "0 new, 8 already imported (duplicates), 2 credits skipped, 2 invalid"
    assert len(payments(env)) == 8


def test_an_ofx_statement_uses_its_own_account_and_fitids(env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("import", str(DATA / "statement.ofx"), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "4 new, 0 already imported (duplicates), 2 credits skipped, 0 invalid"
    stored = payments(env)
    engine = create_engine(env["DATABASE_URL"], KeyRing.from_setting(env["ENCRYPTION_KEY"]))
    with session_factory(engine)() as session:
        [account] = session.query(SourceAccount).all()
    engine.dispose()
    assert account.external_id == "0721234567" and account.currency == "SGD"
    assert len({p.external_id for p in stored}) == 4
    again = run_cli("import", str(DATA / "statement.ofx"), env=env, cwd=tmp_path)
    assert again.stdout.splitlines()[0].startswith("0 new, 4 already imported")


def test_a_file_that_cannot_be_imported_says_why_in_one_line(env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("import", str(DATA / "bank-export.csv"), env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("xero-expense-bot:")
    assert "--account" in result.stderr
    missing = run_cli("import", str(tmp_path / "nope.csv"), env=env, cwd=tmp_path)
    assert missing.returncode == 1 and "no file at" in missing.stderr
    assert payments(env) == []
