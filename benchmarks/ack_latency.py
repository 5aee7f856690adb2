"""How fast Slack gets its answer from the bot, side by side with a bare Bolt app, in one run.

Both apps are served by waitress on loopback with the same signing secret and receive the same kinds of
request, built by the Slack fake exactly as Slack builds them: the `/xero help` slash command, a tax
select on a real payment card, a submission of the payment's Edit modal, and an account search
(options load). Each kind is sent one at a time and then 50 at a time, alternating between the bot and
the bare app so both see the same machine. `--busy` keeps another process spinning on one core, and
`--under-load` also keeps a 1000-payment bulk sync (with receipts) running in the bot meanwhile.

Prints p50/p99 in milliseconds for each app and the bot/bare p99 ratio per row. Targets: every ratio at
most 1.5 and every bot p99 under 300 ms at 50 at once.

    python benchmarks/ack_latency.py [--sequential 150] [--concurrent 300] [--busy] [--under-load]
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import statistics
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient
from waitress.server import create_server

from sandbox.slack import FakeSlack, interactions
from sandbox.slack.transports import HttpTransport, SenderResponse
from sandbox.xero import XeroEmulator
from storage.crypto import KeyRing, generate_key
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import (
    ADMIN,
    EMPLOYEE,
    FINANCE,
    FINANCE_CHANNEL,
    SIGNING_SECRET,
    RunningBot,
    eventually,
    free_port,
    running_bot,
)
from tests.e2e.payments_flow import cards, payment, send
from tests.e2e.xero_flow import connect

TARGET_RATIO = 1.5
TARGET_P99_MS = 300.0
AT_ONCE = 50


@dataclass
class Row:
    kind: str
    mode: str
    bot: list[float]
    bare: list[float]

    def line(self) -> str:
        bot50, bot99 = percentiles(self.bot)
        bare50, bare99 = percentiles(self.bare)
        ratio = bot99 / bare99 if bare99 else float("inf")
        meets = ratio <= TARGET_RATIO and (self.mode == "1 at a time" or bot99 < TARGET_P99_MS)
        return (
            f"{self.kind:<18} {self.mode:<12} {bot50:>8.1f} {bot99:>8.1f} {bare50:>8.1f} {bare99:>8.1f}"
            f" {ratio:>6.2f}  {'ok' if meets else 'MISSED'}"
        )


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(s * 1000 for s in samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


@contextmanager
def bare_bolt_app(slack: FakeSlack) -> Iterator[str]:
    """A Bolt app that only acks, on Flask + waitress like the bot: the floor the bot is measured against."""
    app = App(
        signing_secret=SIGNING_SECRET,
        client=WebClient(token=slack.bot_token, base_url=slack.api_url),
        token_verification_enabled=False,
    )
    app.command("/xero")(lambda ack: ack("Here is what /xero can do."))
    app.action(re.compile(".*"))(lambda ack: ack())
    app.view(re.compile(".*"))(lambda ack: ack())
    app.options(re.compile(".*"))(
        lambda ack: ack(options=[{"text": {"type": "plain_text", "text": "x"}, "value": "x"}])
    )
    flask = Flask("bare")
    handler = SlackRequestHandler(app)
    flask.add_url_rule("/slack/events", "events", lambda: handler.handle(request), methods=["POST"])
    server = create_server(flask, host="127.0.0.1", port=free_port(), threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/slack/events"  # type: ignore[union-attr]
    finally:
        server.close()


class Requests:
    """Builds each kind of request once per send, from the fake's view of the card and the modal."""

    def __init__(self, slack: FakeSlack, card_ts: str, view_id: str) -> None:
        self.slack = slack
        self.card_ts = card_ts
        self.view_id = view_id
        self._turn = 0

    def help(self, transport: HttpTransport) -> SenderResponse:
        channel = self.slack.channel_info(FINANCE_CHANNEL)
        fields = {
            "token": "fake-verification-token",
            "team_id": self.slack.team_id,
            "team_domain": self.slack.team_domain,
            "channel_id": channel["id"],
            "channel_name": channel.get("name", "finance"),
            "user_id": EMPLOYEE,
            "user_name": self.slack.user(EMPLOYEE)["name"],
            "command": "/xero",
            "text": "help",
            "api_app_id": self.slack.app_id,
            "is_enterprise_install": "false",
            "response_url": self.slack.issue_response_url(EMPLOYEE, channel["id"]),
            "trigger_id": self.slack.issue_trigger(EMPLOYEE),
        }
        return transport.command(fields)

    def tax_select(self, transport: HttpTransport) -> SenderResponse:
        self._turn += 1
        surface = self.slack.message_surface(FINANCE_CHANNEL, self.card_ts)
        value = "INPUT2" if self._turn % 2 else "NONE"
        payload = interactions.block_actions(
            self.slack,
            surface,
            user_id=FINANCE,
            action_id="payment_tax",
            chosen=value,
            block_id=None,
            verification_token="fake-verification-token",
        )
        return transport.interaction(payload)

    def edit_submit(self, transport: HttpTransport) -> SenderResponse:
        payload = interactions.view_submission(
            self.slack, self.view_id, user_id=FINANCE, values={}, verification_token="fake-verification-token"
        )
        return transport.interaction(payload)

    def account_search(self, transport: HttpTransport) -> SenderResponse:
        surface = self.slack.message_surface(FINANCE_CHANNEL, self.card_ts)
        payload = interactions.block_suggestion(
            self.slack,
            surface,
            user_id=FINANCE,
            action_id="payment_account",
            value="4",
            block_id=None,
            verification_token="fake-verification-token",
        )
        return transport.interaction(payload)


Send = Callable[[HttpTransport], SenderResponse]


def measure(deliver: Send, transport: HttpTransport, count: int, at_once: int) -> list[float]:
    def one(_: int) -> float:
        answer = deliver(transport)
        if answer.status != 200:
            raise SystemExit(f"an ack answered {answer.status}: {answer.body[:200]}")
        return answer.elapsed

    if at_once == 1:
        return [one(i) for i in range(count)]
    with ThreadPoolExecutor(at_once) as pool:
        return list(pool.map(one, range(count)))


def run_rows(
    requests: Requests, bot: HttpTransport, bare: HttpTransport, sequential: int, concurrent: int
) -> list[Row]:
    kinds: list[tuple[str, Send]] = [
        ("/xero help", requests.help),
        ("tax select", requests.tax_select),
        ("edit submission", requests.edit_submit),
        ("account options", requests.account_search),
    ]
    rows = []
    for name, deliver in kinds:
        for mode, total, at_once in (("1 at a time", sequential, 1), ("50 at once", concurrent, AT_ONCE)):
            row = Row(name, mode, [], [])
            step = max(1, at_once)
            for _ in range(0, total, step):  # interleaved: a round to the bot, then the same round to the bare app
                row.bot += measure(deliver, bot, step, at_once)
                row.bare += measure(deliver, bare, step, at_once)
            rows.append(row)
    return rows


def spin() -> None:
    while True:
        pass


def prepare(bot: RunningBot, slack: FakeSlack) -> Requests:
    connect(bot, slack)
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL)
    send(bot, payment("pay_bench", account={"id": "acc-gbp-1", "name": "GBP", "currency": "GBP"}, currency="GBP"))
    bot.server.run_job("post_new_payments")
    card = eventually(lambda: next(iter(cards(slack)), None))
    bot.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_edit")
    view = eventually(lambda: (slack.modals(FINANCE) or [None])[-1])
    return Requests(slack, card["ts"], view["id"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sequential", type=int, default=150)
    parser.add_argument("--concurrent", type=int, default=300)
    parser.add_argument("--busy", action="store_true", help="keep another process busy on one core")
    args = parser.parse_args()
    busy = multiprocessing.Process(target=spin, daemon=True) if args.busy else None
    key = generate_key()
    with tempfile.TemporaryDirectory() as folder, FakeSlack() as slack, XeroEmulator(validate=False) as xero:
        slack.add_user(ADMIN, "ada", "ada@example.com", is_admin=True)
        slack.add_user(FINANCE, "fiona", "fiona@example.com")
        slack.add_user(EMPLOYEE, "ana", "ana@example.com")
        slack.add_channel(FINANCE_CHANNEL, "finance", members=[ADMIN, FINANCE, EMPLOYEE, slack.bot_user_id])
        url = f"sqlite:///{folder}/bench.db"
        engine = create_engine(url, KeyRing.from_setting(key))
        upgrade(engine)
        uow = UnitOfWorkFactory(session_factory(engine))
        with running_bot(slack, xero, url, key, engine, uow) as bot, bare_bolt_app(slack) as bare_url:
            requests = prepare(bot, slack)
            if busy is not None:
                busy.start()
            bot_transport = HttpTransport(f"{bot.url}/slack/events", SIGNING_SECRET, 10.0)
            bare_transport = HttpTransport(bare_url, SIGNING_SECRET, 10.0)
            rows = run_rows(requests, bot_transport, bare_transport, args.sequential, args.concurrent)
    if busy is not None:
        busy.terminate()
    print(f"ack latency in ms, bot vs a bare Bolt app ({'one core busy' if args.busy else 'quiet'})")
    print(f"{'request':<18} {'mode':<12} {'bot p50':>8} {'bot p99':>8} {'bare p50':>8} {'bare p99':>8} {'ratio':>6}")
    for row in rows:
        print(row.line())
    print(f"targets: ratio <= {TARGET_RATIO} on every row; bot p99 < {TARGET_P99_MS:.0f} ms at {AT_ONCE} at once")


if __name__ == "__main__":
    main()
