"""Sending payment messages to Slack: the bot's CardPublisher."""

from __future__ import annotations

from decimal import Decimal

from bot.payments.coding import Changed
from bot.slack.clients import SLACK_FAILURES, SlackClients
from bot.slack.outbox_items import Marker
from handlers.own_messages import OwnMessages
from handlers.payment_card import payment_message
from handlers.payment_notes import burst_summary


class SlackCardPublisher:
    def __init__(self, slack: SlackClients) -> None:
        self._slack = slack
        self._own = OwnMessages(slack)

    def post_card(self, team_id: str, channel: str, changed: Changed, marker: Marker) -> str:
        text, blocks = payment_message(changed.card, changed.choices)
        response = self._slack.for_team(team_id).chat_postMessage(
            channel=channel, text=text, blocks=blocks, metadata=marker.metadata()
        )
        return str(response["ts"])

    def update_card(self, team_id: str, changed: Changed) -> None:
        if not changed.channel_id or not changed.message_ts:
            return
        text, blocks = payment_message(changed.card, changed.choices)
        self._slack.for_team(team_id).chat_update(
            channel=changed.channel_id, ts=changed.message_ts, text=text, blocks=blocks
        )

    def post_summary(self, team_id: str, channel: str, count: int, totals: dict[str, Decimal], marker: Marker) -> str:
        text, blocks = burst_summary(count, totals)
        response = self._slack.for_team(team_id).chat_postMessage(
            channel=channel, text=text, blocks=blocks, metadata=marker.metadata()
        )
        return str(response["ts"])

    def find_own(self, team_id: str, channel: str, marker: Marker, thread_ts: str | None = None) -> str | None:
        return self._own.find(team_id, channel, marker, thread_ts)

    def permalink(self, team_id: str, channel: str, ts: str) -> str | None:
        try:
            response = self._slack.for_team(team_id).chat_getPermalink(channel=channel, message_ts=ts)
        except SLACK_FAILURES:
            return None
        return str(response.get("permalink") or "") or None
