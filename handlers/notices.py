"""Messages the bot sends on its own: connection results, organisation choice, reconnect alerts."""

from __future__ import annotations

from bot.connection.notices import NoticeRecipients
from bot.slack.outbox import SlackOutbox
from handlers import blocks


class SlackNotices:
    """The bot's `Notices`, worded here and sent through the outbox: now, or as soon as Slack answers again."""

    def __init__(self, *, recipients: NoticeRecipients, outbox: SlackOutbox) -> None:
        self._recipients = recipients
        self._outbox = outbox

    def connected(self, *, team_id: str, user_id: str, workspace_id: int, tenant_name: str, reconnected: bool) -> None:
        text = blocks.connected_notice(tenant_name, reconnected=reconnected)
        self._outbox.notify(team_id, user_id, text)
        channel = self._recipients.finance_channel(workspace_id)
        if channel:
            self._outbox.notify(team_id, channel, f"<@{user_id}> {text[0].lower()}{text[1:]}")

    def choose_tenant(self, *, team_id: str, user_id: str, token_set_id: int, tenants: list[tuple[str, str]]) -> None:
        text, body = blocks.choose_tenant(token_set_id, tenants)
        self._outbox.notify(team_id, user_id, text, body)

    def reconnect_needed(self, connection_ids: list[int]) -> None:
        for connection_id in connection_ids:
            lost = self._recipients.claim_lost_access(connection_id)
            if lost is None:
                continue
            text, body = blocks.reconnect_needed(lost.tenant_name, lost.reason)
            for admin in lost.admins:
                self._outbox.notify(lost.team_id, admin, text, body)
