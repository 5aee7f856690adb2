"""Workspace life: installed, uninstalled, settings."""

from __future__ import annotations

from bot.clock import Clock
from storage.uow import UnitOfWorkFactory


class WorkspaceService:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def seen(self, team_id: str, enterprise_id: str | None) -> int:
        """The workspace's id, creating it on first sight and marking it installed again after a reinstall."""
        with self._uow() as work:
            workspace = work.workspaces.ensure(team_id, enterprise_id=enterprise_id)
            if workspace.uninstalled_at is not None:
                workspace.uninstalled_at = None
            work.commit()
            return workspace.id

    def mark_uninstalled(self, workspace_id: int) -> None:
        with self._uow() as work:
            workspace = work.workspaces.get(workspace_id)
            if workspace is not None:
                workspace.uninstalled_at = self._clock.now()
                work.audit.record(workspace_id=workspace_id, actor_user_id=None, action="slack.uninstalled")
                work.commit()
