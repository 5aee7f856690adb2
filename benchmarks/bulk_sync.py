"""Bulk sync of 1,000 approved payments, one receipt each, against the Xero emulator.

The emulator's per-minute limit is scaled up (default 1,000 calls a minute, so the run takes about a
minute) and latency is added to every call. The bot's limiter is told the same limit, as an operator
would with XERO_MINUTE_LIMIT. Prints Xero calls used, 429s, wall time, and the ratio of achieved calls
per minute to the emulator's limit. Targets: at most 20 calls for the transactions plus one per receipt,
no 429 other than injected ones, and a ratio of at least 0.9.

    python benchmarks/bulk_sync.py [--payments 1000] [--limit 1000] [--latency 0.03]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import seeding
from bot.bootstrap import Deps, build_services
from bot.connection.tenants import tenant_ref
from bot.settings import load_settings
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from sandbox.xero.consent import connect
from storage.crypto import KeyRing, generate_key
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Payment, PaymentState, SourceAccount
from storage.uow import UnitOfWorkFactory


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=1000, help="the emulator's calls a minute")
    parser.add_argument("--latency", type=float, default=0.03, help="seconds added to every Xero call")
    args = parser.parse_args()
    key = generate_key()
    with (
        tempfile.TemporaryDirectory() as folder,
        FakeSlack() as slack,
        XeroEmulator(minute_limit=args.limit, latency_seconds=args.latency, validate=False) as xero,
    ):
        url = f"sqlite:///{folder}/bench.db"
        engine = create_engine(url, KeyRing.from_setting(key))
        upgrade(engine)
        uow = UnitOfWorkFactory(session_factory(engine))
        settings = load_settings(
            _env_file=None,
            database_url=url,
            encryption_key=key,
            slack_signing_secret="s",
            slack_bot_token=slack.bot_token,
            slack_api_url=slack.api_url,
            xero_client_id=xero.client_id,
            xero_client_secret=xero.client_secret,
            xero_api_url=xero.url,
            xero_identity_url=xero.url,
            xero_login_url=xero.url,
            xero_minute_limit=args.limit,
        )
        services = build_services(settings, Deps(engine=engine, uow=uow))
        tenant = seed(uow, slack, xero, args.payments)
        services.reference.refresh(tenant, full=True)
        with uow() as work:
            source = work.session.query(SourceAccount).one()
            source.xero_bank_account_id = next(
                str(a["AccountID"]) for a in xero.accounts(xero.default_tenant_id) if a.get("Code") == "090"
            )
            work.commit()
        before = len(xero.requests)
        rate_limited_before = xero.stats.rate_limited
        started = time.perf_counter()
        report = services.sync.run()
        wall = time.perf_counter() - started
        calls = xero.requests[before:]
        creates = [r for r in calls if r.method == "PUT" and r.path == "/api.xro/2.0/BankTransactions"]
        uploads = [r for r in calls if "/Attachments/" in r.path]
        with uow() as work:
            synced = work.session.query(Payment).filter_by(state=PaymentState.SYNCED).count()
        per_minute = len(calls) / (wall / 60)
        print(f"payments synced:         {synced} of {args.payments} ({len(report.failed)} failed)")
        print(f"transactions in Xero:    {len(xero.bank_transactions(xero.default_tenant_id))}")
        print(
            f"Xero calls used:         {len(calls)} ({len(creates)} for the transactions, {len(uploads)} receipts, "
            f"{len(calls) - len(creates) - len(uploads)} other)"
        )
        print(
            f"target calls:            <= {20 + args.payments} (20 + one per receipt): "
            f"{'met' if len(creates) <= 20 and len(calls) <= 20 + args.payments else 'NOT met'}"
        )
        print(f"429s received:           {xero.stats.rate_limited - rate_limited_before}")
        print(f"wall time:               {wall:.1f} s")
        print(f"emulator limit:          {args.limit} calls a minute, {args.latency * 1000:.0f} ms latency a call")
        print(f"achieved calls a minute: {per_minute:.0f}")
        print(f"ratio to the limit:      {per_minute / args.limit:.2f} (target >= 0.9)")


def seed(uow: UnitOfWorkFactory, slack: FakeSlack, xero: XeroEmulator, count: int) -> object:
    token = connect(xero.url, client_id=xero.client_id, client_secret=xero.client_secret)
    xero.add_contact(xero.default_tenant_id, "Bench Supplier")
    now = datetime.now(UTC)
    with uow() as work:
        workspace = work.workspaces.ensure(slack.team_id)
        connection = seeding.connection(work, workspace.id, xero.default_tenant_id, "Demo Company (UK)", token, now)
        source = SourceAccount(workspace_id=workspace.id, external_id="acc-gbp", name="Operating GBP", currency="GBP")
        work.session.add(source)
        work.session.flush()
        for n in range(count):
            payment = seeding.approved_with_receipt(seeding.coded_payment(workspace.id, source.id, n), n, now)
            work.session.add(payment)
        work.commit()
        return tenant_ref(connection)


if __name__ == "__main__":
    main()
