"""Posting new payments to the finance channel: once each, at Slack's pace, a summary for a burst.

The payment rows are the queue: a post is marked started (and committed) before Slack is called, and its
ts is stored right after. If Slack fails, or the bot stops before the ts is stored, the payment is posted
again later with a growing backoff; that later attempt first looks for the message the earlier one may have
left (the bot's own message whose metadata carries the payment's key) and adopts it, so nothing is posted
twice.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, Protocol

from bot.clock import Clock
from bot.errors import DomainError
from bot.pacing import ChannelPace, LocalPace
from bot.payments.coding import Changed, CodingService
from bot.settings import Settings
from bot.slack.clients import SLACK_OR_INSTALL_FAILURES, slack_error_code
from bot.slack.directory import SlackDirectory
from bot.slack.outbox import backoff
from bot.slack.outbox_items import Marker
from storage.models import ConnectionState, Payment
from storage.outbox import CARD_REDRAW, redraw_key
from storage.uow import UnitOfWorkFactory

logger = logging.getLogger(__name__)

BURST_THRESHOLD = 20
POST_LEASE = timedelta(minutes=2)  # a post started longer ago than this was cut short: retry it


class CardPublisher(Protocol):
    """Renders and sends payment messages (implemented on the Slack side, in handlers.cards)."""

    def post_card(self, team_id: str, channel: str, changed: Changed, marker: Marker) -> str: ...

    def update_card(self, team_id: str, changed: Changed) -> None: ...

    def post_summary(
        self, team_id: str, channel: str, count: int, totals: dict[str, Decimal], marker: Marker
    ) -> str: ...

    def find_own(self, team_id: str, channel: str, marker: Marker, thread_ts: str | None = None) -> str | None: ...

    def permalink(self, team_id: str, channel: str, ts: str) -> str | None: ...


class PostFailed(Exception):
    """Slack did not take a post; the payments wait for their next attempt."""


def card_marker(payment_id: int) -> Marker:
    return Marker("payment_card_posted", f"card:{payment_id}")


@dataclass(frozen=True)
class Destination:
    workspace_id: int
    team_id: str
    channel: str


class PostingService:
    def __init__(
        self,
        *,
        settings: Settings,
        uow: UnitOfWorkFactory,
        clock: Clock,
        coding: CodingService,
        directory: SlackDirectory,
        publisher: CardPublisher,
        interval_seconds: float = 1.0,
        pace: ChannelPace | None = None,
    ) -> None:
        self._settings = settings
        self._uow = uow
        self._clock = clock
        self._coding = coding
        self._directory = directory
        self.interval_seconds = interval_seconds  # 0 turns Slack's pace off (tests)
        self._pace = pace or LocalPace()
        self._publisher = publisher

    def waiting_reason(self, workspace_id: int) -> str | None:
        """Why new payments are not being posted in this workspace, or None when they are."""
        with self._uow() as work:
            workspace = work.workspaces.get(workspace_id)
            connection = work.connections.active_for(workspace_id)
            channel = (workspace.finance_channel_id if workspace else None) or self._settings.finance_channel
        if not channel:
            return "no finance channel is set (an admin sets one in /xero settings)"
        if connection is None or connection.state is not ConnectionState.CONNECTED:
            return "Xero is not connected (an admin runs /xero connect)"
        return None

    def destinations(self) -> list[Destination]:
        found = []
        with self._uow() as work:
            for workspace in work.workspaces.all_active():
                channel = workspace.finance_channel_id or self._settings.finance_channel
                connection = work.connections.active_for(workspace.id)
                if channel and connection is not None and connection.state is ConnectionState.CONNECTED:
                    found.append(Destination(workspace.id, workspace.team_id, channel))
        return found

    def post_due(self) -> int:
        """Post what is waiting, the workspaces taking turns a message each, each channel at Slack's pace;
        returns how many payments were announced."""
        posted = 0
        turns = deque((d, True) for d in self.destinations())
        while turns:
            waits = []
            for _ in range(len(turns)):
                destination, first = turns.popleft()
                try:
                    count, more, wait = self._post_one(destination, first=first)
                except PostFailed as failed:
                    logger.warning("posting to workspace %s stopped: %s", destination.workspace_id, failed)
                    continue
                posted += count
                if wait:
                    waits.append(wait)
                if more:
                    turns.append((destination, False))
            if turns and len(waits) == len(turns):
                time.sleep(min(waits))  # every channel with posts waiting is at Slack's limit
        return posted

    def _post_one(self, destination: Destination, *, first: bool) -> tuple[int, bool, float]:
        """One message to the workspace's channel: (payments announced, more waiting, seconds the pace asks)."""
        now = self._clock.now()
        if first:
            with self._uow() as work:
                waiting = work.payments.count_unposted(destination.workspace_id, now)
            if not waiting:
                return 0, False, 0.0
            if waiting > BURST_THRESHOLD:
                return self._post_summary(destination), False, 0.0
        wait = self._pace.ready(destination.workspace_id, destination.channel) if self.interval_seconds else 0.0
        if wait:
            return 0, True, wait
        with self._uow() as work:
            claimed = work.payments.claim_unposted(destination.workspace_id, now, limit=1)
            if not claimed:
                return 0, False, 0.0
            started = self._start(claimed)[0]
            work.commit()
        self._post_card(destination, *started)
        return 1, True, 0.0

    def _start(self, payments: Sequence[Payment]) -> list[tuple[int, bool]]:
        """Mark posts as started before Slack is called: (payment id, whether an earlier attempt may have
        posted it already)."""
        started = []
        for payment in payments:
            payment.post_attempts += 1
            payment.post_next_attempt_at = self._clock.now() + POST_LEASE
            started.append((payment.id, payment.post_attempts > 1))
        return started

    def _post_card(self, destination: Destination, payment_id: int, outcome_unknown: bool) -> None:
        marker = card_marker(payment_id)
        try:
            ts = self._publisher.find_own(destination.team_id, destination.channel, marker) if outcome_unknown else None
            changed = self._with_spender(destination, payment_id)
            if ts is None:
                ts = self._publisher.post_card(destination.team_id, destination.channel, changed, marker)
        except SLACK_OR_INSTALL_FAILURES as failure:
            self._failed([payment_id], failure)
            raise PostFailed(slack_error_code(failure)) from None
        with self._uow() as work:
            payment = work.payments.get(destination.workspace_id, payment_id)
            if payment is None:
                return
            work.payments.record_delivery(
                destination.workspace_id, [payment_id], message_ts=ts, **self._posted(destination)
            )
            if payment.version != changed.card.version:  # changed while it was being posted: show that too
                work.outbox.add(
                    kind=CARD_REDRAW,
                    key=redraw_key(payment_id),
                    workspace_id=destination.workspace_id,
                    payment_id=payment_id,
                    due=self._clock.now(),
                )
            work.commit()
        self._keep_permalink(destination, [payment_id], ts)

    def _with_spender(self, destination: Destination, payment_id: int) -> Changed:
        """The payment as its message shows it, with the spender matched by email (mentioned on the card)."""
        with self._uow() as work:
            stored = work.payments.get(destination.workspace_id, payment_id)
            email = stored.spender_email if stored and not stored.spender_user_id else None
        found = self._directory.user_by_email(destination.team_id, email) if email else None
        with self._uow() as work:
            payment = work.payments.get(destination.workspace_id, payment_id)
            if payment is None:
                raise DomainError("the payment is gone")
            if email and found is not None:
                payment.spender_user_id = found.user_id
            changed = self._coding.changed(work, payment)
            work.commit()
        return changed

    def _keep_permalink(self, destination: Destination, payment_ids: list[int], ts: str) -> None:
        """The link Xero shows back to the message; without it the redraw tries again (Xero's link to the
        payment never depends on it: bot.sync.engine marks the transaction itself)."""
        link = self._publisher.permalink(destination.team_id, destination.channel, ts)
        if not link:
            return
        with self._uow() as work:  # a link, not a change anyone made: it never conflicts with one
            work.payments.record_delivery(destination.workspace_id, payment_ids, message_url=link)
            work.commit()

    def _posted(self, destination: Destination) -> dict[str, Any]:
        """What a message Slack took records on its payments, besides its ts."""
        return {
            "channel_id": destination.channel,
            "posted_at": self._clock.now(),
            "post_last_error": None,
            "post_next_attempt_at": None,
        }

    def _failed(self, payment_ids: list[int], failure: Exception) -> None:
        reason = slack_error_code(failure)
        with self._uow() as work:
            for payment_id in payment_ids:
                payment = work.session.get(Payment, payment_id)
                if payment is None or payment.message_ts or payment.summary_ts:
                    continue
                retry_at = self._clock.now() + backoff(payment.post_attempts)
                work.payments.record_delivery(
                    payment.workspace_id, [payment.id], post_last_error=reason[:1000], post_next_attempt_at=retry_at
                )
            work.commit()

    def _post_summary(self, destination: Destination) -> int:
        with self._uow() as work:
            claimed = work.payments.claim_unposted(destination.workspace_id, self._clock.now(), limit=None)
            if not claimed:
                return 0
            totals: dict[str, Decimal] = {}
            for payment in claimed:
                totals[payment.currency] = totals.get(payment.currency, Decimal(0)) + payment.amount
            started = self._start(claimed)
            work.commit()
        ids = [payment_id for payment_id, _ in started]
        # The first payment of the burst keys its summary: a retry of the same burst claims it again.
        marker = Marker("payments_summary_posted", f"summary:{destination.workspace_id}:{min(ids)}")
        try:
            ts = None
            if any(unknown for _, unknown in started):
                ts = self._publisher.find_own(destination.team_id, destination.channel, marker)
            if ts is None:
                ts = self._publisher.post_summary(destination.team_id, destination.channel, len(ids), totals, marker)
        except SLACK_OR_INSTALL_FAILURES as failure:
            self._failed(ids, failure)
            raise PostFailed(slack_error_code(failure)) from None
        with self._uow() as work:
            work.payments.record_delivery(destination.workspace_id, ids, summary_ts=ts, **self._posted(destination))
            work.commit()
        self._keep_permalink(destination, ids, ts)
        return len(ids)
