"""`migrate` builds the schema the models describe, on an empty SQLite file and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from storage.crypto import KeyRing
from storage.db import create_engine
from storage.migrate import pending_revisions, upgrade
from storage.models import Base
from tests.conftest import POSTGRES_URL, PostgresSchema, needs_postgres


def schema_drift(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def assert_migrations_match_models(engine: Engine) -> None:
    assert pending_revisions(engine) != []
    upgrade(engine)
    assert pending_revisions(engine) == []
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
    assert schema_drift(engine) == []


def test_migrate_on_an_empty_sqlite_file_creates_the_schema_the_models_describe(
    tmp_path: Path, keyring: KeyRing
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}", keyring)
    assert_migrations_match_models(engine)
    engine.dispose()


@needs_postgres
def test_migrate_on_postgresql_creates_the_schema_the_models_describe(keyring: KeyRing) -> None:
    assert POSTGRES_URL
    schema = PostgresSchema(POSTGRES_URL, keyring)
    engine = create_engine(schema.url, keyring)
    try:
        assert_migrations_match_models(engine)
    finally:
        engine.dispose()
        schema.drop()


def test_drift_is_detected_when_a_model_changes_without_a_migration(tmp_path: Path, keyring: KeyRing) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}", keyring)
    upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE payments ADD COLUMN stray INTEGER")
    drift = schema_drift(engine)
    engine.dispose()
    assert any("stray" in str(change) for change in drift)


def test_migrating_twice_is_a_no_op(tmp_path: Path, keyring: KeyRing) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}", keyring)
    upgrade(engine)
    upgrade(engine)
    assert pending_revisions(engine) == []
    engine.dispose()


@pytest.fixture(autouse=True)
def _quiet_alembic(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("WARNING", logger="alembic")
