"""How fast the Xero account search answers Slack with 1,000 usable accounts in the chart.

Runs the real bot over HTTP against the fake Slack, sends signed block_suggestion requests as Slack does,
and prints latency figures. Target: every answer under 200 ms (Slack waits 3 s for options).

    python benchmarks/account_search.py [--accounts 1000] [--requests 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_sdk import WebClient

from bot.bootstrap import Deps
from bot.server import BotServer
from bot.settings import load_settings
from sandbox.slack import FakeSlack, SlackSender
from storage.crypto import KeyRing, generate_key
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import XeroAccount, XeroConnection
from storage.uow import UnitOfWorkFactory

WORDS = ["Travel", "Software", "Meals", "Hosting", "Office", "Freight", "Insurance", "Legal", "Rent", "Training"]
QUERIES = ["", "4", "travel", "soft", "12", "office supplies", "xyz-not-there", "Meals 3"]


def seed(uow: UnitOfWorkFactory, team_id: str, accounts: int) -> None:
    with uow() as work:
        workspace = work.workspaces.ensure(team_id)
        connection = work.connections.add(
            XeroConnection(
                workspace_id=workspace.id,
                tenant_id=str(uuid.uuid4()),
                tenant_name="Bench Ltd",
                connected_by_user_id="UADMIN",
            )
        )
        for n in range(accounts):
            work.session.add(
                XeroAccount(
                    connection_id=connection.id,
                    account_id=str(uuid.uuid4()),
                    code=str(1000 + n),
                    name=f"{WORDS[n % len(WORDS)]} {n}",
                    type="EXPENSE",
                    status="ACTIVE",
                    tax_type="INPUT2",
                )
            )
        work.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    key = generate_key()
    with tempfile.TemporaryDirectory() as folder, FakeSlack() as slack:
        slack.add_user("UFIN", "fiona", "fiona@example.com", is_admin=True)
        url = f"sqlite:///{folder}/bench.db"
        engine = create_engine(url, KeyRing.from_setting(key))
        upgrade(engine)
        uow = UnitOfWorkFactory(session_factory(engine))
        seed(uow, slack.team_id, args.accounts)
        settings = load_settings(
            _env_file=None,
            database_url=url,
            encryption_key=key,
            slack_signing_secret="s",
            slack_bot_token=slack.bot_token,
            slack_api_url=slack.api_url,
        )
        server = BotServer(settings, Deps(engine=engine, uow=uow), host="127.0.0.1", port=0)
        threading.Thread(target=server.run, daemon=True).start()
        sender = SlackSender(f"http://127.0.0.1:{server.port}", "s", slack)
        slack.add_channel("C0BENCH", "finance", members=["UFIN", slack.bot_user_id])
        select = {
            "type": "external_select",
            "action_id": "payment_account",
            "min_query_length": 0,
            "placeholder": {"type": "plain_text", "text": "Xero account"},
        }
        posted = WebClient(base_url=slack.api_url, token=slack.bot_token).chat_postMessage(
            channel="C0BENCH",
            text="Payment",
            blocks=[{"type": "actions", "block_id": "payment_coding:1:1", "elements": [select]}],
        )
        timings, sizes = [], []
        for n in range(args.requests):
            started = time.perf_counter()
            answer = sender.suggest(
                "UFIN", "payment_account", QUERIES[n % len(QUERIES)], channel="C0BENCH", ts=posted["ts"]
            )
            timings.append((time.perf_counter() - started) * 1000)
            assert answer.status == 200, answer.body
            sizes.append(len(answer.json()["options"]))
        server.stop()
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"accounts in chart:     {args.accounts}")
    print(f"search requests:       {args.requests}")
    print(f"options per answer:    {min(sizes)} to {max(sizes)} (at most 100)")
    print(f"latency median:        {statistics.median(timings):.1f} ms")
    print(f"latency p95:           {p95:.1f} ms")
    print(f"latency max:           {timings[-1]:.1f} ms")
    print(f"target (< 200 ms):     {'met' if timings[-1] < 200 else 'NOT met'}")


if __name__ == "__main__":
    main()
