"""Posting a new payment's card: the message is recorded, and its Slack link is kept even while another process
(a bulk sync, a person's edit) changes the payment between reading and writing it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.clock import FrozenClock
from bot.connection.roles import Roles
from bot.payments.coding import Changed, CodingService
from bot.payments.posting import BURST_THRESHOLD, PostingService
from bot.settings import load_settings
from bot.slack.directory import SlackDirectory
from bot.slack.outbox_items import Marker
from storage.models import Payment
from storage.uow import UnitOfWorkFactory
from tests.services.conftest import Books

CHANNEL = "C0FINANCE"
LINK = "https://slack.example.com/archives/C0FINANCE/p1700000000000100"


class Publisher:
    """Slack as posting sees it: takes every card, and gives each message its link."""

    def post_card(self, team_id: str, channel: str, changed: Changed, marker: Marker) -> str:
        return "1700000000.000100"

    def update_card(self, team_id: str, changed: Changed) -> None: ...

    def post_summary(self, *args: Any) -> str:
        return "1700000000.000100"

    def find_own(self, team_id: str, channel: str, marker: Marker) -> str | None:
        return None

    def permalink(self, team_id: str, channel: str, ts: str) -> str | None:
        return LINK


def posting(books: Books, uow: UnitOfWorkFactory, clock: FrozenClock) -> PostingService:
    def no_slack(team_id: str) -> Any:
        raise AssertionError("no spender to look up")

    directory = SlackDirectory(no_slack)
    coding = CodingService(uow=uow, clock=clock, roles=Roles(uow=uow, directory=directory))
    settings = load_settings(_env_file=None, finance_channel=CHANNEL)
    return PostingService(
        settings=settings, uow=uow, clock=clock, coding=coding, directory=directory, publisher=Publisher(),
        interval_seconds=0,
    )  # fmt: skip


@pytest.mark.parametrize("arriving", [1, BURST_THRESHOLD + 1], ids=["a card", "a burst's summary"])
def test_the_message_and_its_link_are_recorded_though_a_sync_changes_the_payments_meanwhile(
    books: Books, uow: UnitOfWorkFactory, clock: FrozenClock, engine: Engine, arriving: int
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's writes begin IMMEDIATE, one at a time: no other write can land in between")
    ids = [books.payment(f"pay_{n}", approved=False, message_url=None) for n in range(arriving)]
    bumped: list[int] = []

    def another_process_writes(session: Session, *args: Any) -> None:
        recording = [p for p in session.dirty if isinstance(p, Payment) and _changed(p) & RECORDED]
        if recording and not bumped:  # the bulk sync records Xero's answer for one of them just now
            with engine.begin() as other:
                other.execute(text("UPDATE payments SET version = version + 1 WHERE id = :id"), {"id": ids[0]})
            bumped.append(ids[0])

    event.listen(uow.sessions, "before_flush", another_process_writes)
    try:
        assert posting(books, uow, clock).post_due() == arriving
    finally:
        event.remove(uow.sessions, "before_flush", another_process_writes)

    for payment_id in ids:
        stored = books.stored(payment_id)
        assert (stored.channel_id, stored.message_url, stored.post_next_attempt_at) == (CHANNEL, LINK, None)
        assert (stored.message_ts or stored.summary_ts) == "1700000000.000100"


RECORDED = {"message_ts", "summary_ts", "message_url"}


def _changed(payment: Payment) -> set[str]:
    state = inspect(payment)
    return {name for name in RECORDED if state.attrs[name].history.has_changes()}
