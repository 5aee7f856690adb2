"""Slack's side taken in turn: the outbox serves workspaces an item each, and posts keep to a channel's pace."""

from __future__ import annotations

from typing import Any

from bot.clock import FrozenClock
from bot.connection.roles import Roles
from bot.pacing import LocalPace
from bot.payments.coding import CodingService
from bot.slack.deliveries import Deliveries
from bot.slack.directory import SlackDirectory
from bot.slack.outbox import SlackOutbox
from bot.slack.outbox_items import NOTICE, Marker
from storage.uow import UnitOfWorkFactory
from tests.bot.test_outbox import FakeSender


class NoticeSender(FakeSender):
    def post_notice(self, team_id: str, channel: str, text: str, blocks: Any, marker: Marker) -> str:
        self.shown.append(("notice", (team_id, text)))
        return "1.000100"


def no_slack(team_id: str) -> Any:
    raise AssertionError("the directory is not used here")


def test_the_outbox_serves_workspaces_in_turn_not_oldest_first(uow: UnitOfWorkFactory) -> None:
    clock = FrozenClock()
    sender = NoticeSender()
    directory = SlackDirectory(no_slack)
    coding = CodingService(uow=uow, clock=clock, roles=Roles(uow=uow, directory=directory))
    deliveries = Deliveries(uow=uow, clock=clock, coding=coding, directory=directory, sender=sender)
    outbox = SlackOutbox(uow=uow, clock=clock, deliveries=deliveries, pace=LocalPace(burst=10))
    with uow() as work:
        busy, quiet = work.workspaces.ensure("TBUSY").id, work.workspaces.ensure("TQUIET").id
        work.commit()
    for n in range(5):
        with uow() as work:
            outbox.record(work, NOTICE, f"notice:busy-{n}", workspace_id=busy, payload={"channel": "C1", "text": n})
            work.commit()
    clock.advance(seconds=1)
    with uow() as work:
        outbox.record(work, NOTICE, "notice:quiet", workspace_id=quiet, payload={"channel": "C2", "text": "q"})
        work.commit()

    assert outbox.deliver_due() == 6

    sent = [team for what, (team, _text) in sender.shown if what == "notice"]
    assert sent[:2] == ["TBUSY", "TQUIET"], "the quiet workspace's notice goes within the first round"
    assert sent.count("TBUSY") == 5


def test_a_channel_takes_a_burst_then_one_post_a_second_and_other_channels_are_not_held_up() -> None:
    now = [0.0]
    pace = LocalPace(burst=3, monotonic=lambda: now[0])

    assert [pace.ready(1, "C1") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert pace.ready(1, "C1") == 3.0, "the fourth post in three seconds waits"
    assert pace.ready(1, "C2") == 0.0
    assert pace.ready(2, "C1") == 0.0, "another workspace's channel of the same id is its own"
    now[0] = 3.0
    assert pace.ready(1, "C1") == 0.0


def test_a_channel_waiting_for_its_turn_holds_up_no_other_workspace(uow: UnitOfWorkFactory) -> None:
    """The busy channel's fourth post is given back until its turn; the other workspace's notice goes first,
    and the waiting is not counted as a failed attempt."""
    clock, now = FrozenClock(), [0.0]
    sender = NoticeSender()
    happened: list[str] = []

    def sleep(seconds: float) -> None:
        happened.append(f"waited {seconds:.0f} s")
        now[0] += seconds
        clock.advance(seconds=seconds)

    directory = SlackDirectory(no_slack)
    coding = CodingService(uow=uow, clock=clock, roles=Roles(uow=uow, directory=directory))
    deliveries = Deliveries(uow=uow, clock=clock, coding=coding, directory=directory, sender=sender)
    pace = LocalPace(burst=3, monotonic=lambda: now[0])
    outbox = SlackOutbox(uow=uow, clock=clock, deliveries=deliveries, pace=pace, sleep=sleep)
    with uow() as work:
        busy, quiet = work.workspaces.ensure("TBUSY").id, work.workspaces.ensure("TQUIET").id
        work.commit()
    for _ in range(3):
        assert pace.ready(busy, "C1") == 0.0  # the busy channel has just had its burst
    with uow() as work:
        outbox.record(work, NOTICE, "notice:busy", workspace_id=busy, payload={"channel": "C1", "text": "b"})
        work.commit()
    clock.advance(seconds=1)
    with uow() as work:
        outbox.record(work, NOTICE, "notice:quiet", workspace_id=quiet, payload={"channel": "C2", "text": "q"})
        work.commit()
    sender.shown.clear()
    original_post = sender.post_notice

    def post_notice(team_id: str, channel: str, text: str, blocks: Any, marker: Marker) -> str:
        happened.append(f"posted for {team_id}")
        return original_post(team_id, channel, text, blocks, marker)

    sender.post_notice = post_notice  # type: ignore[method-assign]

    assert outbox.deliver_due() == 2

    assert happened == ["posted for TQUIET", "waited 3 s", "posted for TBUSY"]
    with uow() as work:
        assert work.outbox.waiting(busy).count == 0, "waiting for a turn is not a failure /xero status reports"
