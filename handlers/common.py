"""Small pieces every Slack surface uses."""

from __future__ import annotations

from typing import Any

from bot.connection.roles import Actor
from bot.errors import DomainError


def actor_from(context: Any) -> Actor:
    """The acting user and workspace, from what Bolt verified, never from the payload's content."""
    workspace_id = context.get("workspace_id")
    team_id = context.team_id or context.enterprise_id
    if workspace_id is None or not team_id or not context.user_id:
        raise DomainError("I could not tell which workspace or user this came from; please try again.")
    return Actor(workspace_id=int(workspace_id), team_id=str(team_id), user_id=str(context.user_id))
