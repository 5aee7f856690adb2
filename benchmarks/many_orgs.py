"""Many organisations at once: one bulk-syncs 1,000 payments with receipts while 49 others approve one payment
a minute each, with two bot instances sharing one PostgreSQL database.

50 workspaces (multi-workspace mode), each connected to its own organisation in the Xero emulator, which
enforces Xero's limits as Xero does (60 calls a minute and 5 at once per organisation, 10,000 a minute for the
app, 429 with Retry-After). Each instance is the bot's own services with their own engine and limiter (both
in this process: they share the database, the emulator and the interpreter, nothing else), and runs the
sync job as `serve` does: every 5 seconds, and at once when an approval wakes it (approvals alternate
between the instances). Real time, no scaled clock: the emulator's and the bot's minutes are 60 seconds.
Slack is not part of these figures (the payments are not posted, so no message is redrawn).

Prints, beside the targets: p50/p95 approve -> synced of the single approvals (target p95 <= 10 s), 429s from
Xero (target 0), the busiest minute of any organisation (any 60 seconds, target <= 60 calls) and the most
calls at once (<= 5), how far the bulk organisation got, and the database time the shared limiter costs a call.

    python benchmarks/many_orgs.py [--orgs 50] [--bulk 1000] [--minutes 5] [--latency 0.05]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks import seeding
from bot.bootstrap import Deps, build_services
from bot.payments import lifecycle
from bot.services import Services
from bot.settings import load_settings
from bot.xero.shared_limiter import SharedRateLimiter
from sandbox.xero import XeroEmulator
from sandbox.xero.consent import connect
from storage.crypto import KeyRing, generate_key
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Payment, PaymentState, Receipt, SourceAccount
from storage.uow import UnitOfWorkFactory

JOB_EVERY = 5.0  # seconds, as the scheduler runs sync_payments


@dataclass
class Org:
    workspace_id: int
    tenant_id: str
    single_ids: list[int]


class Instance:
    """One bot instance's sync job: runs every JOB_EVERY seconds, or at once when woken."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self.services.sync.stop()
        self._wake.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            self.services.sync.run()
            self._wake.wait(JOB_EVERY)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=50)
    parser.add_argument("--bulk", type=int, default=1000, help="payments (each with a receipt) of the bulk sync")
    parser.add_argument("--minutes", type=float, default=5.0, help="minutes the 49 others approve, one a minute")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every Xero call")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )
    args = parser.parse_args()
    key = generate_key()
    keyring = KeyRing.from_setting(key)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.database_url, keyring)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(args.database_url).update_query_dict({"options": f"-csearch_path={schema}"})
    database_url = url.render_as_string(hide_password=False)
    try:
        with XeroEmulator(latency_seconds=args.latency, validate=False) as xero:
            run(args, key, database_url, xero)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def run(args: argparse.Namespace, key: str, database_url: str, xero: XeroEmulator) -> None:
    keyring = KeyRing.from_setting(key)
    engines = [create_engine(database_url, keyring, pool_size=10, max_overflow=10) for _ in range(2)]
    upgrade(engines[0])
    uows = [UnitOfWorkFactory(session_factory(engine)) for engine in engines]
    settings = load_settings(
        _env_file=None,
        database_url=database_url,
        encryption_key=key,
        slack_signing_secret="s",
        slack_client_id="1111.2222",
        slack_client_secret="bench-secret",
        xero_client_id=xero.client_id,
        xero_client_secret=xero.client_secret,
        xero_api_url=xero.url,
        xero_identity_url=xero.url,
        xero_login_url=xero.url,
    )
    print(f"seeding {args.orgs} workspaces and organisations, {args.bulk} payments with receipts for the first ...")
    orgs = seed(uows[0], xero, args)
    instances = [Instance(build_services(settings, Deps(engine=e, uow=u))) for e, u in zip(engines, uows, strict=True)]
    before_429 = xero.stats.rate_limited
    started = time.monotonic()
    for instance in instances:
        instance.start()
    approved = approve_singles(uows[0], instances, orgs[1:], args.minutes)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not all_synced(uows[0], approved):
        time.sleep(1)
    wall = time.monotonic() - started
    for instance in instances:
        instance.stop()  # the bulk organisation's rest stays approved in the database
    report(args, uows[0], xero, orgs, approved, instances, wall, before_429)
    for engine in engines:
        engine.dispose()


def approve_singles(
    uow: UnitOfWorkFactory, instances: list[Instance], orgs: list[Org], minutes: float
) -> list[tuple[int, int]]:
    """Each organisation approves its next payment once a minute, at its own second of the minute."""
    schedule = sorted(
        (minute * 60 + random.uniform(0, 60), n, org) for n, org in enumerate(orgs) for minute in range(int(minutes))
    )
    started = time.monotonic()
    approved: list[tuple[int, int]] = []
    for at, n, org in schedule:
        time.sleep(max(0.0, started + at - time.monotonic()))
        payment_id = org.single_ids.pop(0)
        with uow() as work:
            payment = work.payments.get(org.workspace_id, payment_id)
            assert payment is not None
            lifecycle.approve(payment, "UFINANCE", datetime.now(UTC))
            work.commit()
        approved.append((org.workspace_id, payment_id))
        instances[n % len(instances)].wake()
    return approved


def all_synced(uow: UnitOfWorkFactory, approved: list[tuple[int, int]]) -> bool:
    with uow() as work:
        ids = [p for _, p in approved]
        synced = work.session.query(Payment).filter(Payment.id.in_(ids), Payment.synced_at.is_not(None)).count()
    return synced == len(ids)


def report(
    args: argparse.Namespace,
    uow: UnitOfWorkFactory,
    xero: XeroEmulator,
    orgs: list[Org],
    approved: list[tuple[int, int]],
    instances: list[Instance],
    wall: float,
    before_429: int,
) -> None:
    with uow() as work:
        rows = work.session.query(Payment).filter(Payment.id.in_([p for _, p in approved])).all()
        waits = sorted((r.synced_at - r.approved_at).total_seconds() for r in rows if r.synced_at and r.approved_at)
        bulk_synced = (
            work.session.query(Payment).filter_by(workspace_id=orgs[0].workspace_id, state=PaymentState.SYNCED).count()
        )
        attached = (
            work.session.query(Receipt)
            .join(Payment)
            .filter(Payment.workspace_id == orgs[0].workspace_id, Receipt.xero_attachment_id.is_not(None))
            .count()
        )
    stats = xero.stats
    busiest = max((stats.busiest_window(o.tenant_id, 60.0), o.tenant_id) for o in orgs)
    bulk_calls = stats.calls_per_tenant.get(orgs[0].tenant_id, 0)
    bulk_times = stats.admitted_at.get(orgs[0].tenant_id, [0.0])
    bulk_span = max(bulk_times[-1] - bulk_times[0], 1.0)
    limiters = [i.services.gateway._client.limiter for i in instances]
    shared = [limiter for limiter in limiters if isinstance(limiter, SharedRateLimiter)]
    trips = sum(limiter.ledger_round_trips for limiter in shared)
    ledger_ms = 1000 * sum(limiter.ledger_seconds for limiter in shared) / max(1, trips)
    p50 = statistics.median(waits) if waits else float("nan")
    p95 = waits[max(0, round(0.95 * len(waits)) - 1)] if waits else float("nan")
    load = os.getloadavg()
    print(
        f"organisations:             {len(orgs)} (1 bulk of {args.bulk} payments with receipts, "
        f"{len(orgs) - 1} approving one payment a minute)"
    )
    print(
        f"instances:                 {len(instances)} on PostgreSQL (each its own services, engine and limiter, "
        f"in one process), sync job every {JOB_EVERY:.0f} s and on wake"
    )
    print(
        f"run:                       {wall:.0f} s, real time (60-second minutes), {args.latency * 1000:.0f} ms a call"
    )
    print(f"single approvals synced:   {len(waits)} of {len(approved)}")
    print(f"approve -> synced p50:     {p50:.1f} s")
    print(f"approve -> synced p95:     {p95:.1f} s (target <= 10 s): {'met' if p95 <= 10 else 'NOT met'}")
    print(f"approve -> synced max:     {waits[-1] if waits else float('nan'):.1f} s")
    rate_limited = stats.rate_limited - before_429
    print(f"429s from Xero:            {rate_limited} (target 0): {'met' if rate_limited == 0 else 'NOT met'}")
    print(
        f"busiest organisation min.: {busiest[0]} calls in 60 s (target <= 60): "
        f"{'met' if busiest[0] <= 60 else 'NOT met'}"
    )
    print(f"most calls at once:        {stats.max_concurrency_observed} (Xero allows 5)")
    print(
        f"bulk organisation:         {bulk_synced} of {args.bulk} synced, {attached} receipts attached, "
        f"{bulk_calls} calls in {bulk_span:.0f} s ({bulk_calls / (bulk_span / 60):.0f} a minute)"
    )
    bins = [0] * (int(bulk_span // 60) + 1)
    for at in bulk_times:
        bins[int((at - bulk_times[0]) // 60)] += 1
    print(f"bulk calls minute by minute: {', '.join(str(b) for b in bins)}")
    print(f"shared limiter:            {ledger_ms:.1f} ms of database time a round trip, {trips} round trips")
    print(f"load average:              {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores)")


def seed(uow: UnitOfWorkFactory, xero: XeroEmulator, args: argparse.Namespace) -> list[Org]:
    tenants = [xero.default_tenant_id]
    while len(tenants) < args.orgs:
        tenants.append(xero.add_organisation(name=f"Org {len(tenants) + 1:02d}"))
    now = datetime.now(UTC)
    singles = int(args.minutes) + 1
    orgs = []
    for n, tenant_id in enumerate(tenants):
        xero.consent_tenants = [tenant_id]
        token = connect(xero.url, client_id=xero.client_id, client_secret=xero.client_secret)
        contact_id = xero.add_contact(tenant_id, seeding.SUPPLIER)
        bank = next(str(a["AccountID"]) for a in xero.accounts(tenant_id) if a.get("Code") == "090")
        with uow() as work:
            workspace = work.workspaces.ensure(f"T{n:05d}")
            connection = seeding.connection(work, workspace.id, tenant_id, f"Org {tenant_id[:8]}", token, now)
            work.reference.upsert_contacts(
                connection.id,
                [
                    {
                        "contact_id": contact_id,
                        "name": seeding.SUPPLIER,
                        "status": "ACTIVE",
                        "email": None,
                        "updated_utc": None,
                    }
                ],
            )
            source = SourceAccount(
                workspace_id=workspace.id,
                external_id="acc-gbp",
                name="Operating GBP",
                currency="GBP",
                xero_bank_account_id=bank,
            )
            work.session.add(source)
            work.session.flush()
            count = args.bulk if n == 0 else singles
            ids = [_payment(work, workspace.id, source.id, i, bulk=n == 0, now=now) for i in range(count)]
            work.commit()
        orgs.append(Org(workspace.id, tenant_id, [] if n == 0 else ids))
    return orgs


def _payment(work: object, workspace_id: int, source_id: int, n: int, *, bulk: bool, now: datetime) -> int:
    payment = seeding.coded_payment(workspace_id, source_id, n)
    if bulk:
        seeding.approved_with_receipt(payment, n, now, by="UFINANCE")
    work.session.add(payment)  # type: ignore[attr-defined]
    work.session.flush()  # type: ignore[attr-defined]
    return payment.id


if __name__ == "__main__":
    main()
