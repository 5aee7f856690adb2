"""The Slack calls behind the outbox (bot.slack.outbox.OutboxSender): each post carries its intent's marker."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.payments.coding import Changed
from bot.slack.clients import SlackClients
from bot.slack.outbox_items import Marker
from handlers.cards import SlackCardPublisher
from handlers.receipt_messages import ask_message, digest_message, reminder_message


class SlackOutboxSender:
    def __init__(self, slack: SlackClients) -> None:
        self._slack = slack
        self._cards = SlackCardPublisher(slack)

    def update_card(self, team_id: str, changed: Changed) -> None:
        self._cards.update_card(team_id, changed)

    def permalink(self, team_id: str, channel: str, ts: str) -> str | None:
        return self._cards.permalink(team_id, channel, ts)

    def find_own(self, team_id: str, channel: str, marker: Marker, thread_ts: str | None = None) -> str | None:
        return self._cards.find_own(team_id, channel, marker, thread_ts)

    def open_dm(self, team_id: str, user_id: str) -> str:
        return str(self._slack.for_team(team_id).conversations_open(users=user_id)["channel"]["id"])

    def post_ask(self, team_id: str, channel: str, changed: Changed, marker: Marker) -> str:
        text, blocks = ask_message(changed)
        return self._post(team_id, channel, text, blocks, marker)

    def post_reminder(
        self, team_id: str, channel: str, thread_ts: str, changed: Changed, number: int, marker: Marker
    ) -> str:
        text, blocks = reminder_message(changed, number)
        return self._post(team_id, channel, text, blocks, marker, thread_ts=thread_ts, reply_broadcast=True)

    def post_digest(self, team_id: str, channel: str, missing: dict[str, list[Changed]], marker: Marker) -> str:
        text, blocks = digest_message(missing)
        return self._post(team_id, channel, text, blocks, marker)

    def post_reply(
        self,
        team_id: str,
        channel: str,
        thread_ts: str,
        text: str,
        marker: Marker,
        blocks: list[dict[str, Any]] | None = None,
    ) -> str:
        return self._post(team_id, channel, text, blocks, marker, thread_ts=thread_ts)

    def post_notice(
        self, team_id: str, channel: str, text: str, blocks: list[dict[str, Any]] | None, marker: Marker
    ) -> str:
        return self._post(team_id, channel, text, blocks, marker)

    def react(self, team_id: str, channel: str, ts: str, name: str) -> None:
        try:
            self._slack.for_team(team_id).reactions_add(channel=channel, timestamp=ts, name=name)
        except SlackApiError as error:
            if error.response.get("error") != "already_reacted":
                raise

    def tell(self, team_id: str, channel: str, user_id: str, text: str, thread_ts: str | None) -> None:
        self._slack.for_team(team_id).chat_postEphemeral(channel=channel, user=user_id, text=text, thread_ts=thread_ts)

    def _post(
        self,
        team_id: str,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None,
        marker: Marker,
        *,
        thread_ts: str | None = None,
        reply_broadcast: bool | None = None,
    ) -> str:
        posted = self._slack.for_team(team_id).chat_postMessage(
            channel=channel,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            reply_broadcast=reply_broadcast,
            metadata=marker.metadata(),
        )
        return str(posted["ts"])
