"""Domain errors carry a message a person can act on; the Slack error handler shows it as is."""

from __future__ import annotations


class DomainError(Exception):
    """Something the user asked for cannot be done; `message` says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    """The acting user's role does not allow this action."""


class NotFound(DomainError):
    """The thing acted on does not exist in this workspace."""
