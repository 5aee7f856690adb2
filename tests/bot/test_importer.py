"""The importer against a real database: every line accounted for, batches, profiles, dry runs and query counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

import bot.imports.importer
import bot.payments.ingest
from bot.clock import SystemClock
from bot.imports.importer import Importer, ImportSummary
from bot.imports.sources import CsvChoices, ExportFile, ExportProblem
from bot.payments.ingest import IngestService
from bot.payments.input import PaymentIn, SourceAccountIn, validate_payment
from storage.models import CategoryMapping, ImportProfile, Payment, SourceAccount
from storage.uow import UnitOfWorkFactory

HEADER = "Date,Payee,Amount\n"


@pytest.fixture
def workspace_id(uow: UnitOfWorkFactory) -> int:
    with uow() as work:
        workspace = work.workspaces.ensure("T0001")
        work.commit()
        return workspace.id


@pytest.fixture
def importer(uow: UnitOfWorkFactory) -> Importer:
    return Importer(uow=uow, ingest=IngestService(uow=uow, clock=SystemClock()))


def run(
    importer: Importer, workspace_id: int, path: Path, dry_run: bool = False, account: str | None = "ops", **flags: Any
) -> ImportSummary:
    reader = importer.open(
        ExportFile.at(path), workspace_id=workspace_id, account_id=account, choices=CsvChoices(**flags)
    )
    return importer.run(reader, workspace_id=workspace_id, dry_run=dry_run)


def stored(uow: UnitOfWorkFactory) -> list[Payment]:
    with uow() as work:
        return list(work.session.scalars(select(Payment).order_by(Payment.id)))


def by_id_list(statement: str) -> bool:
    """A look-up of a batch's ids in one parameter: a JSON list on SQLite, an array on PostgreSQL."""
    flat = " ".join(statement.split())
    return "external_id IN (SELECT value FROM json_each(" in flat or "external_id = ANY (" in flat


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_one_bad_line_never_drops_another_and_the_counts_add_up(
    importer: Importer, workspace_id: int, uow: UnitOfWorkFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.imports.importer, "BATCH", 3)
    lines = [f"2026-11-{day:02d},Shop {day},-{day}.00" for day in range(1, 11)]
    lines[4] = "2026-11-05,Shop 5,-5.001"  # more decimals than SGD has
    lines[6] = "2026-11-07,Client,70.00"
    lines[7] = "2026-11-08,Shop 8,-8.00,extra"
    path = tmp_path / "mixed.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n")

    summary = run(importer, workspace_id, path, currency="SGD")

    assert (summary.total, summary.new, summary.credits, summary.invalid, summary.skipped) == (10, 7, 1, 2, 0)
    assert summary.new + summary.duplicates + summary.credits + summary.invalid + summary.skipped == summary.total
    assert [(line, kind) for line, kind, _ in summary.details] == [(6, "invalid"), (9, "invalid")]
    assert not summary.complete
    assert [p.payee for p in stored(uow)] == ["Shop 1", "Shop 2", "Shop 3", "Shop 4", "Shop 6", "Shop 9", "Shop 10"]
    assert summary.lines()[1] == 'mixed.csv line 6: amount "-5.001" has more decimal places than SGD allows (2)'


def test_reimporting_stores_nothing_twice_and_counts_duplicates(
    importer: Importer, workspace_id: int, uow: UnitOfWorkFactory, tmp_path: Path
) -> None:
    path = tmp_path / "twice.csv"
    path.write_text(HEADER + "2026-11-03,A,-1.00\n2026-11-03,A,-1.00\n2026-11-04,B,-2.00\n")

    first = run(importer, workspace_id, path, currency="SGD")
    again = run(importer, workspace_id, path)

    assert (first.new, first.duplicates) == (3, 0)
    assert (again.new, again.duplicates) == (0, 3)
    assert len(stored(uow)) == 3


def test_an_imported_payment_reads_back_as_one_the_webhook_stored(
    importer: Importer, workspace_id: int, uow: UnitOfWorkFactory, tmp_path: Path
) -> None:
    """Stored in bulk (COPY on PostgreSQL), each column holds what the ORM would have written: JSON lists, exact
    money, the date; and two equal lines of one statement are two payments, neither flagged as the other's copy."""
    path = tmp_path / "coffees.csv"
    path.write_text(HEADER + "2026-11-03,Pret A Manger,-4.50\n2026-11-03,Pret A Manger,-4.50\n")
    run(importer, workspace_id, path, currency="GBP")
    IngestService(uow=uow, clock=SystemClock()).ingest(
        workspace_id,
        [PaymentIn("pay_1", SourceAccountIn("ops", "ops", "GBP"), Decimal("4.50"), "GBP", date(2026, 11, 4), "Pret")],
    )

    first, second, by_webhook = stored(uow)
    for payment in (first, second, by_webhook):
        assert (payment.tracking, payment.split_lines, payment.amount) == ([], [], Decimal("4.50"))
    assert (first.date, second.payee, first.import_run == second.import_run) == (
        date(2026, 11, 3),
        "Pret A Manger",
        True,
    )
    assert (first.duplicate_of_id, second.duplicate_of_id, by_webhook.import_run) == (None, None, None)
    assert by_webhook.duplicate_of_id in (first.id, second.id)


def test_a_multi_currency_export_keeps_every_line_of_the_accounts_currency(
    importer: Importer, workspace_id: int, uow: UnitOfWorkFactory, tmp_path: Path
) -> None:
    path = tmp_path / "wise.csv"
    path.write_text(
        "Date,Payee,Amount,Currency\n2026-11-03,A,-1.00,EUR\n2026-11-03,B,-2.00,USD\n2026-11-04,C,-3.00,EUR\n"
    )

    summary = run(importer, workspace_id, path, account="wise-eur", currency="EUR")

    assert (summary.new, summary.invalid) == (2, 1)
    assert [p.payee for p in stored(uow)] == ["A", "C"]


def test_the_choices_are_kept_for_the_account_and_the_next_export_needs_no_flags(
    importer: Importer, workspace_id: int, uow: UnitOfWorkFactory, tmp_path: Path
) -> None:
    layout = "Datum;Omschrijving;Bedrag\n"
    first = tmp_path / "march.csv"
    first.write_text(layout + "05-03-2021;Albert Heijn;-12,50\n06-03-2021;Bol.com;-3,00\n")
    second = tmp_path / "april.csv"
    second.write_text(layout + "01-04-2021;Jumbo;-4,20\n")

    with pytest.raises(ExportProblem, match="--date-format DMY or MDY"):
        run(importer, workspace_id, first, account="knab", currency="EUR")
    summary = run(importer, workspace_id, first, account="knab", currency="EUR", date_format="DMY")
    assert summary.profile_kept
    with uow() as work:
        [profile] = work.session.scalars(select(ImportProfile))
        assert (profile.account_external_id, profile.mapping["date_order"], profile.mapping["decimal"]) == (
            "knab",
            "DMY",
            ",",
        )

    next_month = run(importer, workspace_id, second, account=None)

    assert next_month.new == 1
    jumbo = stored(uow)[-1]
    assert (jumbo.payee, jumbo.amount, jumbo.date.isoformat()) == ("Jumbo", Decimal("4.20"), "2021-04-01")


def test_a_dry_run_shows_the_first_lines_and_stores_nothing(
    importer: Importer, workspace_id: int, uow: UnitOfWorkFactory, tmp_path: Path
) -> None:
    path = tmp_path / "preview.csv"
    path.write_text(HEADER + "2026-11-03,Figma,-45.00\n2026-11-04,Client,100.00\n")

    summary = run(importer, workspace_id, path, dry_run=True, currency="SGD")

    assert stored(uow) == []
    with uow() as work:
        assert work.session.scalar(select(func.count()).select_from(ImportProfile)) == 0
        assert work.session.scalar(select(func.count()).select_from(SourceAccount)) == 0
    text = summary.lines()
    assert text[0] == (
        "Dry run, nothing stored. preview.csv: 2 lines: 1 would be new, 0 already imported, 1 credits (money in) "
        "skipped, 0 skipped, 0 invalid"
    )
    assert "  line 2: 2026-11-03 SGD 45.00 to Figma" in text
    assert '  amount: "Amount", negative is money out, decimal mark "."' in text


def test_each_batch_is_one_indexed_look_up_and_one_insert(
    importer: Importer,
    workspace_id: int,
    uow: UnitOfWorkFactory,
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bot.imports.importer, "BATCH", 50)
    inserted: list[int] = []
    real_insert = bot.payments.ingest.insert_rows

    def counting_insert(session: Any, table: Any, rows: Any, constants: Any = None) -> None:
        inserted.append(len(rows))
        real_insert(session, table, rows, constants)

    monkeypatch.setattr(bot.payments.ingest, "insert_rows", counting_insert)
    path = tmp_path / "many.csv"
    path.write_text(HEADER + "".join(f"2026-11-03,Shop {n},-{n}.00\n" for n in range(1, 201)))

    with counted_statements(engine) as statements:
        summary = run(importer, workspace_id, path, currency="SGD")

    assert summary.new == 200 and len(stored(uow)) == 200
    look_ups = [s for s in statements if s.lstrip().upper().startswith("SELECT PAYMENTS.EXTERNAL_ID")]
    assert len(look_ups) == 4 and all(by_id_list(s) for s in look_ups)
    assert inserted == [50, 50, 50, 50]
    # Besides, per batch: the earlier coded payments to its merchants, and the payments it may repeat.
    history = [s for s in statements if "FROM payments" in s and "payee_key IN (" in s]
    repeats = [s for s in statements if "FROM payments" in s and ("amount IN (" in s or "amount = ANY (" in s)]
    assert len(history) == 4 and len(repeats) == 4
    assert not [s for s in statements if "FROM payments" in s and not by_id_list(s) and s not in history + repeats]


def test_the_webhooks_idempotency_check_is_one_indexed_query_per_batch(
    uow: UnitOfWorkFactory, workspace_id: int, engine: Engine
) -> None:
    ingest = IngestService(uow=uow, clock=SystemClock())
    account = {"id": "acc-1", "name": "Ops", "currency": "SGD"}

    def payment(number: int) -> PaymentIn:
        raw = {"id": f"p{number}", "account": account, "amount": "1.00", "currency": "SGD", "date": "2026-11-03",
               "payee": "X", "category": "Software"}  # fmt: skip
        checked = validate_payment(raw, number)
        assert isinstance(checked, PaymentIn)
        return checked

    ingest.ingest(workspace_id, [payment(n) for n in range(300)])
    with uow() as work:
        work.session.add(CategoryMapping(workspace_id=workspace_id, category_key="software", category="Software",
                                         account_code="400"))  # fmt: skip
        work.commit()
    with counted_statements(engine) as statements:
        result = ingest.ingest(workspace_id, [payment(n) for n in range(295, 305)])

    assert (len(result.created), len(result.duplicates)) == (5, 5)
    payment_reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM payments" in s]
    mapping_reads = [s for s in statements if "FROM category_mappings" in s]
    # The ids already known, earlier coded payments to the merchant, and payments the new ones may repeat.
    assert len(payment_reads) == 3 and by_id_list(payment_reads[0])
    assert "payee_key IN (" in payment_reads[1]
    assert "json_each(" in payment_reads[2] or "amount = ANY (" in payment_reads[2]  # the amounts in one parameter
    assert len(mapping_reads) == 1
    assert {p.account_code for p in stored(uow) if p.external_id in {f"p{n}" for n in range(300, 305)}} == {"400"}


def test_a_payment_for_an_account_registered_in_another_currency_is_refused_on_its_line(
    importer: Importer, workspace_id: int, uow: UnitOfWorkFactory, tmp_path: Path
) -> None:
    with uow() as work:
        work.session.add(SourceAccount(workspace_id=workspace_id, external_id="card-77", name="Card", currency="USD"))
        work.commit()
    path = tmp_path / "accounts.csv"
    path.write_text(
        "Date,Payee,Amount,Account ID,Account Currency\n2026-11-03,A,-1.00,card-77,EUR\n2026-11-03,B,-2.00,ops,SGD\n"
    )

    summary = run(importer, workspace_id, path, account=None)

    assert (summary.new, summary.invalid) == (1, 1)
    assert summary.details[0][2] == (
        "account card-77 is registered in USD, not EUR: import these lines with an --account in EUR"
    )


def test_the_known_account_gives_the_currency(importer: Importer, workspace_id: int, uow: UnitOfWorkFactory,
                                              tmp_path: Path) -> None:  # fmt: skip
    with uow() as work:
        work.session.add(SourceAccount(workspace_id=workspace_id, external_id="ops", name="Ops", currency="SGD"))
        work.commit()
    path = tmp_path / "plain.csv"
    path.write_text(HEADER + "2026-11-03,A,-1.00\n")

    summary = run(importer, workspace_id, path)

    assert summary.new == 1 and summary.accounts == [SourceAccountIn("ops", "Ops", "SGD")]
    with pytest.raises(ExportProblem, match="account ops is in SGD, not USD"):
        run(importer, workspace_id, path, currency="USD")
