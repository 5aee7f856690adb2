"""Alembic, driven from code so the installed package migrates without an alembic.ini.

Several instances may start at once: the migrations run exactly once and the others wait. On PostgreSQL a
session advisory lock is held around the upgrade; on SQLite the upgrade runs in one `BEGIN IMMEDIATE`
transaction (storage.db), which holds SQLite's single write lock from the first read of the version on.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# pg_advisory_lock's key for "the schema is being migrated" (any fixed bigint; this one spells "xerobot").
MIGRATION_LOCK_KEY = 0x7865726F626F74

logger = logging.getLogger(__name__)


def alembic_config(engine: Engine, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> list[str]:
    """Apply what is pending, once across every instance that calls this at the same time; return the
    revisions this call applied (empty when another instance had already done it)."""
    with engine.connect() as connection:
        _lock(connection)
        try:
            before = set(MigrationContext.configure(connection).get_current_heads())
            if not before:
                logger.info("creating the database schema")
            command.upgrade(alembic_config(engine, connection), revision)
            applied = _revisions_between(engine, before)
        finally:
            _unlock(connection)
    if applied:
        logger.info("applied migrations %s to %s", applied[0], applied[-1])
    return applied


def _lock(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    free = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY}).scalar()
    if not free:
        logger.info("another instance is migrating the database; waiting for it")
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    connection.commit()


def _unlock(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    connection.rollback()  # a failed migration leaves its transaction aborted; the unlock needs a fresh one
    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
    connection.commit()


def _revisions_between(engine: Engine, before: set[str]) -> list[str]:
    """The revisions from `before` (exclusive) to the current head, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    applied: list[str] = []
    for head in current:
        for revision in script.iterate_revisions(head, "base"):
            if revision.revision in before:
                break
            applied.append(revision.revision)
    return list(reversed(dict.fromkeys(applied)))  # walked from the head down: the chain's order, not the ids'


def pending_revisions(engine: Engine) -> list[str]:
    """Revisions not yet applied to this database, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    pending: list[str] = []
    for revision in script.walk_revisions():
        if revision.revision in current:
            break
        pending.append(revision.revision)
    return list(reversed(pending)) if current or pending else []
