"""The parts of Xero's query language the bot can use: where, order, paging, If-Modified-Since."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.xero.messages import EmulatorRequest
from sandbox.xero.state import XeroObject
from sandbox.xero.xero_dates import parse_document_date, parse_if_modified_since, parse_ms_timestamp

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

_CLAUSE = re.compile(
    r"""^\s*(?P<field>[A-Za-z][\w.]*?)
        (?:\.(?P<method>Contains|StartsWith|EndsWith)\(\s*"(?P<arg>[^"]*)"\s*\)
          |\s*(?P<op>==|!=|>=|<=|>|<)\s*(?P<value>.+?))\s*$""",
    re.VERBOSE,
)
_SPLIT_OR = re.compile(r"\s+(?:OR|or)\s+|\s*\|\|\s*")
_SPLIT_AND = re.compile(r"\s+(?:AND|and)\s+|\s*&&\s*")
_DATETIME = re.compile(r"^DateTime\(\s*(\d{4})\s*,\s*(\d{1,2})\s*,\s*(\d{1,2})\s*\)$")
_GUID = re.compile(r'^Guid\(\s*"([^"]+)"\s*\)$', re.IGNORECASE)

Predicate = Callable[[XeroObject], bool]


class QueryError(ValueError):
    pass


def field_value(obj: XeroObject, dotted: str) -> Any:
    value: Any = obj
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _literal(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    guid = _GUID.match(text)
    if guid:
        return guid.group(1)
    stamp = _DATETIME.match(text)
    if stamp:
        return date(int(stamp.group(1)), int(stamp.group(2)), int(stamp.group(3)))
    try:
        return Decimal(text)
    except InvalidOperation:
        raise QueryError(f"Cannot parse the value {text} in the where clause") from None


def _comparable(value: Any, like: Any) -> Any:
    if isinstance(like, date) and isinstance(value, str):
        return parse_document_date(value)
    if isinstance(like, Decimal) and isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    return value


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">=": lambda a, b: a is not None and a >= b,
    "<=": lambda a, b: a is not None and a <= b,
    ">": lambda a, b: a is not None and a > b,
    "<": lambda a, b: a is not None and a < b,
}


def _clause(text: str) -> Predicate:
    match = _CLAUSE.match(text)
    if not match:
        raise QueryError(f"Cannot parse the where clause near '{text.strip()}'")
    field = match.group("field")
    method = match.group("method")
    if method:
        argument = match.group("arg")
        checks: dict[str, Callable[[str], bool]] = {
            "Contains": lambda value: argument in value,
            "StartsWith": lambda value: value.startswith(argument),
            "EndsWith": lambda value: value.endswith(argument),
        }
        check = checks[method]
        return lambda obj: isinstance(field_value(obj, field), str) and check(field_value(obj, field))
    expected = _literal(match.group("value"))
    compare = _OPERATORS[match.group("op")]

    def predicate(obj: XeroObject) -> bool:
        try:
            return compare(_comparable(field_value(obj, field), expected), expected)
        except TypeError:
            return False

    return predicate


def where_predicate(where: str | None) -> Predicate:
    if not where or not where.strip():
        return lambda obj: True
    alternatives = [[_clause(part) for part in _SPLIT_AND.split(branch)] for branch in _SPLIT_OR.split(where)]
    return lambda obj: any(all(clause(obj) for clause in branch) for branch in alternatives)


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, str):
        stamp = parse_ms_timestamp(value)
        return (1, stamp.timestamp()) if stamp else (2, value.casefold())
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float, Decimal)):
        return (1, float(value))
    return (2, str(value))


def ordered(objects: list[XeroObject], order: str | None) -> list[XeroObject]:
    if not order:
        return objects
    result = list(objects)
    for term in reversed([t.strip() for t in order.split(",") if t.strip()]):
        field, _, direction = term.partition(" ")
        descending = direction.strip().upper() == "DESC"
        result.sort(key=lambda obj: _sort_key(field_value(obj, field)), reverse=descending)
    return result


def modified_since(objects: list[XeroObject], request: EmulatorRequest) -> list[XeroObject]:
    header = request.header("if-modified-since")
    if not header:
        return objects
    since = parse_if_modified_since(header)
    if since is None:
        return objects
    return [obj for obj in objects if _updated_after(obj, since)]


def _updated_after(obj: XeroObject, since: datetime) -> bool:
    updated = parse_ms_timestamp(str(obj.get("UpdatedDateUTC", "")))
    return updated is not None and updated > since


def page_of(objects: list[XeroObject], request: EmulatorRequest) -> tuple[list[XeroObject], dict[str, int] | None]:
    """One page when `page` is given (1-based), else everything, as Xero does for these endpoints."""
    page_text = request.query_value("page")
    if page_text is None:
        return objects, None
    try:
        page = max(1, int(page_text))
        size_text = request.query_value("pageSize")
        size = min(MAX_PAGE_SIZE, max(1, int(size_text))) if size_text else DEFAULT_PAGE_SIZE
    except ValueError:
        raise QueryError("page and pageSize must be whole numbers") from None
    start = (page - 1) * size
    pagination = {
        "page": page,
        "pageSize": size,
        "pageCount": math.ceil(len(objects) / size),
        "itemCount": len(objects),
    }
    return objects[start : start + size], pagination
