"""Recording an outbox intent (the repository is storage.repositories.outbox).

Redraws need no caller at all: `watch_card_changes` records one, in the same transaction, whenever a posted
payment's version changes (the version changes exactly when what its message shows changes).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import get_history

from storage.models import OutboxItem, Payment

CARD_REDRAW = "card_redraw"


def redraw_key(payment_id: int) -> str:
    return f"{CARD_REDRAW}:{payment_id}"


def record_intent(
    connection: Connection,
    *,
    kind: str,
    key: str,
    workspace_id: int,
    payment_id: int | None,
    payload: dict[str, Any],
    due: datetime,
) -> None:
    """INSERT … ON CONFLICT: the row for `key`, or a new generation of it (race-free on both databases)."""
    values = {
        "kind": kind,
        "dedupe_key": key,
        "workspace_id": workspace_id,
        "payment_id": payment_id,
        "payload": payload,
        "generation": 1,
        "attempts": 0,
        "next_attempt_at": due,
        "created_at": due,
    }
    connection.execute(_upsert(connection.dialect.name), values)


@cache
def _upsert(dialect_name: str) -> Any:
    """The statement, built once per dialect: its `excluded` is a copy of the table's every column, which became
    cyclic garbage with each intent recorded (a tenth of what the collector walked under fifty saves at once)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    table = OutboxItem.__table__
    statement = dialect.insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.dedupe_key],
        set_={"generation": table.c.generation + 1, "payload": statement.excluded.payload},
    )


def watch_card_changes(sessions: sessionmaker[Session], now: Callable[[], datetime]) -> None:
    """Record a redraw of a payment's message in the transaction that changes what the message shows.

    Installed once per session factory (two servers on one database in a test share it)."""
    if getattr(sessions, "_watches_card_changes", False):
        return
    sessions._watches_card_changes = True  # type: ignore[attr-defined]

    def record_redraws(session: Session, _context: Any, _instances: Any) -> None:
        for payment in [p for p in session.dirty if isinstance(p, Payment)]:
            if not payment.message_ts or not payment.channel_id:
                continue
            if not get_history(payment, "version").has_changes():  # (`inspect(…).attrs` leaves cyclic garbage)
                continue
            record_intent(
                session.connection(),
                kind=CARD_REDRAW,
                key=redraw_key(payment.id),
                workspace_id=payment.workspace_id,
                payment_id=payment.id,
                payload={},
                due=now(),
            )

    event.listen(sessions, "before_flush", record_redraws)
