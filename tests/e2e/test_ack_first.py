"""Slack gets its answer before the bot calls Slack or Xero or writes to its database for that request.

Every side effect lands on one timeline with a sequence number: each call the Slack fake receives (Web API,
response_url, file download), each request the Xero emulator receives, each INSERT/UPDATE/DELETE the bot's
engine sends, and each `ack()`. One request at a time goes through the real HTTP app (the scheduler paused, so
nothing else runs), and the request's first ack must come before every side effect that follows it.
Not timed: only the order is checked.
"""

from __future__ import annotations

import gc
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from slack_bolt.context.ack.ack import Ack
from slack_bolt.middleware.custom_middleware import CustomMiddleware
from sqlalchemy import event

from bot.heap import GC_YOUNG_OBJECTS
from bot.slack.direct import DirectMiddleware
from handlers.commands import ANSWER_IS_ALL
from sandbox.slack import FakeSlack
from sandbox.slack.server import Router
from sandbox.slack.transports import SenderResponse
from sandbox.xero import XeroEmulator
from tests.e2e.conftest import ADMIN, EMPLOYEE, FINANCE, FINANCE_CHANNEL, RunningBot, eventually
from tests.e2e.payments_flow import payment, send, wait_for_cards
from tests.e2e.xero_flow import connect

# The one row an event writes before its ack: its id, so that with the database down the event is answered 500
# and Slack delivers it again (bot/app.py). And a command's replay record (bot/slack/replays.py), unless its
# answer needs nothing but the words typed (`/xero help`): with the database down its answer is the apology.
EVENT_RECORD = "processed_events"
REPLAY_RECORD = "seen_slack_requests"


@dataclass(frozen=True)
class Step:
    seq: int
    kind: str  # "ack", "slack", "xero" or "db"
    what: str


class Timeline:
    def __init__(self) -> None:
        self._counter = itertools.count()
        self._lock = threading.Lock()
        self.steps: list[Step] = []
        self._idle: tuple[int, float] | None = None  # the steps seen, and since when, when last found quiet

    def add(self, kind: str, what: str) -> None:
        with self._lock:
            self.steps.append(Step(next(self._counter), kind, what))

    def mark(self) -> int:
        with self._lock:
            return len(self.steps)

    def quiet(self, for_seconds: float = 0.5, timeout: float = 15.0) -> None:
        """Wait until nothing has happened for a while: the last request's work is done. Nothing new since the
        timeline was last found quiet means it has been quiet ever since: no second wait."""
        deadline = time.monotonic() + timeout
        seen, since = self.mark(), time.monotonic()
        if self._idle is not None and self._idle[0] == seen:
            since = self._idle[1]
        while time.monotonic() < deadline:
            if self.mark() != seen:
                seen, since = self.mark(), time.monotonic()
            elif time.monotonic() - since >= for_seconds:
                self._idle = (seen, since)
                return
            time.sleep(0.05)
        raise AssertionError("the bot kept working for 15 s after a request")


@pytest.fixture
def timeline(bot: RunningBot, xero: XeroEmulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Timeline]:
    line = Timeline()
    acknowledge, route, handle = Ack.__call__, Router.route, xero._core.handle

    def ack(self: Ack, *args: Any, **kwargs: Any) -> Any:
        line.add("ack", str(kwargs.get("response_action") or kwargs.get("text") or "")[:60])
        return acknowledge(self, *args, **kwargs)

    def slack_call(self: Router, verb: str, target: str, *args: Any) -> Any:
        line.add("slack", f"{verb} {target.split('?')[0]}")
        return route(self, verb, target, *args)

    def xero_call(request: Any) -> Any:
        line.add("xero", f"{getattr(request, 'method', '')} {getattr(request, 'path', '')}")
        return handle(request)

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if sql.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            line.add("db", " ".join(sql.split())[:80])

    monkeypatch.setattr(Ack, "__call__", ack)
    monkeypatch.setattr(Router, "route", slack_call)
    monkeypatch.setattr(xero._core, "handle", xero_call)
    event.listen(bot.deps.engine, "before_cursor_execute", statement)
    try:
        yield line
    finally:
        event.remove(bot.deps.engine, "before_cursor_execute", statement)


def side_effects_of(
    line: Timeline, send_request: Callable[[], SenderResponse], until: str | None = None
) -> tuple[Step, list[Step]]:
    """Sends one request with the bot otherwise idle; its first ack and every side effect that followed (once the
    effect `until` names has happened, when given: a busy machine may pause longer than `quiet` waits)."""
    line.quiet()
    start = line.mark()
    answer = send_request()
    assert answer.status == 200, answer.body
    if until is not None:
        eventually(lambda: any(until in f"{step.kind} {step.what}" for step in line.steps[start:]))
    line.quiet()
    steps = line.steps[start:]
    acks = [step for step in steps if step.kind == "ack"]
    assert acks, "the request was acknowledged"
    return acks[0], [step for step in steps if step.kind != "ack"]


def assert_acked_first(
    line: Timeline, send_request: Callable[[], SenderResponse], *, expect: str, record: str | None = None
) -> None:
    ack, effects = side_effects_of(line, send_request, until=expect)
    allowed = [step for step in effects if step.kind == "db" and record is not None and record in step.what]
    assert len(allowed) <= 1, f"one record at most: {allowed}"
    before = [step for step in effects if step.seq < ack.seq and step not in allowed]
    assert before == [], f"done before Slack had its answer: {before}"
    assert any(expect in f"{step.kind} {step.what}" for step in effects), f"expected {expect!r} after the ack"


@pytest.fixture
def card(bot: RunningBot, slack: FakeSlack) -> dict[str, Any]:
    connect(bot, slack)
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL)
    bot.server.scheduler.pause()
    send(bot, payment("pay_ack", account={"id": "acc-gbp-1", "name": "GBP", "currency": "GBP"}, currency="GBP"))
    bot.server.run_job("post_new_payments")
    [posted] = wait_for_cards(slack, 1)
    return posted


def test_clicks_options_and_home_actions_are_acked_before_anything_is_done(
    bot: RunningBot, slack: FakeSlack, card: dict[str, Any], timeline: Timeline
) -> None:
    ts = card["ts"]
    assert_acked_first(
        timeline, lambda: bot.sender.select(FINANCE, FINANCE_CHANNEL, ts, "payment_tax", "INPUT2"), expect="UPDATE"
    )
    assert_acked_first(
        timeline, lambda: bot.sender.click(FINANCE, FINANCE_CHANNEL, ts, "payment_edit"), expect="views.open"
    )
    ack, effects = side_effects_of(timeline, lambda: bot.sender.suggest(FINANCE, "payment_account", "4", **_on(ts)))
    assert [step for step in effects if step.kind != "db"] == [], "an options load asks Slack and Xero nothing"
    assert [step for step in effects if step.seq < ack.seq] == [], "nor writes before its answer"

    home_opened = bot.sender.app_home_opened(FINANCE)
    assert_acked_first(timeline, lambda: bot.sender.event(home_opened), expect="views.publish", record=EVENT_RECORD)
    home = eventually(lambda: slack.home_view(FINANCE))
    assert_acked_first(
        timeline, lambda: bot.sender.click_in_view(FINANCE, home["id"], "home_tab_synced"), expect="views.publish"
    )


def test_commands_answer_before_calling_slack_or_xero_or_changing_anything(
    bot: RunningBot, slack: FakeSlack, card: dict[str, Any], timeline: Timeline
) -> None:
    help_ack, after_help = side_effects_of(timeline, lambda: bot.sender.slash_command("help", ADMIN, FINANCE_CHANNEL))
    assert [step for step in after_help if step.seq < help_ack.seq] == [], "help changes nothing, before or after"
    assert [step for step in after_help if step.kind == "db"] == []
    assert_acked_first(
        timeline,
        lambda: bot.sender.slash_command("status", ADMIN, FINANCE_CHANNEL),
        expect="xero GET",
        record=REPLAY_RECORD,
    )
    # `/xero role` answers with the outcome of the change, so it saves first; it still calls no one before.
    role_ack, after_role = side_effects_of(
        timeline, lambda: bot.sender.slash_command(f"role <@{EMPLOYEE}|ana> none", ADMIN, FINANCE_CHANNEL)
    )
    assert [step for step in after_role if step.seq < role_ack.seq and step.kind != "db"] == []


def test_subcommands_answered_on_the_request_thread_do_nothing_after_their_answer(
    bot: RunningBot, slack: FakeSlack, card: dict[str, Any], timeline: Timeline
) -> None:
    """Their listener runs on the request thread (bot/app.py `answer_is_all`): a step after the answer would hold
    the answer back until it was done."""
    for words in sorted(ANSWER_IS_ALL):
        text = f"{words} <@{EMPLOYEE}|ana> none" if words == "role" else words
        ack, effects = side_effects_of(timeline, partial(bot.sender.slash_command, text, ADMIN, FINANCE_CHANNEL))
        assert [step for step in effects if step.seq > ack.seq] == [], f"/xero {text}"


def test_the_edit_form_answers_before_its_save_and_calls_slack_after(
    bot: RunningBot, slack: FakeSlack, card: dict[str, Any], timeline: Timeline
) -> None:
    """What was typed is checked in memory and the form closes; the save follows (a refused one brings the form
    back, test_refusals.py), then the card's redraw."""
    bot.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_edit")
    modal = eventually(lambda: (slack.modals(FINANCE) or [None])[-1])
    values = {"edit_description": {"value": "Team lunch"}}
    ack, effects = side_effects_of(
        timeline, lambda: bot.sender.submit_view(FINANCE, modal["id"], values), until="chat.update"
    )
    assert [step for step in effects if step.seq < ack.seq] == [], "nothing before the answer"
    assert any("UPDATE payments" in step.what for step in effects)
    eventually(lambda: "Team lunch" in slack.rendered_text(slack.message(FINANCE_CHANNEL, card["ts"])))


def _on(ts: str) -> dict[str, Any]:
    return {"channel": FINANCE_CHANNEL, "ts": ts}


def test_a_serving_bot_leaves_what_it_built_at_start_out_of_garbage_collections(bot: RunningBot) -> None:
    """At fifty requests at once, collections walking the start-up heap took most of the interpreter's time
    (README, Performance): while it serves, that heap is frozen and the youngest generation collected less often,
    by a thread of the bot's own between answers rather than by whichever thread allocates (bot/heap.py)."""
    assert gc.get_freeze_count() > 10_000
    assert gc.get_threshold()[0] == GC_YOUNG_OBJECTS
    assert not gc.isenabled()
    assert "collector" in {thread.name for thread in threading.enumerate()}


def test_the_bots_middleware_is_called_with_just_what_it_asks_for(bot: RunningBot) -> None:
    """Bolt's own wrapper builds some forty arguments per call (bot/slack/direct.py): none of the bot's uses it."""
    chain = bot.server.slack_app._middleware_list
    ours = [middleware for middleware in chain if isinstance(middleware, DirectMiddleware)]
    assert len(ours) == 5 and not [middleware for middleware in chain if isinstance(middleware, CustomMiddleware)]
