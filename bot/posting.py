"""Posting new payments to the finance channel: once each, at Slack's pace, a summary for a burst."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Protocol

from slack_sdk.errors import SlackApiError

from bot.clock import Clock
from bot.coding import Changed, CodingService
from bot.settings import Settings
from bot.slack_directory import SlackDirectory
from storage.models import ConnectionState
from storage.uow import UnitOfWorkFactory

logger = logging.getLogger(__name__)

BURST_THRESHOLD = 20
RETRY_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)


class CardPublisher(Protocol):
    """Renders and sends payment messages (implemented on the Slack side, in handlers.cards)."""

    def post_card(self, team_id: str, channel: str, changed: Changed) -> str: ...

    def update_card(self, team_id: str, changed: Changed) -> None: ...

    def post_summary(self, team_id: str, channel: str, count: int, totals: dict[str, Decimal]) -> str: ...

    def permalink(self, team_id: str, channel: str, ts: str) -> str | None: ...


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
        interval_seconds: float = 1.0,
    ) -> None:
        self._settings = settings
        self._uow = uow
        self._clock = clock
        self._coding = coding
        self._directory = directory
        self.interval_seconds = interval_seconds
        self.publisher: CardPublisher | None = None

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
        """Post what is waiting in every ready workspace; returns how many payments were announced."""
        if self.publisher is None:
            return 0
        posted = 0
        for destination in self.destinations():
            try:
                posted += self._post_workspace(destination)
            except SlackApiError as error:
                reason = error.response.get("error")
                logger.warning("posting to workspace %s stopped: %s", destination.workspace_id, reason)
        return posted

    def _post_workspace(self, destination: Destination) -> int:
        assert self.publisher is not None
        now = self._clock.now()
        with self._uow() as work:
            waiting = work.payments.count_unposted(destination.workspace_id, now)
        if waiting > BURST_THRESHOLD:
            return self._post_summary(destination)
        posted = 0
        while True:
            with self._uow() as work:
                claimed = work.payments.claim_unposted(destination.workspace_id, self._clock.now(), limit=1)
                if not claimed:
                    return posted
                payment = claimed[0]
                if payment.spender_email and not payment.spender_user_id:
                    found = self._directory.user_by_email(destination.team_id, payment.spender_email)
                    payment.spender_user_id = found.user_id if found else None
                work.session.flush()
                changed = self._coding.changed(work, payment)
                try:
                    ts = self.publisher.post_card(destination.team_id, destination.channel, changed)
                except SlackApiError as error:
                    reason = str(error.response.get("error"))
                    payment.post_attempts += 1
                    payment.post_last_error = reason
                    backoff = min(RETRY_BACKOFF * (2 ** (payment.post_attempts - 1)), MAX_BACKOFF)
                    payment.post_next_attempt_at = self._clock.now() + backoff
                    work.commit()
                    raise
                payment.channel_id = destination.channel
                payment.message_ts = ts
                payment.message_url = self.publisher.permalink(destination.team_id, destination.channel, ts)
                payment.posted_at = self._clock.now()
                payment.post_last_error = None
                work.commit()
            posted += 1
            if self.interval_seconds:
                time.sleep(self.interval_seconds)  # Slack allows about one message a second per channel

    def _post_summary(self, destination: Destination) -> int:
        assert self.publisher is not None
        with self._uow() as work:
            claimed = work.payments.claim_unposted(destination.workspace_id, self._clock.now(), limit=None)
            if not claimed:
                return 0
            totals: dict[str, Decimal] = {}
            for payment in claimed:
                totals[payment.currency] = totals.get(payment.currency, Decimal(0)) + payment.amount
            ts = self.publisher.post_summary(destination.team_id, destination.channel, len(claimed), totals)
            url = self.publisher.permalink(destination.team_id, destination.channel, ts)
            now = self._clock.now()
            for payment in claimed:
                payment.channel_id = destination.channel
                payment.summary_ts = ts
                payment.message_url = url
                payment.posted_at = now
            work.commit()
            return len(claimed)
