"""Engines and sessions that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from storage.crypto import KeyRing, attach_keyring
from storage.write_turns import WriteTurns

# Connections kept open to PostgreSQL, and to a SQLite file. SQLAlchemy's default keeps 5 and opens (then closes)
# another for each transaction beyond them, about 30 ms each on PostgreSQL, and on SQLite makes the 16th wait: the
# request threads (8), the Slack work (4 + 4 after answers), the scheduler's jobs (4) and the sync's organisations
# at once easily use more than 5 together (benchmarks/ack_latency.py's quiet part on SQLite: 44 waits, up to 39 ms).
POOL_SIZE = 20


def create_engine(url: str, keyring: KeyRing, **kwargs: Any) -> Engine:
    """An engine whose encrypted columns use `keyring`; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {}).update({"check_same_thread": False, "timeout": 30})
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
        else:
            kwargs.setdefault("pool_size", POOL_SIZE)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        kwargs.setdefault("pool_size", POOL_SIZE)
    engine = sqlalchemy.create_engine(url, **kwargs)
    attach_keyring(engine.dialect, keyring)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        turns = WriteTurns() if kwargs.get("poolclass") is not StaticPool else None  # one shared connection

        def begin(connection: Any) -> None:
            _sqlite_begin_immediate(connection, turns)

        event.listen(engine, "begin", begin)
        if turns is not None:
            event.listen(engine, "checkin", lambda _dbapi, record: turns.give_back(record.info))
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is switched off so BEGIN IMMEDIATE below takes the write lock
    # up front: SQLite's equivalent of the row locks PostgreSQL takes with FOR UPDATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """Turning a new database file to WAL needs it to itself, and SQLite answers "database is locked" at once,
    without waiting out the busy timeout, when another process opens it at that instant (instances started
    together): try again for a few seconds."""
    for attempt in range(50):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == 49:
                raise
            time.sleep(0.1)


# Set by a reading unit of work (storage/uow.py) for its thread: its transaction only reads.
reading = threading.local()


def _sqlite_begin_immediate(connection: Any, turns: WriteTurns | None) -> None:
    """A reading transaction begins deferred: with WAL it reads a snapshot and never waits for the write lock
    (an options load does not queue behind a bulk sync's writes). A writing one waits for its turn in this
    process first (storage/write_turns.py), held until its connection is back in the pool."""
    if getattr(reading, "active", False):
        connection.exec_driver_sql("BEGIN")
        return
    if turns is not None:
        turns.take(connection.info)
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def ping(engine: Engine) -> None:
    """Raise if the database does not answer."""
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
