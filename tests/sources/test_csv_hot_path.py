"""
The CSV importer's hot path (an ordinary line built straight into its payment) reads every line exactly as the full
path does: the same payments, the same refusals with the same reasons, line for line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.imports.sources.csv_lines as csv_lines
from bot.imports.sources import CsvChoices, ParsedExport, parse_export
from bot.payments.input import SourceAccountIn

LINES = [
    "2026-11-03,Figma,Plan,-45.00,SGD,R1,,",
    "2026-11-03,Figma,Plan,-45.00,SGD,R1,,",  # the same line again: its own payment
    "2026-11-04,Grab,,-12.340,SGD,,,",  # a zero past the minor units
    "2026-11-04,Grab,,-12.345,SGD,,,",  # a digit past them: refused
    "2026-11-05,,Only a description,-3.10,,,,",  # payee from the description
    "2026-11-05,,,-3.10,,,,",  # nobody paid: refused
    "2026-11-06,Zoom,,-9.99,USD,,,",  # another currency than the account's: refused
    "2026-11-06,Zoom,,-9.99,sgd,,,",
    "2026-11-07,Tab\tInside,,-1.00,SGD,,,",  # flattened by the full path
    "2026-11-07,Bell\x07,,-1.00,SGD,,,",  # a control character: refused
    "2026-11-08," + "P" * 300 + ",,-1.00,SGD,,,",  # too long a payee: refused
    "2026-11-08,Notion,,-1.00,SGD," + "R" * 300 + ",,",
    "2026-11-09,Notion,,-1.00,SGD,,Software,Ann@Example.COM",
    "2026-11-09,Notion,,-1.00,SGD,,,not-an-email",
    "2026-11-10,Notion,,-0.00,SGD,,,",
    "2026-11-10,Notion,,12.00,SGD,,,",
    "2026-11-31,Notion,,-1.00,SGD,,,",  # no such date
    ",Notion,,-1.00,SGD,,,",
    "2026-11-11,Notion,,-1 234.50,SGD,,,",
    "2026-11-11,Notion,,-S$7.00,SGD,,,",
    "2026-11-11,Notion,,-€7.00,SGD,,,",  # the amount names another currency
    "2026-11-12,  Spaced  ,  Desc  ,-2.00,SGD,,,",
    "2026-11-12,Notion,,-9999999999999.99,SGD,,,",  # the most the webhook takes
    "2026-11-12,Notion,,-99999999999999.99,SGD,,,",  # a digit more: refused
]
HEADER = "Date,Payee,Description,Amount,Currency,Reference,Category,Email\n"


def both_ways(path: Path, monkeypatch: pytest.MonkeyPatch, **kwargs: object) -> tuple[ParsedExport, ParsedExport]:
    fast = parse_export(path, **kwargs)  # type: ignore[arg-type]
    with monkeypatch.context() as patched:
        patched.setattr(csv_lines, "_plain_account", lambda plan: False)
        full = parse_export(path, **kwargs)  # type: ignore[arg-type]
    return fast, full


def test_ordinary_and_odd_lines_read_the_same_on_the_hot_path_and_the_full_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(HEADER + "\n".join(LINES) + "\n", encoding="utf-8")

    fast, full = both_ways(path, monkeypatch, account_id="ops", choices=CsvChoices(currency="SGD"))

    assert fast == full
    assert [line for line, _ in fast.payments] == [2, 3, 4, 6, 9, 10, 14, 20, 21, 23, 24]
    assert [line for line, _ in fast.invalid] == [5, 7, 8, 11, 12, 13, 15, 18, 19, 22, 25]
    assert fast.payments[0][1].amount == fast.payments[1][1].amount and fast.payments[0][1].id != fast.payments[1][1].id


def test_a_known_account_and_a_yen_account_read_the_same_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "yen.csv"
    path.write_text("Date,Payee,Amount\n2026-11-03,Shop,-1200\n2026-11-03,Shop,-1200.50\n2026-11-04,Shop,-7.00\n")

    fast, full = both_ways(path, monkeypatch, account=SourceAccountIn("jp-1", "Tokyo", "JPY"))

    assert fast == full
    assert [str(payment.amount) for _, payment in fast.payments] == ["1200", "7"]
    assert [line for line, _ in fast.invalid] == [3]


def test_every_csv_of_the_corpus_reads_the_same_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.sources.test_corpus import CORPUS, EXPECTED, Imports, Refused

    if not CORPUS.is_dir():
        pytest.skip(f"no bank export corpus at {CORPUS}")
    compared = 0
    for name, expected in sorted(EXPECTED.items()):
        readable = expected.then if isinstance(expected, Refused) else expected
        if not name.lower().endswith(".csv") or not isinstance(readable, Imports):
            continue
        fast, full = both_ways(
            CORPUS / name, monkeypatch, account_id=readable.account, choices=CsvChoices(**readable.flags)
        )
        assert fast == full, name
        compared += 1
    assert compared >= 10
