"""Posting a new payment's card: the message is recorded, and its Slack link is kept even while another process
(a bulk sync, a person's edit) changes the payment between reading and writing it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.clock import FrozenClock
from bot.connection.roles import Roles
from bot.payments.coding import Changed, CodingService
from bot.payments.posting import PostingService
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
        raise AssertionError("one payment is posted as a card")

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


def test_the_link_is_kept_though_a_sync_changes_the_payment_while_it_is_written(
    books: Books, uow: UnitOfWorkFactory, clock: FrozenClock, engine: Engine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's writes begin IMMEDIATE, one at a time: no other write can land in between")
    payment_id = books.payment(approved=False, message_url=None, amount=Decimal("12.00"))
    bumped: list[int] = []

    def another_process_writes(session: Session, *args: Any) -> None:
        linking = [p for p in session.dirty if isinstance(p, Payment) and "message_url" in _changed(p)]
        if linking and not bumped:  # the bulk sync records its answer for this payment just now
            with engine.begin() as other:
                other.execute(text("UPDATE payments SET version = version + 1 WHERE id = :id"), {"id": payment_id})
            bumped.append(payment_id)

    event.listen(uow.sessions, "before_flush", another_process_writes)
    try:
        assert posting(books, uow, clock).post_due() == 1
    finally:
        event.remove(uow.sessions, "before_flush", another_process_writes)

    stored = books.stored(payment_id)
    assert (stored.message_ts, stored.message_url) == ("1700000000.000100", LINK)


def _changed(payment: Payment) -> set[str]:
    state = inspect(payment)
    return {name for name in ("message_url",) if state.attrs[name].history.has_changes()}
