"""Alembic environment: the engine (or the connection holding the migration lock) comes from `storage.migrate`,
never from a URL in a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection, Engine

from storage.models import Base


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()


given: Connection | None = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    engine: Engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        run(connection)
