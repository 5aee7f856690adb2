"""The Slack outbox as a service, with a fake Slack sender: what is recorded, when it is sent, and that a late
or repeated send shows the current state and posts nothing twice."""

from __future__ import annotations

import gc
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.clock import FrozenClock
from bot.connection.roles import Roles
from bot.payments.coding import Changed, CodingService
from bot.slack.deliveries import Deliveries
from bot.slack.directory import SlackDirectory
from bot.slack.outbox import FIRST_RETRY, LAST_RETRY, SlackOutbox, backoff
from bot.slack.outbox_items import RECEIPT_ASK, Marker
from bot.sync.items import marked_url, markers_in
from storage.models import OutboxItem, Payment, PaymentState, SourceAccount
from storage.outbox import redraw_key, watch_card_changes
from storage.uow import UnitOfWorkFactory


def slack_down() -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/chat.update",
        req_args={},
        data={"ok": False, "error": "service_unavailable"},
        headers={},
        status_code=503,
    )
    return SlackApiError("Slack is down", response)


class FakeSender:
    """Slack as the outbox sees it: records what it was asked to show, fails while `down`."""

    def __init__(self) -> None:
        self.down = False
        self.shown: list[tuple[str, Any]] = []
        self.posted: dict[str, str] = {}  # marker key -> ts of the message Slack holds
        self.during_send: Any = None

    def _call(self, what: str, detail: Any) -> None:
        if self.during_send is not None:
            hook, self.during_send = self.during_send, None
            hook()
        if self.down:
            raise slack_down()
        self.shown.append((what, detail))

    def update_card(self, team_id: str, changed: Changed) -> None:
        self._call("update", (changed.card.payment_id, changed.card.version, changed.card.state))

    def permalink(self, team_id: str, channel: str, ts: str) -> str | None:
        return f"https://slack.test/archives/{channel}/p{ts.replace('.', '')}"

    def find_own(self, team_id: str, channel: str, marker: Marker, thread_ts: str | None = None) -> str | None:
        self.shown.append(("look", marker.key))
        return self.posted.get(marker.key)

    def open_dm(self, team_id: str, user_id: str) -> str:
        return f"D{user_id}"

    def post_ask(self, team_id: str, channel: str, changed: Changed, marker: Marker) -> str:
        ts = f"{len(self.posted) + 1}.000100"
        self.posted[marker.key] = ts  # Slack keeps it even when the answer is lost below
        self._call("ask", (channel, changed.card.payment_id))
        return ts

    def post_reminder(self, *args: Any) -> str:
        raise AssertionError("not expected")

    def post_digest(self, *args: Any) -> str:
        raise AssertionError("not expected")

    def post_reply(self, *args: Any) -> str:
        raise AssertionError("not expected")

    def react(self, *args: Any) -> None:
        raise AssertionError("not expected")

    def tell(self, *args: Any) -> None:
        raise AssertionError("not expected")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


@pytest.fixture
def outbox(uow: UnitOfWorkFactory, clock: FrozenClock, sender: FakeSender) -> SlackOutbox:
    watch_card_changes(uow.sessions, clock.now)

    def no_slack(team_id: str) -> Any:
        raise AssertionError("the directory is not used here")

    directory = SlackDirectory(no_slack)
    coding = CodingService(uow=uow, clock=clock, roles=Roles(uow=uow, directory=directory))
    deliveries = Deliveries(uow=uow, clock=clock, coding=coding, directory=directory, sender=sender)
    return SlackOutbox(uow=uow, clock=clock, deliveries=deliveries)


def posted_payment(uow: UnitOfWorkFactory, *, message_ts: str | None = "1700000000.000100") -> tuple[int, int]:
    with uow() as work:
        workspace = work.workspaces.ensure("T1")
        account = SourceAccount(workspace_id=workspace.id, external_id="acc-1", name="Operating", currency="SGD")
        work.session.add(account)
        work.session.flush()
        payment = work.payments.add(
            Payment(
                workspace_id=workspace.id,
                source_account_id=account.id,
                external_id="pay_1",
                amount=Decimal("12.00"),
                currency="SGD",
                date=date(2026, 11, 20),
                payee="Figma Inc",
                channel_id="C1" if message_ts else None,
                message_ts=message_ts,
                spender_user_id="U1",
            )
        )
        work.commit()
        return workspace.id, payment.id


def change(uow: UnitOfWorkFactory, workspace_id: int, payment_id: int, state: PaymentState) -> None:
    with uow() as work:
        payment = work.payments.get(workspace_id, payment_id)
        assert payment is not None
        payment.state = state
        payment.version += 1
        work.commit()


def pending(uow: UnitOfWorkFactory) -> list[OutboxItem]:
    with uow() as work:
        return list(work.session.query(OutboxItem).order_by(OutboxItem.id))


def test_backoff_doubles_from_seconds_to_an_hour_and_stays_there() -> None:
    for attempts, expected in [(1, FIRST_RETRY), (2, FIRST_RETRY * 2), (5, FIRST_RETRY * 16), (30, LAST_RETRY)]:
        assert expected * 0.8 <= backoff(attempts) <= expected * 1.2


def test_the_marker_is_a_parameter_of_its_own_compared_exactly() -> None:
    thread_link = "https://acme.slack.com/archives/C1/p1700000000000200?thread_ts=1700000000.000100&cid=C1"
    twelve = marked_url(thread_link, "1-12")
    assert markers_in(twelve) == ["1-12"] and "1-1" not in markers_in(twelve)
    assert "thread_ts=1700000000.000100" in twelve and "cid=C1" in twelve
    assert markers_in(marked_url(twelve, "1-1")) == ["1-1"], "a base that had a marker gets this payment's"
    assert markers_in("https://bot.example.com/?xeb=1-12&xeb2=1-1") == ["1-12"]
    assert markers_in("https://bot.example.com/?other=xeb%3D1-1") == []


def test_a_change_to_a_posted_payment_records_its_redraw_in_the_same_transaction(
    uow: UnitOfWorkFactory, outbox: SlackOutbox
) -> None:
    workspace_id, payment_id = posted_payment(uow)
    with uow() as work:
        payment = work.payments.get(workspace_id, payment_id)
        assert payment is not None
        payment.version += 1
        payment.state = PaymentState.APPROVED
        # not committed: neither the change nor its redraw is kept
    assert pending(uow) == []
    change(uow, workspace_id, payment_id, PaymentState.APPROVED)
    change(uow, workspace_id, payment_id, PaymentState.SYNCING)
    [row] = pending(uow)
    assert (row.dedupe_key, row.generation) == (redraw_key(payment_id), 2), "one row per payment, however often"


def test_recording_redraws_leaves_no_cyclic_garbage(uow: UnitOfWorkFactory, outbox: SlackOutbox) -> None:
    """A save's redraw is recorded on every change: what it leaves for the cyclic collector is paid in one pause,
    taken by whichever request is running (README, Performance). Column copies from an upsert's `excluded` and
    a payment's attribute states made up most of it."""
    workspace_id, payment_id = posted_payment(uow)
    change(uow, workspace_id, payment_id, PaymentState.APPROVED)  # what runs once per process is done
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for state in (PaymentState.SYNCING, PaymentState.APPROVED, PaymentState.SYNCING):
            change(uow, workspace_id, payment_id, state)
        gc.collect()
        left = Counter(type(thing).__name__ for thing in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert [row.generation for row in pending(uow)] == [4]
    assert not {"Column", "Alias", "AttributeState"} & set(left), left


def test_an_unposted_payment_has_nothing_to_redraw(uow: UnitOfWorkFactory, outbox: SlackOutbox) -> None:
    workspace_id, payment_id = posted_payment(uow, message_ts=None)
    change(uow, workspace_id, payment_id, PaymentState.APPROVED)
    assert pending(uow) == []


def test_a_redraw_slack_refuses_waits_with_backoff_then_shows_the_state_of_when_it_is_sent(
    uow: UnitOfWorkFactory, outbox: SlackOutbox, clock: FrozenClock, sender: FakeSender
) -> None:
    workspace_id, payment_id = posted_payment(uow)
    change(uow, workspace_id, payment_id, PaymentState.SYNCING)
    sender.down = True
    outbox.redraw_card(workspace_id, payment_id)
    [row] = pending(uow)
    assert row.last_error == "service_unavailable" and row.failing_since == clock.now()
    assert FIRST_RETRY * 0.8 <= row.next_attempt_at - clock.now() <= FIRST_RETRY * 1.2
    assert outbox.waiting(workspace_id).count == 1

    change(uow, workspace_id, payment_id, PaymentState.SYNCED)  # the sync finished meanwhile
    sender.down = False
    assert outbox.deliver_due() == 0, "not before its retry time"
    clock.advance(seconds=10)
    assert outbox.deliver_due() == 1
    assert sender.shown == [("update", (payment_id, 3, "synced"))]
    assert pending(uow) == [] and outbox.waiting(workspace_id).count == 0


def test_a_change_while_the_redraw_is_being_sent_is_drawn_too(
    uow: UnitOfWorkFactory, outbox: SlackOutbox, sender: FakeSender
) -> None:
    workspace_id, payment_id = posted_payment(uow)
    sender.during_send = lambda: change(uow, workspace_id, payment_id, PaymentState.SYNCED)
    outbox.redraw_card(workspace_id, payment_id)
    assert [detail for _, detail in sender.shown] == [(payment_id, 1, "pending"), (payment_id, 2, "synced")]
    assert pending(uow) == []


def test_a_post_whose_answer_was_lost_is_looked_for_and_adopted_not_posted_again(
    uow: UnitOfWorkFactory, outbox: SlackOutbox, clock: FrozenClock, sender: FakeSender
) -> None:
    workspace_id, payment_id = posted_payment(uow)
    key = f"{RECEIPT_ASK}:{payment_id}"
    with uow() as work:
        outbox.record(work, RECEIPT_ASK, key, workspace_id=workspace_id, payment_id=payment_id)
        work.commit()
    sender.down = True  # Slack stores the ask, then the answer fails
    outbox.deliver(key)
    assert sender.posted == {key: "1.000100"}
    sender.down = False
    clock.advance(minutes=1)
    outbox.deliver_due()
    assert sender.shown == [("look", key)], "found, so not posted a second time"
    with uow() as work:
        payment = work.payments.get(workspace_id, payment_id)
        assert payment is not None and (payment.dm_channel_id, payment.dm_ts) == ("DU1", "1.000100")
    assert pending(uow) == []


def test_a_claimed_item_is_not_sent_by_a_second_sender_until_its_lease_ends(
    uow: UnitOfWorkFactory, outbox: SlackOutbox, clock: FrozenClock
) -> None:
    workspace_id, payment_id = posted_payment(uow)
    change(uow, workspace_id, payment_id, PaymentState.APPROVED)
    with uow() as work:
        assert len(work.outbox.claim_due(clock.now(), timedelta(seconds=60), limit=10)) == 1
        work.commit()  # this sender then stops without finishing
    with uow() as work:
        assert work.outbox.claim_due(clock.now(), timedelta(seconds=60), limit=10) == []
        assert work.outbox.claim_key(redraw_key(payment_id), clock.now(), timedelta(seconds=60)) is None
    clock.advance(seconds=61)
    assert outbox.deliver_due() == 1
