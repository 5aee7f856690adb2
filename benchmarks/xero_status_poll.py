"""What reading back Xero's side costs: an organisation with 1,000 synced transactions, polled through the real
gateway (xero-python over loopback) against the Xero emulator.

Prints the calls and time of a first poll (every transaction is new to it) and of a poll after ten changes made
in Xero (reconciled, edited, deleted). Target: at most 2 calls per organisation per interval.

    python benchmarks/xero_status_poll.py [--transactions 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import SecretStr

from bot.clock import FrozenClock
from bot.sync.xero_status import POLL_EVERY, XeroStatusPoll
from bot.xero.gateway import XeroGateway
from bot.xero.types import SpendMoney, TenantRef
from sandbox.xero import XeroEmulator
from sandbox.xero.consent import connect
from storage.crypto import KeyRing, generate_key
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Payment, PaymentState, SourceAccount, SyncAttempt, XeroConnection, XeroTokenSet
from storage.uow import UnitOfWorkFactory

LISTED = "/api.xro/2.0/BankTransactions"
SENT = {"date": "2026-01-01", "amount": "120.00", "account": "463", "tax": "INPUT2", "contact": "Figma Inc"}


class Tokens:
    def __init__(self, access_token: str) -> None:
        self._access_token = access_token
        self.on_auth_lost: Any = None

    def access_token(self, token_set_id: int) -> str:
        return self._access_token


class NoCards:
    def redraw_card(self, workspace_id: int, payment_id: int) -> None:
        return None


def seed_xero(emulator: XeroEmulator, gateway: XeroGateway, tenant: TenantRef, count: int) -> list[str]:
    tenant_id = emulator.default_tenant_id
    contact = emulator.add_contact(tenant_id, "Figma Inc")
    bank = next(str(a["AccountID"]) for a in emulator.accounts(tenant_id) if a.get("Code") == "090")
    ids: list[str] = []
    for start in range(0, count, 50):
        spends = [
            SpendMoney(
                contact,
                bank,
                dt.date(2026, 1, 1),
                f"PAY-{n}",
                f"https://bot.example.com/?xeb=1-{n}",
                "Seats",
                Decimal("120.00"),
                "463",
                "INPUT2",
            )
            for n in range(start, min(start + 50, count))
        ]
        ids += [str(answer.xero_id) for answer in gateway.create_spend_money(tenant, spends, f"bench-{start}")]
    return ids


def seed_books(uow: UnitOfWorkFactory, tenant_id: str, ids: list[str], clock: FrozenClock) -> TenantRef:
    with uow() as work:
        workspace = work.workspaces.ensure("TBENCH")
        tokens = XeroTokenSet(workspace_id=workspace.id, granted_by_user_id="UFIN")
        source = SourceAccount(workspace_id=workspace.id, external_id="acc", name="Operating", currency="GBP")
        work.session.add_all([tokens, source])
        work.session.flush()
        connection = XeroConnection(
            workspace_id=workspace.id,
            token_set_id=tokens.id,
            tenant_id=tenant_id,
            tenant_name="Bench Ltd",
            connected_by_user_id="UFIN",
        )
        work.session.add(connection)
        work.session.flush()
        for n, xero_id in enumerate(ids):
            row = Payment(
                workspace_id=workspace.id,
                source_account_id=source.id,
                external_id=f"pay_{n}",
                amount=Decimal("120.00"),
                currency="GBP",
                date=dt.date(2026, 1, 1),
                payee="Figma Inc",
                account_code="463",
                tax_type="INPUT2",
                state=PaymentState.SYNCED,
                xero_bank_transaction_id=xero_id,
                synced_at=clock.now() - dt.timedelta(minutes=1),
            )
            work.session.add(row)
            work.session.flush()
            work.session.add(
                SyncAttempt(payment_id=row.id, operation="create", request_summary=SENT, outcome="ok", xero_id=xero_id)
            )
        work.commit()
        return TenantRef(connection.id, workspace.id, tenant_id, "Bench Ltd", tokens.id)


def timed_poll(poll: XeroStatusPoll, emulator: XeroEmulator) -> tuple[int, int, float]:
    before = len(emulator.requests_to("GET", LISTED))
    started = time.perf_counter()
    report = poll.run()
    elapsed = time.perf_counter() - started
    assert report.calls == len(emulator.requests_to("GET", LISTED)) - before
    return report.calls, report.seen, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, XeroEmulator(validate=False) as emulator:
        keyring = KeyRing.from_setting(generate_key())
        engine = create_engine(f"sqlite:///{folder}/bench.db", keyring)
        upgrade(engine)
        uow = UnitOfWorkFactory(session_factory(engine))
        clock = FrozenClock(emulator.clock.now())
        issued = connect(emulator.url, client_id=emulator.client_id, client_secret=emulator.client_secret)
        settings: Any = SimpleNamespace(
            xero_api_url=emulator.url,
            xero_client_id=emulator.client_id,
            xero_client_secret=SecretStr(emulator.client_secret),
        )
        gateway = XeroGateway(settings=settings, tokens=Tokens(issued["access_token"]), uow=uow, clock=clock)  # type: ignore[arg-type]
        tenant_id = emulator.default_tenant_id
        provisional = TenantRef(1, 1, tenant_id, "Bench Ltd", 1)
        ids = seed_xero(emulator, gateway, provisional, args.transactions)
        seed_books(uow, tenant_id, ids, clock)
        poll = XeroStatusPoll(uow=uow, clock=clock, gateway=gateway, cards=NoCards())

        first = timed_poll(poll, emulator)
        emulator.clock.advance(1)
        for n in range(10):
            change = (emulator.reconcile_in_xero, emulator.delete_in_xero)[n % 2] if n < 6 else None
            if change is not None:
                change(tenant_id, ids[n * 7])
            else:
                emulator.edit_in_xero(tenant_id, ids[n * 7], amount=Decimal("99.00"))
        clock.advance(seconds=POLL_EVERY.total_seconds())
        second = timed_poll(poll, emulator)
        engine.dispose()
    print(f"{args.transactions:,} synced transactions, one organisation (target: at most 2 calls a poll)")
    for name, (calls, seen, elapsed) in (("first poll", first), ("after 10 changes in Xero", second)):
        verdict = "ok" if calls <= 2 else "OVER TARGET"
        print(f"  {name:<26} {calls} call(s), {seen:>5,} transactions read, {elapsed * 1000:7.0f} ms  [{verdict}]")


if __name__ == "__main__":
    main()
