"""What matching receipts sent before their payments costs an import: the hook runs once per stored batch.

Stores batches of 5,000 payments on SQLite through the real ingest service, with the receipt-first hook, first
with no receipt waiting (the usual case: one indexed query a batch), then with receipts waiting whose payments
are in the batch (each attached and its sender told). Targets: under 5 ms a batch with none waiting; under 1 s
for 50 waiting receipts matched in a batch.

    python benchmarks/receipt_matching.py [--batch 5000] [--waiting 50]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import FrozenClock
from bot.connection.roles import Roles
from bot.payments.ingest import IngestService
from bot.payments.input import PaymentIn, SourceAccountIn
from bot.receipts.matching_service import ReceiptChecks
from bot.receipts.receipt_first import ReceiptFirst
from bot.receipts.receipt_first_matching import PaymentSummary
from bot.workers import BoundedWorkers
from storage.crypto import KeyRing, generate_key
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import WaitingReceipt
from storage.uow import UnitOfWorkFactory

ACCOUNT = SourceAccountIn("acc-1", "Operating GBP", "GBP")
DAY = date(2026, 11, 20)


class Told:
    """The receipt-first messenger: counts the receipts attached."""

    def __init__(self) -> None:
        self.count = 0

    def attached(self, team_id: str, channel: str, thread_ts: str, payment: PaymentSummary) -> None:
        self.count += 1

    def received(self, *args: Any) -> None: ...
    def refused(self, *args: Any) -> None: ...
    def not_yet(self, *args: Any) -> None: ...
    def choose(self, *args: Any) -> None: ...


class Members:
    def is_workspace_admin(self, team_id: str, user_id: str) -> bool:
        return False


def batch(start: int, size: int) -> list[PaymentIn]:
    return [
        PaymentIn(
            f"p{n}",
            ACCOUNT,
            Decimal(1000 + n) / 100,
            "GBP",
            DAY + timedelta(days=n % 3),
            f"Shop {n}",
            spender_email=f"u{n}@example.com",
        )
        for n in range(start, start + size)
    ]


def waiting(uow: UnitOfWorkFactory, workspace_id: int, payments: Sequence[PaymentIn]) -> None:
    with uow() as work:
        for n, p in enumerate(payments):
            work.session.add(
                WaitingReceipt(
                    workspace_id=workspace_id,
                    team_id="T1",
                    sender_user_id=f"U{n}",
                    sender_email=p.spender_email,
                    channel_id="D1",
                    message_ts=f"1.{n}",
                    slack_file_id=f"F{n}",
                    file_name="r.jpg",
                    size_bytes=3,
                    content=b"abc",
                    status="waiting",
                    total=p.amount,
                    currency="GBP",
                    receipt_date=p.date,
                    merchant=p.payee,
                    created_at=datetime.now(UTC),
                )
            )
        work.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--waiting", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{folder}/bench.db", KeyRing.from_setting(generate_key()))
        upgrade(engine)
        uow, clock = UnitOfWorkFactory(session_factory(engine)), FrozenClock()
        with uow() as work:
            workspace_id = work.workspaces.ensure("T1").id
            work.commit()
        told = Told()
        roles = Roles(uow=uow, directory=Members())  # type: ignore[arg-type]
        checks = ReceiptChecks(uow=uow, clock=clock, roles=roles, coding=None, pool=None, redraw=lambda w, p: None)  # type: ignore[arg-type]
        first = ReceiptFirst(
            uow=uow,
            clock=clock,
            roles=roles,
            directory=None,
            slack=None,
            files=None,  # type: ignore[arg-type]
            max_bytes=1,
            workers=BoundedWorkers(workers=1, backlog=0, name="bench"),
            checks=checks,
            messenger=told,
        )
        ingest = IngestService(uow=uow, clock=clock, arrivals=first)
        ingest.store(workspace_id, batch(0, args.batch))  # a table that is not empty

        dates = sorted({p.date for p in batch(0, 3)})
        started = time.perf_counter()
        for _ in range(20):
            first.arrived(workspace_id, dates)
        none_waiting = (time.perf_counter() - started) / 20

        arriving = batch(args.batch, args.batch)
        waiting(uow, workspace_id, arriving[: args.waiting])
        IngestService(uow=uow, clock=clock).store(workspace_id, arriving)  # stored without the hook …
        started = time.perf_counter()
        first.arrived(workspace_id, sorted({p.date for p in arriving}))  # … which then runs as a batch's does
        first._workers.shutdown()  # the matching runs on the receipt worker
        matched = time.perf_counter() - started
        engine.dispose()
    print(f"hook with no receipt waiting: {none_waiting * 1000:.2f} ms a batch (target < 5 ms)")
    print(
        f"{args.waiting} waiting receipts matched after a batch: {matched * 1000:.0f} ms (target < 1000 ms);"
        f" {told.count} attached"
    )


if __name__ == "__main__":
    main()
