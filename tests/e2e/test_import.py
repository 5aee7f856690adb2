"""`xero-expense-bot import FILE` as an operator runs it: the installed script, a process of its own, imports a bank
export and a second run is a no-op. What the command says for other and hostile exports (OFX, a choice only a
person can make, dry runs, NUL bytes, escape codes, files it cannot read) is tests/bot/test_import_command.py."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.crypto import KeyRing
from storage.db import create_engine, session_factory
from storage.models import Payment
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
