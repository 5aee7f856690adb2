"""How each kind of outbox item reaches Slack, rendered from the current state; a post that an earlier attempt
may have made already is looked for first (its marker) and adopted instead of being posted twice."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock
from bot.payments.coding import Changed, CodingService
from bot.slack.directory import SlackDirectory
from bot.slack.outbox_items import (
    DIGEST,
    EPHEMERAL,
    NOTICE,
    REACTION,
    RECEIPT_ASK,
    REMINDER,
    REPLY,
    Claimed,
    Marker,
    OutboxSender,
    Undeliverable,
)
from storage.models import Payment, PaymentState, ReceiptState
from storage.outbox import CARD_REDRAW
from storage.uow import UnitOfWorkFactory

EPHEMERAL_TTL = timedelta(minutes=30)  # a private note nobody could see for this long is no longer worth sending


class Deliveries:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        coding: CodingService,
        directory: SlackDirectory,
        sender: OutboxSender,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._coding = coding
        self._directory = directory
        self._sender = sender

    def send(self, team_id: str, item: Claimed) -> None:
        """Send one item in its kind's way; raise Undeliverable when it never can be, or Slack's error."""
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

    def _redraw(self, team_id: str, item: Claimed) -> None:
        assert item.payment_id is not None
        with self._uow() as work:
            payment = work.payments.get(item.workspace_id, item.payment_id)
            if payment is None or not payment.message_ts or not payment.channel_id:
                return
            changed = self._coding.changed(work, payment)
            needs_link = payment.message_url is None
        self._sender.update_card(team_id, changed)
        if needs_link and changed.channel_id and changed.message_ts:
            self._keep_permalink(team_id, item.workspace_id, item.payment_id, changed.channel_id, changed.message_ts)

    def _keep_permalink(self, team_id: str, workspace_id: int, payment_id: int, channel: str, ts: str) -> None:
        """The link Xero shows back to the message; posting could not get it, so try again now."""
        link = self._sender.permalink(team_id, channel, ts)
        if not link:
            return
        with self._uow() as work:
            payment = work.payments.get(workspace_id, payment_id)
            if payment is not None and payment.message_url is None:
                payment.message_url = link
                work.commit()

    def _ask(self, team_id: str, item: Claimed) -> None:
        assert item.payment_id is not None
        with self._uow() as work:
            payment = work.payments.get(item.workspace_id, item.payment_id)
            if payment is None or payment.dm_ts or payment.state is PaymentState.EXCLUDED:
                return
            user_id, email = payment.spender_user_id, payment.spender_email
        if not user_id and email:
            found = self._directory.user_by_email(team_id, email)
            user_id = found.user_id if found else None
        if not user_id:
            return  # nobody in Slack to ask; finance can say who made it on the payment's message
        channel = self._sender.open_dm(team_id, user_id)
        marker = Marker("receipt_ask_posted", item.key)
        ts = self._sender.find_own(team_id, channel, marker) if item.outcome_unknown else None
        if ts is None:
            with self._uow() as work:
                payment = work.payments.get(item.workspace_id, item.payment_id)
                if payment is None:
                    return
                changed = self._coding.changed(work, payment)
            ts = self._sender.post_ask(team_id, channel, changed, marker)
        with self._uow() as work:
            payment = work.payments.get(item.workspace_id, item.payment_id)
            if payment is not None:
                payment.spender_user_id = payment.spender_user_id or user_id
                payment.dm_channel_id, payment.dm_ts = channel, ts
                work.commit()

    def _remind(self, team_id: str, item: Claimed) -> None:
        assert item.payment_id is not None
        with self._uow() as work:
            payment = work.payments.get(item.workspace_id, item.payment_id)
            if payment is None or not still_missing_receipt(payment) or not payment.dm_channel_id or not payment.dm_ts:
                return  # the receipt came (or the payment was excluded) while the reminder waited
            changed = self._coding.changed(work, payment)
            channel, thread_ts = payment.dm_channel_id, payment.dm_ts
        marker = Marker("receipt_reminder_posted", item.key)
        if item.outcome_unknown and self._sender.find_own(team_id, channel, marker, thread_ts) is not None:
            return
        self._sender.post_reminder(team_id, channel, thread_ts, changed, int(item.payload.get("number", 1)), marker)

    def _digest(self, team_id: str, item: Claimed) -> None:
        channel = str(item.payload["channel"])
        missing: dict[str, list[Changed]] = {}
        with self._uow() as work:
            for payment in work.payments.missing_receipts(item.workspace_id):
                key = payment.spender_user_id or payment.spender_email or "unknown"
                missing.setdefault(key, []).append(self._coding.changed(work, payment))
        if not missing:
            return
        marker = Marker("receipts_digest_posted", item.key)
        if item.outcome_unknown and self._sender.find_own(team_id, channel, marker) is not None:
            return
        self._sender.post_digest(team_id, channel, missing, marker)

    def _reply(self, team_id: str, item: Claimed) -> None:
        payload = item.payload
        marker = Marker("thread_reply_posted", item.key)
        channel, thread_ts = str(payload["channel"]), str(payload["thread_ts"])
        if item.outcome_unknown and self._sender.find_own(team_id, channel, marker, thread_ts) is not None:
            return
        self._sender.post_reply(team_id, channel, thread_ts, str(payload["text"]), marker, payload.get("blocks"))

    def _notice(self, team_id: str, item: Claimed) -> None:
        payload = item.payload
        channel = str(payload["channel"])
        if channel.startswith(("U", "W")):  # a person: their direct message with the bot, where it can be found
            channel = self._sender.open_dm(team_id, channel)
        marker = Marker("notice_posted", item.key)
        if item.outcome_unknown and self._sender.find_own(team_id, channel, marker) is not None:
            return
        self._sender.post_notice(team_id, channel, str(payload["text"]), payload.get("blocks"), marker)

    def _tell(self, team_id: str, item: Claimed) -> None:
        if self._clock.now() - item.created_at > EPHEMERAL_TTL:
            raise Undeliverable("a private note nobody could be shown for 30 minutes is stale")
        payload = item.payload
        self._sender.tell(team_id, payload["channel"], payload["user"], payload["text"], payload.get("thread_ts"))


def still_missing_receipt(payment: Payment) -> bool:
    return (
        payment.state is not PaymentState.EXCLUDED
        and payment.no_receipt_reason is None
        and not any(r.state is not ReceiptState.REJECTED for r in payment.receipts)
    )
