"""Workspace life: installed, uninstalled, settings."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.clock import Clock
from bot.errors import DomainError
from bot.slack.clients import SlackClients
from bot.text_input import is_slack_team_id
from storage.uow import UnitOfWorkFactory


class WorkspaceService:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, slack: SlackClients) -> None:
        self._uow = uow
        self._clock = clock
        self._slack = slack
        self._single_team: str | None = None

    def for_incoming(self, team_id: str | None, *, choose_with: str = "the team query parameter") -> int:
        """The workspace that payments from the webhook or an import belong to."""
        if team_id:
            if not is_slack_team_id(team_id):
                raise DomainError("The team must be a Slack team id such as T0123ABCD.")
            with self._uow() as work:
                workspace = work.workspaces.by_team(team_id)
                if workspace is None:
                    raise DomainError(f"No workspace {team_id} has installed the bot.")
                return workspace.id
        if self._slack.single_workspace:
            return self.seen(self._single_team_id(), None)
        with self._uow() as work:
            active = list(work.workspaces.all_active())
        if len(active) == 1:
            return active[0].id
        if not active:
            raise DomainError("No workspace has installed the bot yet: install it in Slack (/slack/install) first.")
        teams = ", ".join(workspace.team_id for workspace in active[:10])
        raise DomainError(
            f"{len(active)} workspaces use this bot ({teams}): say which one with {choose_with} (the Slack team id)."
        )

    def _single_team_id(self) -> str:
        if self._single_team is None:
            try:
                self._single_team = str(self._slack.single_client().auth_test()["team_id"])
            except (SlackApiError, OSError) as error:
                reason = error.response.get("error") if isinstance(error, SlackApiError) else type(error).__name__
                raise DomainError(f"Slack could not be asked which workspace this is ({reason}); try again.") from None
        return self._single_team

    def seen(self, team_id: str, enterprise_id: str | None) -> int:
        """The workspace's id, creating it on first sight and marking it installed again after a reinstall."""
        with self._uow() as work:
            workspace = work.workspaces.ensure(team_id, enterprise_id=enterprise_id)
            if workspace.uninstalled_at is not None:
                workspace.uninstalled_at = None
            work.commit()
            return workspace.id

    def team_of(self, workspace_id: int) -> str | None:
        with self._uow() as work:
            workspace = work.workspaces.get(workspace_id)
            return workspace.team_id if workspace else None

    def mark_uninstalled(self, workspace_id: int) -> None:
        with self._uow() as work:
            workspace = work.workspaces.get(workspace_id)
            if workspace is not None:
                workspace.uninstalled_at = self._clock.now()
                work.audit.record(workspace_id=workspace_id, actor_user_id=None, action="slack.uninstalled")
                work.commit()
