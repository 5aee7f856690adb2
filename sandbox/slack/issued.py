"""What the fake Slack hands out and records beside the workspace's objects: tokens, trigger ids, response URLs,
and each Web API call it received."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.slack.model import Json


@dataclass
class TokenGrant:
    """A token the fake accepts, and what it stands for."""

    token: str
    kind: str  # "bot" | "user" | "app"
    user_id: str
    scopes: tuple[str, ...]
    expires_at: float | None = None
    revoked: bool = False


@dataclass
class Trigger:
    user_id: str
    issued_at: float
    used: bool = False


@dataclass
class ResponseUrl:
    url: str
    user_id: str
    channel_id: str | None
    message_ts: str | None
    is_ephemeral: bool
    issued_at: float
    uses: int = 0


@dataclass(frozen=True)
class ApiCall:
    """One Web API request as the fake received it."""

    method: str
    args: Json
    token: str | None
    time: float
    status: int
    error: str | None
