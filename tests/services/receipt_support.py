"""Receipt checks without OCR: a reader of canned readings, a pool whose jobs run when the test says, the words
said back to a receipt's sender, and a desk where payments arrive, receipts are stored and finance answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import undefer

from bot.clock import FrozenClock
from bot.connection.roles import Actor, Roles
from bot.payments.ingest import IngestService
from bot.payments.input import PaymentIn
from bot.receipts.matching_service import ReceiptChecks
from bot.receipts.receipt_first import ReceiptFirst
from bot.receipts.receipt_first_matching import PaymentSummary
from bot.workers import BoundedWorkers
from storage.models import Receipt, WaitingReceipt
from storage.uow import UnitOfWorkFactory
from tests.services.coding_support import ACCOUNT, EMPLOYEE, Desk, FinanceIsAdmin
from tests.services.conftest import FINANCE, Books

OTHER = "UOTH0001"
DAY = dt.date(2026, 11, 20)


@dataclass(frozen=True)
class Canned:
    """A reading as bot.receipts.reading returns one."""

    total: Decimal | None = None
    currency: str | None = "GBP"
    date: dt.date | None = DAY
    merchant: str | None = "Figma Inc"
    tax: Decimal | None = None
    number: str | None = None
    engine: str = "canned"
    problem: str | None = None


class CannedReader:
    """Says what the test put in the file: the file's bytes name their reading."""

    def __init__(self) -> None:
        self.readings: dict[bytes, Canned] = {}
        self.read: list[bytes] = []

    def file(self, reading: Canned) -> bytes:
        content = b"%PDF-1.4 receipt " + str(len(self.readings)).encode()
        self.readings[content] = reading
        return content

    def __call__(self, data: bytes, content_type: str | None) -> Canned:
        self.read.append(data)
        return self.readings[data]


class HeldPool:
    """The reading pool (as bot.receipts.reading.ReadingPool is used): files wait until `run`, or are refused while
    `full`."""

    def __init__(self, reader: CannedReader) -> None:
        self.reader = reader
        self.jobs: list[tuple[int, bytes, Callable[[int, Any], None]]] = []
        self.full = False

    def submit(
        self, receipt_id: int, data: bytes, content_type: str | None, on_read: Callable[[int, Any], None]
    ) -> bool:
        if self.full:
            return False
        self.jobs.append((receipt_id, data, on_read))
        return True

    def shutdown(self) -> None:
        self.jobs.clear()

    def run(self) -> None:
        while self.jobs:
            receipt_id, data, on_read = self.jobs.pop(0)
            on_read(receipt_id, self.reader(data, None))


@dataclass
class Said:
    """What the receipt-first service said back, in order: (what, payment ids)."""

    lines: list[tuple[str, list[int]]] = field(default_factory=list)

    def received(self, team_id: str, channel: str, thread_ts: str) -> None:
        self.lines.append(("received", []))

    def refused(self, team_id: str, channel: str, thread_ts: str, reason: str) -> None:
        self.lines.append(("refused", []))

    def attached(self, team_id: str, channel: str, thread_ts: str, payment: PaymentSummary) -> None:
        self.lines.append(("attached", [payment.payment_id]))

    def choose(
        self, team_id: str, channel: str, thread_ts: str, waiting_id: int, payments: Sequence[PaymentSummary]
    ) -> None:
        self.lines.append(("choose", [p.payment_id for p in payments]))

    def not_yet(self, team_id: str, channel: str, thread_ts: str, unread: bool) -> None:
        self.lines.append(("unread" if unread else "not yet", []))


@dataclass
class ReceiptDesk:
    desk: Desk
    checks: ReceiptChecks
    first: ReceiptFirst
    reader: CannedReader
    pool: HeldPool
    said: Said
    redrawn: list[int]

    @classmethod
    def open(cls, books: Books, uow: UnitOfWorkFactory, clock: FrozenClock) -> ReceiptDesk:
        desk = Desk.open(books, uow, clock)
        roles = Roles(uow=uow, directory=FinanceIsAdmin())  # type: ignore[arg-type]
        reader, said, redrawn = CannedReader(), Said(), []
        pool = HeldPool(reader)
        checks = ReceiptChecks(
            uow=uow,
            clock=clock,
            roles=roles,
            coding=desk.coding,
            pool=pool,
            redraw=lambda workspace_id, payment_id: redrawn.append(payment_id),
        )
        first = ReceiptFirst(
            uow=uow,
            clock=clock,
            roles=roles,
            directory=None,  # type: ignore[arg-type]  # files are stored by the tests, not downloaded
            slack=None,  # type: ignore[arg-type]
            files=None,  # type: ignore[arg-type]
            max_bytes=10 * 1024 * 1024,
            workers=BoundedWorkers(workers=1, backlog=5, name="test-receipts"),
            checks=checks,
            messenger=said,
        )
        desk.ingest = IngestService(uow=uow, clock=clock, arrivals=first)
        return cls(desk, checks, first, reader, pool, said, redrawn)

    @property
    def finance(self) -> Actor:
        return self.desk.finance

    @property
    def employee(self) -> Actor:
        return self.desk.employee

    def arrive(self, external_id: str, amount: str = "54.00", day: dt.date = DAY, **fields: Any) -> int:
        payee = fields.pop("payee", "FIGMA.COM SAN FRANCISCO CA")
        payment = PaymentIn(external_id, ACCOUNT, Decimal(amount), "GBP", day, payee, **fields)
        self.desk.ingest.ingest(self.desk.books.workspace_id, [payment])
        return self.desk.id_of(external_id)

    def receipt(self, payment_id: int, reading: Canned) -> int:
        """A receipt stored on the payment (as a thread reply stores one), offered to the pool."""
        content = self.reader.file(reading)
        with self.desk.books.uow() as work:
            row = Receipt(
                payment_id=payment_id,
                file_name="receipt.pdf",
                mime_type="application/pdf",
                size_bytes=len(content),
                sha256=str(hash(content)),
                content=content,
                sent_by_user_id=EMPLOYEE,
            )
            work.session.add(row)
            work.commit()
            receipt_id = row.id
        self.checks.submit_unread(payment_id)
        return receipt_id

    def read(self, payment_id: int, reading: Canned) -> int:
        receipt_id = self.receipt(payment_id, reading)
        self.pool.run()
        return receipt_id

    def waiting(self, reading: Canned, sender: str = EMPLOYEE, email: str | None = "ana@example.com") -> int:
        """A receipt sent to the bot on its own (stored as the service stores one after downloading it)."""
        content = self.reader.file(reading)
        with self.desk.books.uow() as work:
            row = WaitingReceipt(
                workspace_id=self.desk.books.workspace_id,
                team_id="T1",
                sender_user_id=sender,
                sender_email=email,
                channel_id="D0EMP",
                message_ts="1700000000.000100",
                slack_file_id=f"F{len(self.reader.readings):06d}",
                file_name="photo.jpg",
                mime_type="image/jpeg",
                size_bytes=len(content),
                sha256=str(hash(content)),
                content=content,
                created_at=self.desk.books.clock.now(),
            )
            work.session.add(row)
            work.commit()
            waiting_id = row.id
        self.first.submit(waiting_id)
        self.pool.run()
        return waiting_id

    def stored_waiting(self, waiting_id: int) -> WaitingReceipt:
        with self.desk.books.uow() as work:
            row = work.session.get(WaitingReceipt, waiting_id, options=[undefer(WaitingReceipt.content)])
            assert row is not None
            return row


__all__ = ["EMPLOYEE", "FINANCE", "OTHER", "Canned", "ReceiptDesk"]
