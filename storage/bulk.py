"""Many rows into one table at once (COPY on PostgreSQL, one `executemany` elsewhere): each value converted by its
column type's own bind processor, so both store exactly what the ORM would; constants are converted once, and so is
each distinct date of a batch (an export repeats its dates thousands of times). On SQLite the connection keeps up
to 32 MB of pages (SQLite's default is 2 MB), so a batch finds in memory the index pages the previous ones read
instead of reading and spilling them again: a 500,000-line import spends a quarter less time storing."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

Processor = Callable[[Any], Any]
SQLITE_CACHE_KIB = 32 * 1024


def insert_rows(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], constants: dict[str, Any] | None = None
) -> None:
    """Insert `rows` (same keys each), plus `constants` in every row, inside the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    varying = list(rows[0])
    constants = _with_defaults(table, dialect, varying, dict(constants or {}))
    values = _row_values(table, dialect, varying, constants)
    names = varying + list(constants)
    cursor: Any = connection.connection.cursor()
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    try:
        if dialect.name == "postgresql":  # COPY: the fastest way into PostgreSQL, and still in this transaction
            with cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
            return
        if dialect.name == "sqlite":  # setting the same size again changes nothing
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        marks = ", ".join("?" if dialect.paramstyle == "qmark" else "%s" for _ in names)
        cursor.executemany(f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})", [values(r) for r in rows])
    finally:
        cursor.close()


def _with_defaults(table: Table, dialect: Dialect, varying: list[str], constants: dict[str, Any]) -> dict[str, Any]:
    """`constants` plus each column left out that has a Python-side default the ORM would fill in."""
    names = varying + list(constants)
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    for key in compiled.binds:
        if key not in names and key in table.c:
            constants[key] = _default_of(table, key)
            names.append(key)
    return constants


def _row_values(
    table: Table, dialect: Dialect, varying: list[str], constants: dict[str, Any]
) -> Callable[[dict[str, Any]], list[Any]]:
    """What to send for a row: its `varying` values then the `constants`, each converted as its column's type
    would (the constants once for all rows)."""

    def processor_of(name: str) -> Processor | None:
        return table.c[name].type._cached_bind_processor(dialect)

    as_text = dialect.name == "postgresql"  # COPY sends text: a JSON value is spelt once, not dumped per row
    fixed = [
        _constant(value, processor_of(name), as_text and isinstance(table.c[name].type, JSON))
        for name, value in constants.items()
    ]
    get = itemgetter(*varying)
    single = len(varying) == 1
    converting = [
        (index, _memoised(processor, as_text))
        for index, name in enumerate(varying)
        if (processor := processor_of(name))
    ]

    def values(row: dict[str, Any]) -> list[Any]:
        out = [get(row)] if single else list(get(row))
        for index, processor in converting:
            value = out[index]
            if value is not None:
                out[index] = processor(value)
        out += fixed
        return out

    return values


def _constant(value: Any, processor: Processor | None, json_text: bool) -> Any:
    """A constant as sent for every row: converted once (a JSON one to its text once, for COPY)."""
    if value is None or processor is None:
        return value
    return json.dumps(value) if json_text else processor(value)


def _memoised(processor: Processor, as_text: bool = False) -> Processor:
    """The processor, remembering what it made of each date and of an empty list (equal ones always convert alike;
    equal decimals or datetimes in other time zones need not, so those are converted each time). With `as_text`
    (COPY), an empty list is sent as the JSON text "[]" rather than a wrapper the driver would serialise per row."""
    seen: dict[date, Any] = {}
    empty: list[Any] = []

    def convert(value: Any) -> Any:
        kind = type(value)
        if kind is date:
            found = seen.get(value)
            if found is None:
                found = seen[value] = processor(value)
            return found
        if kind is list and not value:
            if not empty:
                empty.append("[]" if as_text else processor(value))
            return empty[0]
        return processor(value)

    return convert


def _default_of(table: Table, name: str) -> Any:
    default = table.c[name].default
    if default is None:
        return None
    if getattr(default, "is_scalar", False):
        return default.arg  # type: ignore[attr-defined]
    if getattr(default, "is_callable", False):
        return default.arg(None)  # type: ignore[attr-defined]
    return None
