"""Many rows into one table at once (COPY on PostgreSQL, one `executemany` elsewhere): each value converted by its
column type's own bind processor, so both store exactly what the ORM would; constants are converted once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def insert_rows(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], constants: dict[str, Any] | None = None
) -> None:
    """Insert `rows` (same keys each), plus `constants` in every row, inside the session's transaction."""
    if not rows:
        return
    constants = dict(constants or {})
    connection = session.connection()
    dialect = connection.dialect
    varying = list(rows[0])
    names = varying + list(constants)
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    for key in compiled.binds:
        if key not in names and key in table.c:  # a column with a Python-side default the ORM would fill in
            constants[key] = _default_of(table, key)
            names.append(key)
    processors = {name: table.c[name].type._cached_bind_processor(dialect) for name in names}
    fixed = {
        name: processors[name](value) if processors[name] is not None else value  # type: ignore[misc]
        for name, value in constants.items()
    }
    converters = [(name, processors[name]) for name in varying]

    def converted(row: dict[str, Any]) -> dict[str, Any]:
        out = dict(fixed)
        for name, processor in converters:
            value = row[name]
            out[name] = processor(value) if processor is not None and value is not None else value
        return out

    cursor: Any = connection.connection.cursor()
    try:
        if dialect.name == "postgresql":  # COPY: the fastest way into PostgreSQL, and still in this transaction
            columns = ", ".join(f'"{name}"' for name in names)
            with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    values = converted(row)
                    copy.write_row(tuple(values[name] for name in names))
            return
        params: list[Any] = [converted(row) for row in rows]
        if compiled.positional:
            order = list(compiled.positiontup or ())
            params = [tuple(row[name] for name in order) for row in params]
        cursor.executemany(str(compiled), params)
    finally:
        cursor.close()


def _default_of(table: Table, name: str) -> Any:
    default = table.c[name].default
    if default is None:
        return None
    if getattr(default, "is_scalar", False):
        return default.arg  # type: ignore[attr-defined]
    if getattr(default, "is_callable", False):
        return default.arg(None)  # type: ignore[attr-defined]
    return None
