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
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.clock import Clock
from bot.payments.coding import Changed, CodingService
from bot.slack.clients import SLACK_OR_INSTALL_FAILURES, slack_error_code
from bot.slack.directory import SlackDirectory
from storage.models import Payment, PaymentState, ReceiptState
from storage.outbox import CARD_REDRAW, Waiting, redraw_key
from storage.uow import UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)

RECEIPT_ASK = "receipt_ask"
REMINDER = "receipt_reminder"
DIGEST = "receipt_digest"
REPLY = "thread_reply"
REACTION = "reaction"
EPHEMERAL = "ephemeral"
NOTICE = "notice"

LEASE = timedelta(seconds=60)  # how long a sender holds an item before another may take it
FIRST_RETRY = timedelta(seconds=5)
LAST_RETRY = timedelta(hours=1)
STUCK_AFTER = timedelta(hours=1)  # failing this long: logged as an error at every further attempt
EPHEMERAL_TTL = timedelta(minutes=30)  # a private note nobody could see for this long is no longer worth sending
# Slack errors after which an item can never be delivered: the message it redraws is gone, or the person is.
GONE = frozenset({"message_not_found", "cant_update_message", "user_not_found", "user_disabled", "cannot_dm_bot"})


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … doubling up to an hour, with jitter so instances do not retry in step."""
    base = min(FIRST_RETRY * (1 << min(max(attempts - 1, 0), 20)), LAST_RETRY)
    return base * (0.8 + random.random() * 0.4)


@dataclass(frozen=True)
class Marker:
    """Put in a posted message's metadata, so the bot can recognise its own message for this intent."""

    event_type: str
    key: str

    def metadata(self) -> dict[str, Any]:
        return {"event_type": self.event_type, "event_payload": {"key": self.key}}


class OutboxSender(Protocol):
    """The Slack calls the outbox makes (implemented in handlers.outbox_sender). Each raises on failure."""

    def update_card(self, team_id: str, changed: Changed) -> None: ...

    def permalink(self, team_id: str, channel: str, ts: str) -> str | None: ...

    def find_own(self, team_id: str, channel: str, marker: Marker, thread_ts: str | None = None) -> str | None: ...

    def open_dm(self, team_id: str, user_id: str) -> str: ...

    def post_ask(self, team_id: str, channel: str, changed: Changed, marker: Marker) -> str: ...

    def post_reminder(
        self, team_id: str, channel: str, thread_ts: str, changed: Changed, number: int, marker: Marker
    ) -> str: ...

    def post_digest(self, team_id: str, channel: str, missing: dict[str, list[Changed]], marker: Marker) -> str: ...

    def post_reply(self, team_id: str, channel: str, thread_ts: str, text: str, marker: Marker) -> str: ...

    def post_notice(
        self, team_id: str, channel: str, text: str, blocks: list[dict[str, Any]] | None, marker: Marker
    ) -> str: ...

    def react(self, team_id: str, channel: str, ts: str, name: str) -> None: ...

    def tell(self, team_id: str, channel: str, user_id: str, text: str, thread_ts: str | None) -> None: ...


@dataclass(frozen=True)
class _Claimed:
    id: int
    kind: str
    key: str
    workspace_id: int
    payment_id: int | None
    payload: dict[str, Any]
    generation: int
    attempts: int
    created_at: datetime
    failing_since: datetime | None = None

    @property
    def outcome_unknown(self) -> bool:
        """An earlier attempt may have reached Slack (it failed or its sender stopped mid-way)."""
        return self.attempts > 1


class Undeliverable(Exception):
    """This item can never be delivered; it is dropped, with the reason logged."""


class SlackOutbox:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        coding: CodingService,
        directory: SlackDirectory,
        sender: OutboxSender,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.coding = coding
        self.directory = directory
        self._sender = sender

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

    # What receiving a receipt says back (bot.receipts.service.ReceiptMessenger): recorded, then sent at once.

    def reply(self, team_id: str, channel: str, thread_ts: str, text: str) -> None:
        payload = {"channel": channel, "thread_ts": thread_ts, "text": text}
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
        """Send these intents now (someone is waiting); what fails stays for the job, with its backoff."""
        for key in keys:
            while True:  # again while the same intent is repeated during the send (each repeat is a real change)
                with self.uow() as work:
                    row = work.outbox.claim_key(key, self.clock.now(), LEASE)
                    claimed = _claimed(row) if row is not None else None
                    work.commit()
                if claimed is None or not self._attempt(claimed):
                    break

    def deliver_due(self) -> int:
        """The job: send what is due, oldest first, one claim at a time (a claim's lease covers one send, so
        another instance never takes an item this one is still sending); returns how many were attempted."""
        attempted = 0
        while True:
            with self.uow() as work:
                rows = work.outbox.claim_due(self.clock.now(), LEASE, limit=1)
                item = _claimed(rows[0]) if rows else None
                work.commit()
            if item is None:
                return attempted
            attempted += 1
            if self._attempt(item):
                self.deliver(item.key)

    def waiting(self, workspace_id: int) -> Waiting:
        with self.uow() as work:
            return work.outbox.waiting(workspace_id)

    def _attempt(self, item: _Claimed) -> bool:
        """Send one claimed item; True when it must be sent again because its intent was repeated meanwhile."""
        try:
            self._send(item)
        except Undeliverable as gone:
            logger.warning("dropped a Slack %s (%s): %s", item.kind, item.key, gone)
            with self.uow() as work:
                work.outbox.finish(item.id, item.generation, self.clock.now())
                work.commit()
            return False
        except SLACK_OR_INSTALL_FAILURES as failure:
            reason = slack_error_code(failure)
            if reason in GONE:
                logger.warning("dropped a Slack %s (%s): Slack said %s", item.kind, item.key, reason)
                with self.uow() as work:
                    work.outbox.finish(item.id, item.generation, self.clock.now())
                    work.commit()
                return False
            self._failed(item, reason)
            return False
        with self.uow() as work:
            done = work.outbox.finish(item.id, item.generation, self.clock.now())
            work.commit()
        return not done

    def _failed(self, item: _Claimed, reason: str) -> None:
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

    def _send(self, item: _Claimed) -> None:
        team_id = self._team_of(item.workspace_id)
        kind = item.kind
        if kind == CARD_REDRAW:
            self._redraw(team_id, item)
        elif kind == RECEIPT_ASK:
            self._ask(team_id, item)
        elif kind == REMINDER:
            self._remind(team_id, item)
        elif kind == DIGEST:
            self._digest(team_id, item)
        elif kind == REPLY:
            self._reply(team_id, item)
        elif kind == REACTION:
            payload = item.payload
            self._sender.react(team_id, payload["channel"], payload["ts"], payload["name"])
        elif kind == EPHEMERAL:
            self._tell(team_id, item)
        elif kind == NOTICE:
            self._notice(team_id, item)
        else:
            raise Undeliverable(f"unknown kind {kind}")

    def _team_of(self, workspace_id: int) -> str:
        with self.uow() as work:
            workspace = work.workspaces.get(workspace_id)
            if workspace is None:
                raise Undeliverable("the workspace is gone")
            return workspace.team_id

    # --- each kind ---------------------------------------------------------------------------

    def _redraw(self, team_id: str, item: _Claimed) -> None:
        assert item.payment_id is not None
        with self.uow() as work:
            payment = work.payments.get(item.workspace_id, item.payment_id)
            if payment is None or not payment.message_ts or not payment.channel_id:
                return
            changed = self.coding.changed(work, payment)
            needs_link = payment.message_url is None
        self._sender.update_card(team_id, changed)
        if needs_link and changed.channel_id and changed.message_ts:
            self._keep_permalink(team_id, item.workspace_id, item.payment_id, changed.channel_id, changed.message_ts)

    def _keep_permalink(self, team_id: str, workspace_id: int, payment_id: int, channel: str, ts: str) -> None:
        """The link Xero shows back to the message; posting could not get it, so try again now."""
        link = self._sender.permalink(team_id, channel, ts)
        if not link:
            return
        with self.uow() as work:
            payment = work.payments.get(workspace_id, payment_id)
            if payment is not None and payment.message_url is None:
                payment.message_url = link
                work.commit()

    def _ask(self, team_id: str, item: _Claimed) -> None:
        assert item.payment_id is not None
        with self.uow() as work:
            payment = work.payments.get(item.workspace_id, item.payment_id)
            if payment is None or payment.dm_ts or payment.state is PaymentState.EXCLUDED:
                return
            user_id, email = payment.spender_user_id, payment.spender_email
        if not user_id and email:
            found = self.directory.user_by_email(team_id, email)
            user_id = found.user_id if found else None
        if not user_id:
            return  # nobody in Slack to ask; finance can say who made it on the payment's message
        channel = self._sender.open_dm(team_id, user_id)
        marker = Marker("receipt_ask_posted", item.key)
        ts = self._sender.find_own(team_id, channel, marker) if item.outcome_unknown else None
        if ts is None:
            with self.uow() as work:
                payment = work.payments.get(item.workspace_id, item.payment_id)
                if payment is None:
                    return
                changed = self.coding.changed(work, payment)
            ts = self._sender.post_ask(team_id, channel, changed, marker)
        with self.uow() as work:
            payment = work.payments.get(item.workspace_id, item.payment_id)
            if payment is not None:
                payment.spender_user_id = payment.spender_user_id or user_id
                payment.dm_channel_id, payment.dm_ts = channel, ts
                work.commit()

    def _remind(self, team_id: str, item: _Claimed) -> None:
        assert item.payment_id is not None
        with self.uow() as work:
            payment = work.payments.get(item.workspace_id, item.payment_id)
            if payment is None or not still_missing_receipt(payment) or not payment.dm_channel_id or not payment.dm_ts:
                return  # the receipt came (or the payment was excluded) while the reminder waited
            changed = self.coding.changed(work, payment)
            channel, thread_ts = payment.dm_channel_id, payment.dm_ts
        marker = Marker("receipt_reminder_posted", item.key)
        if item.outcome_unknown and self._sender.find_own(team_id, channel, marker, thread_ts) is not None:
            return
        self._sender.post_reminder(team_id, channel, thread_ts, changed, int(item.payload.get("number", 1)), marker)

    def _digest(self, team_id: str, item: _Claimed) -> None:
        channel = str(item.payload["channel"])
        missing: dict[str, list[Changed]] = {}
        with self.uow() as work:
            for payment in work.payments.missing_receipts(item.workspace_id):
                key = payment.spender_user_id or payment.spender_email or "unknown"
                missing.setdefault(key, []).append(self.coding.changed(work, payment))
        if not missing:
            return
        marker = Marker("receipts_digest_posted", item.key)
        if item.outcome_unknown and self._sender.find_own(team_id, channel, marker) is not None:
            return
        self._sender.post_digest(team_id, channel, missing, marker)

    def _reply(self, team_id: str, item: _Claimed) -> None:
        payload = item.payload
        marker = Marker("thread_reply_posted", item.key)
        channel, thread_ts = str(payload["channel"]), str(payload["thread_ts"])
        if item.outcome_unknown and self._sender.find_own(team_id, channel, marker, thread_ts) is not None:
            return
        self._sender.post_reply(team_id, channel, thread_ts, str(payload["text"]), marker)

    def _notice(self, team_id: str, item: _Claimed) -> None:
        payload = item.payload
        channel = str(payload["channel"])
        if channel.startswith(("U", "W")):  # a person: their direct message with the bot, where it can be found
            channel = self._sender.open_dm(team_id, channel)
        marker = Marker("notice_posted", item.key)
        if item.outcome_unknown and self._sender.find_own(team_id, channel, marker) is not None:
            return
        self._sender.post_notice(team_id, channel, str(payload["text"]), payload.get("blocks"), marker)

    def _tell(self, team_id: str, item: _Claimed) -> None:
        if self.clock.now() - item.created_at > EPHEMERAL_TTL:
            raise Undeliverable("a private note nobody could be shown for 30 minutes is stale")
        payload = item.payload
        self._sender.tell(team_id, payload["channel"], payload["user"], payload["text"], payload.get("thread_ts"))


def still_missing_receipt(payment: Payment) -> bool:
    return (
        payment.state is not PaymentState.EXCLUDED
        and payment.no_receipt_reason is None
        and not any(r.state is not ReceiptState.REJECTED for r in payment.receipts)
    )


def _claimed(row: Any) -> _Claimed:
    return _Claimed(
        id=row.id,
        kind=row.kind,
        key=row.dedupe_key,
        workspace_id=row.workspace_id,
        payment_id=row.payment_id,
        payload=dict(row.payload or {}),
        generation=row.generation,
        attempts=row.attempts,
        created_at=row.created_at,
        failing_since=row.failing_since,
    )
