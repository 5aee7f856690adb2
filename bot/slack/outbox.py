"""The Slack outbox: whatever the bot owes Slack is recorded first, then sent, and retried until Slack takes it.

An intent is committed with the change that causes it: a posted payment's redraw by storage.outbox whenever
the payment changes, asks, reminders, the digest and receipt replies by the services that decide them. One
intent is one row (its key), however often it is asked for. Sending renders from the current state, so a
redraw that is late never shows an old state. Where someone is waiting the first attempt is made at once;
the job `deliver_slack_outbox` sends the rest with a backoff from seconds up to an hour, and never gives up
(what Slack has not taken is in /xero status, and logged as an error once it has failed for an hour). A post
whose earlier attempt may have reached Slack is looked for first (the bot's own message carrying the
intent's key in its metadata) and adopted instead of being posted twice.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.pacing import ChannelPace, LocalPace
from bot.payments.coding import Changed
from bot.slack.answers_first import wait_for_answers
from bot.slack.clients import SLACK_OR_INSTALL_FAILURES, slack_error_code
from bot.slack.deliveries import Deliveries
from bot.slack.outbox_items import EPHEMERAL, NOTICE, REACTION, REPLY, Claimed, Undeliverable, claimed
from storage.outbox import CARD_REDRAW, redraw_key
from storage.repositories.outbox import Waiting
from storage.uow import UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)


LEASE = timedelta(seconds=60)  # how long a sender holds an item before another may take it
FIRST_RETRY = timedelta(seconds=5)
LAST_RETRY = timedelta(hours=1)
PACE_WAIT_MAX = 3.0  # seconds: a channel's turn at Slack's pace comes within its burst window; the job waits that long
STUCK_AFTER = timedelta(hours=1)  # failing this long: logged as an error at every further attempt
# Slack errors after which an item can never be delivered: the message it redraws is gone, or the person is.
GONE = frozenset({"message_not_found", "cant_update_message", "user_not_found", "user_disabled", "cannot_dm_bot"})


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … doubling up to an hour, with jitter so instances do not retry in step."""
    base = min(FIRST_RETRY * (1 << min(max(attempts - 1, 0), 20)), LAST_RETRY)
    return base * (0.8 + random.random() * 0.4)


class SlackOutbox:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        deliveries: Deliveries,
        pace: ChannelPace | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self._deliveries = deliveries
        self._pace = pace or LocalPace()
        self._sleep = sleep

    # --- recording -----------------------------------------------------------------------------

    def record(
        self,
        work: UnitOfWork,
        kind: str,
        key: str,
        *,
        workspace_id: int,
        payment_id: int | None = None,
        payload: dict[str, Any] | None = None,
    ) -> str:
        """Record an intent in the caller's transaction; deliver(key) after the commit sends it at once."""
        work.outbox.add(
            kind=kind, key=key, workspace_id=workspace_id, payment_id=payment_id, payload=payload, due=self.clock.now()
        )
        return key

    def redraw_card(self, workspace_id: int, payment_id: int) -> None:
        """Bring a payment's message up to date now, or as soon as Slack answers again."""
        with self.uow() as work:
            self.record(work, CARD_REDRAW, redraw_key(payment_id), workspace_id=workspace_id, payment_id=payment_id)
            work.commit()
        self.deliver(redraw_key(payment_id))

    def redraw_saved(self, payment_id: int) -> None:
        """A payment saved with a new version, by this request or by the one it lost to: the redraw was recorded in
        that save's own transaction (every write that gives a payment a new version records one,
        storage/outbox.py), so it is only sent now, if it has not been already."""
        self.deliver(redraw_key(payment_id))

    # What receiving a receipt says back (bot.receipts.ports.ReceiptMessenger): recorded, then sent at once.

    def reply(
        self, team_id: str, channel: str, thread_ts: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        payload: dict[str, Any] = {"channel": channel, "thread_ts": thread_ts, "text": text}
        if blocks:
            payload["blocks"] = blocks
        self._record_and_deliver(team_id, REPLY, f"{REPLY}:{uuid.uuid4().hex}", payload)

    def react(self, team_id: str, channel: str, ts: str, name: str) -> None:
        payload = {"channel": channel, "ts": ts, "name": name}
        self._record_and_deliver(team_id, REACTION, f"{REACTION}:{channel}:{ts}:{name}", payload)

    def tell(self, team_id: str, channel: str, user_id: str, text: str, thread_ts: str | None) -> None:
        payload = {"channel": channel, "user": user_id, "text": text, "thread_ts": thread_ts}
        self._record_and_deliver(team_id, EPHEMERAL, f"{EPHEMERAL}:{uuid.uuid4().hex}", payload)

    def notify(self, team_id: str, channel: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """A message the bot sends on its own (connected, reconnect needed …) to a channel or a person."""
        payload = {"channel": channel, "text": text, "blocks": blocks}
        self._record_and_deliver(team_id, NOTICE, f"{NOTICE}:{uuid.uuid4().hex}", payload)

    def update_card(self, team_id: str, changed: Changed) -> None:
        workspace_id = self._workspace_of(team_id)
        if workspace_id is not None:
            self.redraw_card(workspace_id, changed.card.payment_id)

    def _record_and_deliver(self, team_id: str, kind: str, key: str, payload: dict[str, Any]) -> None:
        workspace_id = self._workspace_of(team_id)
        if workspace_id is None:
            logger.warning("no workspace %s: a %s was not recorded", team_id, kind)
            return
        with self.uow() as work:
            self.record(work, kind, key, workspace_id=workspace_id, payload=payload)
            work.commit()
        self.deliver(key)

    def _workspace_of(self, team_id: str) -> int | None:
        with self.uow() as work:
            workspace = work.workspaces.by_team(team_id)
            return workspace.id if workspace else None

    # --- sending -------------------------------------------------------------------------------

    def deliver(self, *keys: str) -> None:
        """Send these intents now (someone is waiting); what fails stays for the job, with its backoff. Each send
        waits while Slack requests are unanswered (bot/slack/answers_first.py): the intent is recorded already."""
        for key in keys:
            while True:  # again while the same intent is repeated during the send (each repeat is a real change)
                wait_for_answers()
                with self.uow() as work:
                    row = work.outbox.claim_key(key, self.clock.now(), LEASE)
                    item = claimed(row) if row is not None else None
                    work.commit()
                if item is None or not self._attempt(item):
                    break

    def deliver_due(self) -> int:
        """The job: send what is due, the workspaces taking turns an item each (oldest first within each), one
        claim at a time (a claim's lease covers one send, so another instance never takes an item this one is
        still sending); returns how many were attempted. A post into a channel that has had its burst is given
        back with the time its turn comes, so one busy channel never holds up anyone else's messages."""
        attempted, paced_until = 0, None  # the soonest turn of a post given back to wait for its channel
        while True:
            with self.uow() as work:
                workspaces = work.outbox.due_workspaces(self.clock.now())
            sent = 0
            for workspace_id in workspaces:
                with self.uow() as work:
                    rows = work.outbox.claim_due(self.clock.now(), LEASE, limit=1, workspace_id=workspace_id)
                    item = claimed(rows[0]) if rows else None
                    work.commit()
                if item is None:
                    continue
                if wait := self._turn_in(item):
                    turn = self._postpone(item, wait)
                    paced_until = turn if paced_until is None else min(paced_until, turn)
                    continue
                sent += 1
                if self._attempt(item):
                    self.deliver(item.key)
            attempted += sent
            if sent:
                continue
            if paced_until is None or (paced_until - self.clock.now()).total_seconds() > PACE_WAIT_MAX:
                return attempted
            # Only posts waiting for their channel's turn are left, and it is close: wait for it here.
            self._sleep(max((paced_until - self.clock.now()).total_seconds(), 0.0))
            paced_until = None

    def _turn_in(self, item: Claimed) -> float:
        """0 when the item may go now; else the seconds until its channel's turn at Slack's pace."""
        channel = item.payload.get("channel") if item.kind in (REPLY, NOTICE) else None
        if not isinstance(channel, str) or channel.startswith(("U", "W", "D")):
            return 0.0
        return self._pace.ready(item.workspace_id, channel)

    def _postpone(self, item: Claimed, seconds: float) -> datetime:
        """Give the item back, due when its channel's turn comes (returned); waiting is not a failed attempt."""
        turn = self.clock.now() + timedelta(seconds=seconds)
        with self.uow() as work:
            work.outbox.postpone(item.id, turn)
            work.commit()
        return turn

    def waiting(self, workspace_id: int) -> Waiting:
        with self.uow() as work:
            return work.outbox.waiting(workspace_id)

    def _attempt(self, item: Claimed) -> bool:
        """Send one claimed item; True when it must be sent again because its intent was repeated meanwhile."""
        try:
            self._send(item)
        except Undeliverable as gone:
            logger.warning("dropped a Slack %s (%s): %s", item.kind, item.key, gone)
            self._finish(item)
            return False
        except SLACK_OR_INSTALL_FAILURES as failure:
            reason = slack_error_code(failure)
            if reason in GONE:
                logger.warning("dropped a Slack %s (%s): Slack said %s", item.kind, item.key, reason)
                self._finish(item)
                return False
            self._failed(item, reason)
            return False
        return not self._finish(item)

    def _finish(self, item: Claimed) -> bool:
        """Done with this item; False when its intent was repeated during the send (so it is sent again)."""
        with self.uow() as work:
            done = work.outbox.finish(item.id, item.generation, self.clock.now())
            work.commit()
        return done

    def _failed(self, item: Claimed, reason: str) -> None:
        now = self.clock.now()
        retry_at = now + backoff(item.attempts)
        with self.uow() as work:
            work.outbox.retry(item.id, reason, retry_at, now)
            work.commit()
        since = item.failing_since or now
        if now - since >= STUCK_AFTER:
            logger.error(
                "Slack has not taken a %s (%s) since %s (%s, %d tries); still retrying, next at %s",
                item.kind,
                item.key,
                since.isoformat(timespec="seconds"),
                reason,
                item.attempts,
                retry_at.isoformat(timespec="seconds"),
            )
        else:
            logger.warning("Slack %s (%s) not delivered: %s; retrying at %s", item.kind, item.key, reason, retry_at)

    def _send(self, item: Claimed) -> None:
        self._deliveries.send(self._team_of(item.workspace_id), item)

    def _team_of(self, workspace_id: int) -> str:
        with self.uow() as work:
            workspace = work.workspaces.get(workspace_id)
            if workspace is None:
                raise Undeliverable("the workspace is gone")
            return workspace.team_id
