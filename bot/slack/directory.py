"""What the bot needs to know about Slack users and workspaces, with a short cache in front of users.info."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import DomainError

ADMIN_CACHE_SECONDS = 300


@dataclass(frozen=True)
class SlackUser:
    user_id: str
    name: str
    email: str | None
    is_admin: bool
    tz: str | None


class SlackDirectory:
    """`client_for(team_id)` gives the workspace's bot client (single- or multi-workspace)."""

    def __init__(self, client_for: Callable[[str], WebClient], *, ttl_seconds: float = ADMIN_CACHE_SECONDS) -> None:
        self.client_for = client_for
        self._ttl = ttl_seconds
        self._cache: dict[tuple[str, str], tuple[float, SlackUser | None]] = {}
        self._lock = threading.Lock()

    def user(self, team_id: str, user_id: str) -> SlackUser | None:
        key = (team_id, user_id)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        try:
            response = self.client_for(team_id).users_info(user=user_id)
        except SlackApiError as error:
            if error.response.get("error") != "user_not_found":
                raise
            found = None
        else:
            data = response["user"]
            profile = data.get("profile") or {}
            found = SlackUser(
                user_id=user_id,
                name=str(data.get("real_name") or data.get("name") or user_id),
                email=profile.get("email"),
                is_admin=bool(data.get("is_admin") or data.get("is_owner") or data.get("is_primary_owner")),
                tz=data.get("tz"),
            )
        with self._lock:
            self._cache[key] = (time.monotonic(), found)
        return found

    def user_by_email(self, team_id: str, email: str) -> SlackUser | None:
        """The workspace member with this email, or None (users.lookupByEmail)."""
        try:
            response = self.client_for(team_id).users_lookupByEmail(email=email)
        except SlackApiError as error:
            if error.response.get("error") in ("users_not_found", "user_not_found"):
                return None
            raise
        return self.user(team_id, str(response["user"]["id"]))

    def name_of(self, team_id: str, user_id: str) -> str | None:
        """The person's name as Slack shows it, for text outside Slack (Xero's notes); None when Slack cannot say."""
        try:
            found = self.user(team_id, user_id)
        except (SlackApiError, OSError, DomainError):  # Slack refused, unreachable, or the bot was uninstalled:
            return None  # the caller falls back to the id
        return found.name if found is not None else None

    def is_workspace_admin(self, team_id: str, user_id: str) -> bool:
        found = self.user(team_id, user_id)
        return found is not None and found.is_admin
