"""How long the App Home takes to render with 10,000 payments in the database.

Measures reading a page for a user (counts per tab, the page of 20, the ready count) plus building the
Block Kit view, for a finance user, an employee and an admin on each tab. Target: under 300 ms a render,
and never more than 100 blocks.

    python benchmarks/home_render.py [--payments 10000] [--renders 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
        sources = [
            SourceAccount(workspace_id=workspace.id, external_id=f"acc-{n}", name=f"Account {n}", currency="GBP")
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
        work.session.execute(Payment.__table__.insert(), rows)
        work.commit()
        return workspace.id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=10_000)
    parser.add_argument("--renders", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{folder}/bench.db", KeyRing.from_setting(generate_key()))
        upgrade(engine)
        uow = UnitOfWorkFactory(session_factory(engine))
        workspace_id = seed(uow, args.payments)
        roles = Roles(uow=uow, directory=Directory())  # type: ignore[arg-type]
        home = HomeService(uow=uow, roles=roles, coding=CodingService(uow=uow, clock=SystemClock(), roles=roles))
        worst, all_times, most_blocks = 0.0, [], 0
        print(f"payments in the database: {args.payments}")
        for who, user in (("finance", "UFIN"), ("employee", "UEMP0001"), ("admin", "UADMIN")):
            for tab in ("pending", "synced", "errors", "settings"):
                if tab == "settings" and who != "admin":
                    continue
                times = []
                for _ in range(args.renders):
                    started = time.perf_counter()
                    view = home_view(home.view(Actor(workspace_id, "TBENCH", user), HomeFilter(tab=tab)))
                    times.append((time.perf_counter() - started) * 1000)
                most_blocks = max(most_blocks, len(view["blocks"]))
                all_times += times
                worst = max(worst, max(times))
                print(
                    f"  {who:8} {tab:8} median {statistics.median(times):6.1f} ms  max {max(times):6.1f} ms  "
                    f"{len(view['blocks'])} blocks"
                )
        print(
            f"all renders: median {statistics.median(all_times):.1f} ms, max {worst:.1f} ms; most blocks {most_blocks}"
        )
        print(f"target (< 300 ms, <= 100 blocks): {'met' if worst < 300 and most_blocks <= 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
