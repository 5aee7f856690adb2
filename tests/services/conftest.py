"""Service tests: real services over a real unit of work (SQLite, or PostgreSQL with TEST_DATABASE_URL), with
fakes for what lies outside the process (Xero, Slack), so a failure points at one service."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.clock import FrozenClock
from bot.payments import lifecycle
from bot.sync.engine import SyncEngine
from storage.crypto import KeyRing
from storage.db import create_engine
from storage.migrate import upgrade
from storage.models import (
    Base,
    ConnectionState,
    Payment,
    Receipt,
    SourceAccount,
    SyncAttempt,
    XeroConnection,
    XeroContact,
    XeroTokenSet,
)
from storage.uow import UnitOfWorkFactory
from tests.conftest import PostgresSchema
from tests.services.fakes import FakeXeroGateway

PUBLIC_URL = "https://bot.example.com"
FINANCE = "UFIN0001"
BANK_ACCOUNT_ID = "bank-090"
LEASE = timedelta(seconds=60)


class FakeCards:
    """The Slack messages the engine asks to redraw, in order."""

    def __init__(self) -> None:
        self.redrawn: list[tuple[int, int]] = []
        self.broken = False

    def redraw_card(self, workspace_id: int, payment_id: int) -> None:
        if self.broken:
            raise RuntimeError("Slack is down")
        self.redrawn.append((workspace_id, payment_id))


@dataclass
class Books:
    """One Slack workspace connected to one Xero organisation, with a GBP source account mapped to its bank
    account; helpers to arrange payments and read back what the services stored."""

    uow: UnitOfWorkFactory
    clock: FrozenClock
    xero: FakeXeroGateway
    workspace_id: int = 0
    connection_id: int = 0
    source_account_id: int = 0

    def connect(self, team_id: str = "T1", tenant_id: str = "tenant-1") -> Books:
        with self.uow() as work:
            workspace = work.workspaces.ensure(team_id)
            tokens = XeroTokenSet(workspace_id=workspace.id, granted_by_user_id=FINANCE)
            account = SourceAccount(
                workspace_id=workspace.id,
                external_id="acc-gbp-1",
                name="Operating GBP",
                currency="GBP",
                xero_bank_account_id=BANK_ACCOUNT_ID,
            )
            work.session.add_all([tokens, account])
            work.session.flush()
            connection = XeroConnection(
                workspace_id=workspace.id,
                token_set_id=tokens.id,
                tenant_id=tenant_id,
                tenant_name="Demo Company (UK)",
                state=ConnectionState.CONNECTED,
                connected_by_user_id=FINANCE,
            )
            work.session.add(connection)
            work.commit()
            self.workspace_id, self.connection_id, self.source_account_id = workspace.id, connection.id, account.id
        return self

    def payment(self, external_id: str = "pay_1", *, approved: bool = True, **fields: Any) -> int:
        """A payment coded to 463/INPUT2, approved by finance unless `approved` is False; its id."""
        values: dict[str, Any] = {
            "amount": Decimal("120.00"),
            "currency": "GBP",
            "date": date(2026, 11, 20),
            "payee": "Figma Inc",
            "reference": "INV-77",
            "account_code": "463",
            "tax_type": "INPUT2",
            "message_url": "https://slack.example.com/archives/C0FINANCE/p1700000000000100",
        } | fields
        with self.uow() as work:
            row = work.payments.add(
                Payment(
                    workspace_id=self.workspace_id,
                    source_account_id=self.source_account_id,
                    external_id=external_id,
                    **values,
                )
            )
            if approved:
                lifecycle.approve(row, FINANCE, self.clock.now())
            work.commit()
            return row.id

    def approve(self, payment_id: int) -> None:
        with self.uow() as work:
            row = work.payments.get(self.workspace_id, payment_id)
            assert row is not None
            lifecycle.approve(row, FINANCE, self.clock.now())
            work.commit()

    def change(self, payment_id: int, **fields: Any) -> None:
        """An edit of the payment, as coding it in Slack makes one."""
        with self.uow() as work:
            row = work.payments.get(self.workspace_id, payment_id)
            assert row is not None
            for name, value in fields.items():
                setattr(row, name, value)
            lifecycle.edited(row)
            work.commit()

    def contact(self, name: str, contact_id: str) -> None:
        """A contact in our stored copy of Xero's contacts."""
        with self.uow() as work:
            work.reference.upsert_contacts(
                self.connection_id,
                [{"contact_id": contact_id, "name": name, "status": "ACTIVE", "email": None, "updated_utc": None}],
            )
            work.commit()

    def receipt(self, payment_id: int, file_name: str = "invoice.pdf", content: bytes = b"%PDF-1.4 receipt") -> int:
        with self.uow() as work:
            row = Receipt(payment_id=payment_id, file_name=file_name, size_bytes=len(content), content=content)
            work.session.add(row)
            work.commit()
            return row.id

    def stored(self, payment_id: int) -> Payment:
        with self.uow() as work:
            row = work.payments.get(self.workspace_id, payment_id)
            assert row is not None
            return row

    def stored_receipt(self, receipt_id: int) -> Receipt:
        with self.uow() as work:
            row = work.session.get(Receipt, receipt_id)
            assert row is not None
            return row

    def attempts(self, payment_id: int) -> list[SyncAttempt]:
        """The sync log of the payment, oldest first."""
        with self.uow() as work:
            return list(reversed(work.payments.sync_attempts(payment_id)))

    def stored_contacts(self) -> list[str]:
        with self.uow() as work:
            rows = work.session.query(XeroContact).filter_by(connection_id=self.connection_id).all()
            return sorted(row.name for row in rows)


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory, keyring: KeyRing) -> Path:
    """One migrated SQLite file, copied for each test: migrating per test costs more than most service tests."""
    path = tmp_path_factory.mktemp("migrated") / "bot.db"
    engine = create_engine(f"sqlite:///{path}", keyring)
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def database_url(
    tmp_path: Path, _postgres_schema: PostgresSchema | None, _migrated_sqlite: Path, keyring: KeyRing
) -> Iterator[str]:
    """A migrated, empty database for one test (as in tests/conftest.py, with SQLite migrated once)."""
    if _postgres_schema is None:
        shutil.copy(_migrated_sqlite, tmp_path / "bot.db")
        yield f"sqlite:///{tmp_path / 'bot.db'}"
        return
    yield _postgres_schema.url
    engine = create_engine(_postgres_schema.url, keyring)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def xero() -> FakeXeroGateway:
    return FakeXeroGateway()


@pytest.fixture
def cards() -> FakeCards:
    return FakeCards()


@pytest.fixture
def books(uow: UnitOfWorkFactory, clock: FrozenClock, xero: FakeXeroGateway) -> Books:
    return Books(uow, clock, xero).connect()


@pytest.fixture
def sync(uow: UnitOfWorkFactory, clock: FrozenClock, xero: FakeXeroGateway, cards: FakeCards) -> SyncEngine:
    return SyncEngine(uow=uow, clock=clock, gateway=xero, cards=cards, public_url=PUBLIC_URL, lease=LEASE)
