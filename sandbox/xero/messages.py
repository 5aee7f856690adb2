"""The emulator's own request/response values, independent of http.server."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs


@dataclass(frozen=True)
class EmulatorRequest:
    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string, keep_blank_values=True)

    def query_value(self, name: str) -> str | None:
        """Query parameters are matched case-insensitively, as Xero does."""
        for key, values in self.query.items():
            if key.lower() == name.lower() and values:
                return values[0]
        return None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json_body(self) -> Any:
        return json.loads(self.body or b"null", parse_float=Decimal)


@dataclass
class EmulatorResponse:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    drop_connection: bool = False


def _encode_decimal(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def json_bytes(payload: object) -> bytes:
    return json.dumps(payload, default=_encode_decimal).encode()


def json_response(status: int, payload: object, headers: dict[str, str] | None = None) -> EmulatorResponse:
    return EmulatorResponse(status=status, body=json_bytes(payload), headers=dict(headers or {}))


def problem(status: int, title: str, detail: str, **extra: object) -> EmulatorResponse:
    """Xero's tenant/auth/limit errors use this Title/Status/Detail shape."""
    return json_response(status, {"Type": None, "Title": title, "Status": status, "Detail": detail, **extra})


def validation_error(elements: list[dict[str, Any]]) -> EmulatorResponse:
    return json_response(
        400,
        {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": elements,
        },
    )


def single_validation_error(message: str) -> EmulatorResponse:
    return validation_error([{"ValidationErrors": [{"Message": message}]}])


def not_found(detail: str = "The resource you're looking for cannot be found") -> EmulatorResponse:
    return problem(404, "The resource you're looking for cannot be found", detail)
