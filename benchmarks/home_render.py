"""How long the App Home takes to render with 10,000 (or 100,000) payments in the database.

Measures reading a page for a user (counts per tab, the page of 20, the ready count) plus building the
Block Kit view, for a finance user, an employee and an admin on each tab. Target: p99 under 300 ms a render,
and never more than 100 blocks. On PostgreSQL it runs in a schema of its own (dropped afterwards) and prints
the query plan of each statement a render makes, checking that none reads the payments table row by row.

    python benchmarks/home_render.py [--payments 10000] [--renders 5]
    python benchmarks/home_render.py --payments 100000 --renders 20 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, make_url, text
from sqlalchemy.engine import Engine

from bot.clock import SystemClock
from bot.connection.roles import Actor, Roles
from bot.home.service import HomeService
from bot.home.view import HomeFilter
from bot.payments.coding import CodingService
from handlers.home_blocks import home_view
from storage.crypto import KeyRing, generate_key
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Payment, PaymentState, Role, SourceAccount, XeroAccount, XeroConnection
from storage.uow import UnitOfWorkFactory

SEED_CHUNK = 5000
STATES = [PaymentState.PENDING] * 6 + [PaymentState.SYNCED] * 3 + [PaymentState.SYNC_ERROR]
PEOPLE = ["UEMP0001", "UEMP0002", "UEMP0003", "UEMP0004"]


class Directory:
    """Who is a Slack workspace admin, without Slack."""

    def is_workspace_admin(self, team_id: str, user_id: str) -> bool:
        return user_id == "UADMIN"


def seed(uow: UnitOfWorkFactory, count: int) -> int:
    with uow() as work:
        workspace = work.workspaces.ensure("TBENCH")
        connection = work.connections.add(
            XeroConnection(
                workspace_id=workspace.id,
                tenant_id=str(uuid.uuid4()),
                tenant_name="Bench Ltd",
                connected_by_user_id="UADMIN",
            )
        )
        for n in range(120):
            work.session.add(
                XeroAccount(
                    connection_id=connection.id,
                    account_id=str(uuid.uuid4()),
                    code=str(400 + n),
                    name=f"Expense {n}",
                    type="EXPENSE",
                    status="ACTIVE",
                    tax_type="INPUT2",
                )
            )
        sources = [  # four of the five mapped to a Xero bank account, so their coded pending payments are ready
            SourceAccount(
                workspace_id=workspace.id,
                external_id=f"acc-{n}",
                name=f"Account {n}",
                currency="GBP",
                xero_bank_account_id=str(uuid.uuid4()) if n else None,
            )
            for n in range(5)
        ]
        work.session.add_all(sources)
        work.session.flush()
        work.roles.set_role(workspace.id, "UFIN", Role.FINANCE, granted_by="UADMIN")
        rows = [
            {
                "workspace_id": workspace.id,
                "source_account_id": sources[n % 5].id,
                "external_id": f"p{n:06d}",
                "amount": Decimal("10.00") + n,
                "currency": "GBP",
                "date": date(2026, 1, 1) + timedelta(days=n % 300),
                "payee": f"Supplier {n % 250}",
                "state": STATES[n % len(STATES)],
                "version": 1,
                "spender_user_id": PEOPLE[n % len(PEOPLE)],
                "account_code": "420" if n % 3 else None,
                "tax_type": "INPUT2",
                "tracking": [],
                "sync_last_error": "Xero said no" if n % 10 == 9 else None,
            }
            for n in range(count)
        ]
        for start in range(0, count, SEED_CHUNK):
            work.session.execute(Payment.__table__.insert(), rows[start : start + SEED_CHUNK])
        work.commit()
        work.commit()
    return workspace.id


def settle(engine: Engine) -> None:
    """What autovacuum does soon after a bulk load on PostgreSQL: statistics for the planner, and the visibility
    map that lets a count read an index alone."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE payments"))


@contextmanager
def database(url: str | None, keyring: KeyRing) -> Iterator[Engine]:
    """A migrated, empty database: a SQLite file, or a schema of its own in the PostgreSQL database at `url`."""
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            engine = create_engine(f"sqlite:///{folder}/bench.db", keyring)
            upgrade(engine)
            yield engine
            engine.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, keyring)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine(scoped.render_as_string(hide_password=False), keyring)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


class Statements:
    """The SQL statements (with their parameters) the engine runs while recording."""

    def __init__(self, engine: Engine) -> None:
        self.recording = False
        self.seen: list[tuple[str, object]] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn: object, cursor: object, statement: str, parameters: object, *rest: object) -> None:
        if self.recording and statement.lstrip().upper().startswith("SELECT"):
            self.seen.append((statement, parameters))


def rows_scanned(plan: list[str]) -> int | None:
    """Rows a Seq Scan on payments read (kept plus filtered out), or None when the plan has none."""
    for n, line in enumerate(plan):
        if "Seq Scan on payments" in line:
            kept = int(line.split("rows=")[-1].split()[0]) if "actual" in line else 0
            removed = next((int(x.split(":")[1]) for x in plan[n + 1 : n + 3] if "Rows Removed by Filter" in x), 0)
            return kept + removed
    return None


def explain(engine: Engine, statements: list[tuple[str, object]], payments: int) -> list[str]:
    """Print each statement's plan as PostgreSQL ran it (EXPLAIN ANALYZE), the slowest last; the statements that
    read a tenth or more of the payments table row by row."""
    scans: list[str] = []
    timed: list[tuple[float, str]] = []
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        for statement, parameters in dict.fromkeys((s, repr(p)) for s, p in statements):
            found = next(p for s, p in statements if s == statement and repr(p) == parameters)
            cursor = raw.cursor()
            cursor.execute("EXPLAIN (ANALYZE) " + statement, found)
            plan = [row[0] for row in cursor.fetchall()]
            cursor.close()
            first = " ".join(statement.split())[:110]
            print(f"\n  {first}…")
            for line in plan:
                print(f"    {line}")
            read = rows_scanned(plan)
            if read is not None and read * 10 >= payments:
                scans.append(first)
            elif read is not None:
                print(f"    (a sequential scan stopped by its LIMIT after {read} of {payments} rows)")
            took = next((float(line.split()[2]) for line in plan if line.startswith("Execution Time")), 0.0)
            timed.append((took, first))
    print("\nslowest statements (execution time in PostgreSQL):")
    for took, first in sorted(timed)[-5:]:
        print(f"  {took:7.1f} ms  {first}…")
    return scans


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=10_000)
    parser.add_argument("--renders", type=int, default=5)
    parser.add_argument("--database-url", help="postgresql+psycopg://… (a schema of its own); SQLite if omitted")
    args = parser.parse_args()
    with database(args.database_url, KeyRing.from_setting(generate_key())) as engine:
        uow = UnitOfWorkFactory(session_factory(engine))
        started = time.perf_counter()
        workspace_id = seed(uow, args.payments)
        settle(engine)
        seeded = time.perf_counter() - started
        print(f"database: {engine.dialect.name}; payments: {args.payments} (seeded in {seeded:.1f} s)")
        statements = Statements(engine)
        roles = Roles(uow=uow, directory=Directory())  # type: ignore[arg-type]
        home = HomeService(uow=uow, roles=roles, coding=CodingService(uow=uow, clock=SystemClock(), roles=roles))
        all_times: list[float] = []
        most_blocks = 0
        for who, user in (("finance", "UFIN"), ("employee", "UEMP0001"), ("admin", "UADMIN")):
            for tab in ("pending", "synced", "errors", "settings"):
                if tab == "settings" and who != "admin":
                    continue
                times = []
                for n in range(args.renders):
                    statements.recording = n == 0
                    started = time.perf_counter()
                    view = home_view(home.view(Actor(workspace_id, "TBENCH", user), HomeFilter(tab=tab)))
                    times.append((time.perf_counter() - started) * 1000)
                    statements.recording = False
                most_blocks = max(most_blocks, len(view["blocks"]))
                all_times += times
                print(
                    f"  {who:8} {tab:8} p50 {percentile(times, 0.5):6.1f} ms  p99 {percentile(times, 0.99):6.1f} ms  "
                    f"{len(view['blocks'])} blocks"
                )
        p99 = percentile(all_times, 0.99)
        print(
            f"all {len(all_times)} renders: p50 {percentile(all_times, 0.5):.1f} ms, p99 {p99:.1f} ms, "
            f"max {max(all_times):.1f} ms; most blocks {most_blocks}"
        )
        print(f"target (p99 < 300 ms, <= 100 blocks): {'met' if p99 < 300 and most_blocks <= 100 else 'NOT met'}")
        if engine.dialect.name == "postgresql":
            print(f"query plans of the {len(statements.seen)} statements one render of each tab makes:")
            scans = explain(engine, statements.seen, args.payments)
            verdict = "none" if not scans else f"{len(scans)}: " + "; ".join(scans)
            print(f"\nstatements reading a tenth or more of payments row by row (Seq Scan on payments): {verdict}")
            print(f"index use target: {'met' if not scans else 'NOT met'}")


if __name__ == "__main__":
    main()
