"""The unit of work: one session, one transaction; repositories share it and never commit."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from storage import db
from storage.repositories import (
    AuditLog,
    ConnectionRepository,
    PaymentRepository,
    ProcessedEvents,
    RoleRepository,
    RuleRepository,
    WorkspaceRepository,
)
from storage.repositories.import_profiles import ImportProfiles
from storage.repositories.outbox import OutboxRepository
from storage.repositories.reference import ReferenceData

_open = threading.local()


class UnitOfWork:
    """`with uow:` opens a transaction; `uow.commit()` makes it durable; leaving without commit rolls back."""

    def __init__(self, sessions: sessionmaker[Session], *, reading: bool = False) -> None:
        self._sessions = sessions
        self._session: Session | None = None
        self._reading = reading

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside a `with` block")
        return self._session

    def __enter__(self) -> Self:
        if getattr(_open, "count", 0):
            # On SQLite the outer transaction holds the database's write lock: an inner one would wait on it
            # until the busy timeout. Finish one unit of work before starting the next.
            raise RuntimeError("a unit of work is already open in this thread")
        _open.count = 1
        db.reading.active = self._reading
        self._session = self._sessions()
        session = self._session
        self.workspaces = WorkspaceRepository(session)
        self.roles = RoleRepository(session)
        self.audit = AuditLog(session)
        self.events = ProcessedEvents(session)
        self.connections = ConnectionRepository(session)
        self.payments = PaymentRepository(session)
        self.reference = ReferenceData(session)
        self.import_profiles = ImportProfiles(session)
        self.outbox = OutboxRepository(session)
        self.rules = RuleRepository(session)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # close() rolls back anything uncommitted without expiring what was loaded, so objects read
        # inside the block can still be rendered after it.
        _open.count = 0
        db.reading.active = False
        self.session.close()
        self._session = None

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


class UnitOfWorkFactory:
    """What services receive: `with uow_factory() as uow: …`."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    def reading(self) -> UnitOfWork:
        """A unit of work that only reads: on SQLite it does not take the write lock (see storage/db.py)."""
        return UnitOfWork(self.sessions, reading=True)
