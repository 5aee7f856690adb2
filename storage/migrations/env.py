"""Alembic environment: the engine comes from `storage.migrate`, never from a URL in a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Engine

from storage.models import Base

engine: Engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
