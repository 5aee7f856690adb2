"""Migration 0009 gives the App Home the indexes its pages need at 100,000 payments, as the models declare them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from storage.crypto import KeyRing
from storage.db import create_engine
from storage.migrate import upgrade
from storage.models import Payment

HOME_INDEXES = {
    "ix_payments_workspace_id_date_id": ["workspace_id", "date", "id"],
    "ix_payments_workspace_id_spender_user_id_state_date": ["workspace_id", "spender_user_id", "state", "date"],
}


def test_migration_0009_creates_the_home_indexes_the_models_declare(tmp_path: Path, keyring: KeyRing) -> None:
    declared = {index.name: [c.name for c in index.columns] for index in Payment.__table__.indexes}
    assert {name: declared.get(name) for name in HOME_INDEXES} == HOME_INDEXES
    engine = create_engine(f"sqlite:///{tmp_path / 'bot.db'}", keyring)
    upgrade(engine, "0008")
    assert not set(HOME_INDEXES) & {index["name"] for index in inspect(engine).get_indexes("payments")}
    upgrade(engine)
    found = {index["name"]: index["column_names"] for index in inspect(engine).get_indexes("payments")}
    assert {name: found.get(name) for name in HOME_INDEXES} == HOME_INDEXES
    engine.dispose()
