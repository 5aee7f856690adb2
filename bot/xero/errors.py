"""What can go wrong talking to Xero, in the words the rest of the bot needs."""

from __future__ import annotations

from datetime import datetime

from bot.errors import DomainError


class XeroError(DomainError):
    """Base of every Xero failure; `message` is fit to show a person."""


class XeroAuthError(XeroError):
    """The connection needs an admin to reconnect (refresh token revoked or expired, or access removed)."""


class XeroNotConnected(XeroError):
    """This workspace has no Xero organisation connected."""


class XeroValidationError(XeroError):
    """Xero refused the data; `messages` are Xero's own words."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("Xero refused this: " + "; ".join(messages))
        self.messages = messages


class XeroRateLimited(XeroError):
    def __init__(self, problem: str, retry_after: float, resume_at: datetime | None = None) -> None:
        when = f" until {resume_at:%H:%M} UTC" if resume_at is not None else ""
        super().__init__(f"Xero's {problem} API limit is used up; waiting{when}.")
        self.problem = problem
        self.retry_after = retry_after


class XeroUnavailable(XeroError):
    """Xero did not answer, or answered with a server error: the outcome may be unknown."""
