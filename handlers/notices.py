"""Messages the bot sends on its own: connection results, organisation choice, reconnect alerts."""

from __future__ import annotations

from bot.services import Services
from handlers import blocks
from storage.models import Role


class SlackNotices:
    def __init__(self, services: Services) -> None:
        self._services = services

    def connected(self, *, team_id: str, user_id: str, workspace_id: int, tenant_name: str, reconnected: bool) -> None:
        text = blocks.connected_notice(tenant_name, reconnected=reconnected)
        self._post(team_id, user_id, text)
        channel = self._finance_channel(workspace_id)
        if channel:
            self._post(team_id, channel, f"<@{user_id}> {text[0].lower()}{text[1:]}")

    def choose_tenant(self, *, team_id: str, user_id: str, token_set_id: int, tenants: list[tuple[str, str]]) -> None:
        text, body = blocks.choose_tenant(token_set_id, tenants)
        self._post(team_id, user_id, text, body)

    def reconnect_needed(self, connection_ids: list[int]) -> None:
        for connection_id in connection_ids:
            claimed = self._services.connections.claim_reconnect_notice(connection_id)
            if claimed is None:
                continue
            workspace_id, team_id, tenant_name = claimed
            with self._services.uow() as work:
                connection = work.connections.get(connection_id)
                reason = (connection.last_error if connection else None) or "Xero refused the bot's access"
                connector = connection.connected_by_user_id if connection else None
            text, body = blocks.reconnect_needed(tenant_name, reason)
            admins = set(self._services.roles.holders(workspace_id, Role.ADMIN))
            admins.update([connector] if connector else [])
            for admin in sorted(admins):
                self._post(team_id, admin, text, body)

    def _finance_channel(self, workspace_id: int) -> str | None:
        with self._services.uow() as work:
            workspace = work.workspaces.get(workspace_id)
            channel = workspace.finance_channel_id if workspace else None
        return channel or self._services.settings.finance_channel

    def _post(self, team_id: str, channel: str, text: str, body: list[blocks.Block] | None = None) -> None:
        """Through the outbox: sent now, or as soon as Slack answers again."""
        self._services.outbox.notify(team_id, channel, text, body)
