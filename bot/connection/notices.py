"""Whom the bot tells about its Xero connection on its own initiative. What is said, and how, is the Slack side's
(handlers.notices.SlackNotices, the `Notices` the rest of the bot is handed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.clock import Clock
from bot.connection.roles import Roles
from bot.settings import Settings
from storage.models import ConnectionState, Role
from storage.uow import UnitOfWorkFactory


class Notices(Protocol):
    """Messages the bot sends on its own initiative."""

    def connected(
        self, *, team_id: str, user_id: str, workspace_id: int, tenant_name: str, reconnected: bool
    ) -> None: ...

    def choose_tenant(
        self, *, team_id: str, user_id: str, token_set_id: int, tenants: list[tuple[str, str]]
    ) -> None: ...

    def reconnect_needed(self, connection_ids: list[int]) -> None: ...


@dataclass(frozen=True)
class LostAccess:
    team_id: str
    tenant_name: str
    reason: str
    admins: list[str]  # the workspace's bot admins, and whoever connected the organisation


class NoticeRecipients:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, roles: Roles, settings: Settings) -> None:
        self._uow = uow
        self._clock = clock
        self._roles = roles
        self._settings = settings

    def finance_channel(self, workspace_id: int) -> str | None:
        with self._uow() as work:
            workspace = work.workspaces.get(workspace_id)
            channel = workspace.finance_channel_id if workspace else None
        return channel or self._settings.finance_channel

    def claim_lost_access(self, connection_id: int) -> LostAccess | None:
        """Whom to tell that this connection lost its Xero access, if nobody was told yet (marked told here)."""
        with self._uow() as work:
            connection = work.connections.get(connection_id)
            if connection is None or connection.reconnect_notified_at is not None:
                return None
            if connection.state is not ConnectionState.NEEDS_RECONNECT:
                return None
            connection.reconnect_notified_at = self._clock.now()
            workspace = work.workspaces.get(connection.workspace_id)
            work.commit()
            workspace_id, tenant_name = connection.workspace_id, connection.tenant_name
            reason = connection.last_error or "Xero refused the bot's access"
            connector = connection.connected_by_user_id
        admins = set(self._roles.holders(workspace_id, Role.ADMIN)) | ({connector} if connector else set())
        return LostAccess(workspace.team_id if workspace else "", tenant_name, reason, sorted(admins))
