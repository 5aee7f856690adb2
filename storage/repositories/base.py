"""What every repository shares: the session it works in, and how rows are claimed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


class SessionRepository:
    """Queries and additions scoped to one session. They flush at most; they never commit."""

    def __init__(self, session: Session) -> None:
        self.session = session


def skip_locked(session: Session) -> dict[str, Any]:
    """Row-claiming options: SKIP LOCKED where the database has it (PostgreSQL), nothing on SQLite,
    where BEGIN IMMEDIATE already serialises writers."""
    if session.get_bind().dialect.name == "postgresql":
        return {"skip_locked": True}
    return {}
