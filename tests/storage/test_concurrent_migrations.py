"""Three instances starting at once against one database: the migrations run exactly once, the others wait."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.crypto import KeyRing, generate_key
from storage.db import create_engine
from storage.migrate import alembic_config
from tests.conftest import POSTGRES_URL, PostgresSchema, needs_postgres

# Each process imports everything first, then waits for the same instant to call `upgrade`, as instances
# that a deploy starts together do.
STARTER = """
import sys, time
from storage.crypto import KeyRing
from storage.db import create_engine
from storage.migrate import upgrade

url, key, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
engine = create_engine(url, KeyRing.from_setting(key))
time.sleep(max(0.0, start - time.time()))
print(",".join(upgrade(engine)))
"""
INSTANCES = 3


def start_together(url: str, key: str) -> list[subprocess.CompletedProcess[str]]:
    start = time.time() + 5
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, url, key, str(start)],
            cwd=Path(__file__).resolve().parents[2],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(INSTANCES)
    ]
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    return results


def assert_migrated_exactly_once(url: str, key: str) -> None:
    results = start_together(url, key)
    assert [result.returncode for result in results] == [0] * INSTANCES, [result.stderr for result in results]
    engine = create_engine(url, KeyRing.from_setting(key))
    try:
        script = ScriptDirectory.from_config(alembic_config(engine))
        every_revision = [revision.revision for revision in reversed(list(script.walk_revisions()))]  # base first
        applied = sorted((result.stdout.strip() for result in results), reverse=True)
        assert applied == [",".join(every_revision)] + [""] * (INSTANCES - 1)
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_heads() == (script.get_current_head(),)
            assert connection.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 1
    finally:
        engine.dispose()


def test_three_instances_starting_together_on_sqlite_migrate_once(tmp_path: Path) -> None:
    assert_migrated_exactly_once(f"sqlite:///{tmp_path / 'shared.db'}", generate_key())


@pytest.fixture
def fresh_postgres_schema() -> Iterator[str]:
    assert POSTGRES_URL
    schema = PostgresSchema(POSTGRES_URL, KeyRing.from_setting(generate_key()))
    yield schema.url
    schema.drop()


@needs_postgres
def test_three_instances_starting_together_on_postgresql_migrate_once(fresh_postgres_schema: str) -> None:
    assert_migrated_exactly_once(fresh_postgres_schema, generate_key())
