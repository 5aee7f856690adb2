"""Checks requests and responses against Xero's published accounting OpenAPI spec (read by spec_file.py, once per
process per path), as if sent to the spec's own server, whatever port the emulator uses."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.datastructures import Headers, ImmutableMultiDict

try:  # the dev extra; an installed bot without it (the demo) runs the emulator without validation
    import yaml  # noqa: F401  (the spec file needs it: sandbox/xero/spec_file.py)
    from openapi_core import Config, OpenAPI
    from openapi_core.datatypes import RequestParameters
    from openapi_core.validation.request.validators import V30RequestParametersValidator
    from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4
except ImportError:
    VALIDATION_AVAILABLE = False
else:
    VALIDATION_AVAILABLE = True

from sandbox.xero.messages import EmulatorRequest, EmulatorResponse
from sandbox.xero.spec_file import (
    booleans_as_booleans,
    header_parameter_names,
    spec_as_json,
    without_security,
)

SPEC_HOST_URL = "https://api.xero.com"
ACCOUNTING_PREFIX = "/api.xro/2.0"
_SPEC_URI = "urn:xero-accounting-spec"
_AN_ID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_ANY_ID = "00000000-0000-4000-8000-000000000000"
_A_TIME = re.compile(r"/Date\(\d+")  # Xero's /Date(milliseconds±zone)/
_VALID_ITEMS_CACHE_LIMIT = 50_000


@dataclass
class _SpecRequest:
    """openapi-core's Request protocol over an emulator request."""

    method: str
    path: str
    parameters: RequestParameters
    body: bytes | None
    content_type: str
    host_url: str = SPEC_HOST_URL


def _template_regex(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
    return re.compile(f"^{re.escape(ACCOUNTING_PREFIX)}{pattern}$")


class SpecChecker:
    def __init__(self, spec: dict[str, Any]) -> None:
        self._spec = spec
        # Requests and answers are checked against the spec; the spec document itself is Xero's to get right,
        # and validating it as OpenAPI took seconds at every start.
        self._openapi = OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))
        self._parameters_validator = V30RequestParametersValidator(self._openapi.spec)
        self._templates = [(_template_regex(template), template) for template in spec["paths"]]
        self._lock = threading.Lock()
        self._registry: Registry[Any] = Registry().with_resource(
            _SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT4)
        )
        self._validators: dict[str, Any] = {}
        self._valid_items: set[tuple[str, str]] = set()
        self._header_parameters = header_parameter_names(spec)
        self._valid_reads: set[tuple[Any, ...]] = set()

    def request_problem(self, request: EmulatorRequest) -> str | None:
        if _is_attachment_download_by_name(request):
            return None
        read = self._read_fingerprint(request)
        if read is not None and read in self._valid_reads:
            return None
        problem = self._request_problem(request)
        if problem is None and read is not None:
            with self._lock:
                if len(self._valid_reads) > _VALID_ITEMS_CACHE_LIMIT:
                    self._valid_reads.clear()
                self._valid_reads.add(read)
        return problem

    def _read_fingerprint(self, request: EmulatorRequest) -> tuple[Any, ...] | None:
        """What a GET's validity depends on (its path, query and the headers the spec declares), ids and times
        made generic; None for a request with a body."""
        if request.method != "GET" or request.body:
            return None
        query = sorted((name, _generic(value)) for name, value in _query_pairs(request))
        declared = self._header_parameters
        headers = sorted((name, _generic(value)) for name, value in request.headers.items() if name in declared)
        return (_generic(request.path), tuple(query), tuple(headers))

    def _request_problem(self, request: EmulatorRequest) -> str | None:
        is_upload = "/Attachments/" in request.path and request.method in ("PUT", "POST")
        spec_request = _SpecRequest(
            method=request.method.lower(),
            path=request.path,
            parameters=RequestParameters(
                query=ImmutableMultiDict(_query_pairs(request)), header=Headers(request.headers)
            ),
            body=None if is_upload else self._body_without_read_only(request),
            content_type=request.header("content-type") or "application/json",
        )
        try:
            with self._lock:
                if is_upload:
                    self._parameters_validator.validate(spec_request)
                else:
                    self._openapi.validate_request(spec_request)
        except Exception as error:  # openapi-core raises many unrelated types; all mean "does not match"
            return _describe(error)
        return None

    def response_problem(self, request: EmulatorRequest, response: EmulatorResponse) -> str | None:
        """Validates JSON responses with jsonschema, remembering list items already seen valid.

        openapi-core re-validated the ~110 seeded accounts on every GET /Accounts (~20 ms); most list
        items are unchanged between calls, so each distinct item is checked once.
        """
        if not response.content_type.startswith("application/json") or not response.body:
            return None
        pointer = self._response_pointer(request.method.lower(), request.path, response.status)
        if pointer is None:
            return None  # 401/403/404/429/5xx are not described by the spec
        try:
            payload = json.loads(response.body)
        except ValueError:
            return "response body is not JSON"
        with self._lock:
            messages = self._response_errors(payload, pointer)
        return "; ".join(messages) if messages else None

    def _response_errors(self, payload: Any, pointer: str) -> list[str]:
        schema = self._resolve(self._node_at(pointer))
        envelope = payload
        messages: list[str] = []
        if isinstance(payload, dict) and "properties" in schema:
            envelope = dict(payload)
            for key, value in payload.items():
                item_ref = self._resolve(schema["properties"].get(key, {})).get("items", {}).get("$ref")
                if isinstance(value, list) and item_ref:
                    envelope[key] = []
                    messages += [
                        f"{key}[{i}]: {m}" for i, item in enumerate(value) for m in self._item_errors(item, item_ref)
                    ]
        messages += [_schema_error_text(e) for e in self._validator(pointer).iter_errors(envelope)]
        return messages

    def _item_errors(self, item: Any, ref: str) -> list[str]:
        # Items that differ only in their ids and times are equally valid: every emulator seeds the same
        # objects with new ids, at its own time.
        fingerprint = (ref, _generic(json.dumps(item, sort_keys=True)))
        if fingerprint in self._valid_items:
            return []
        messages = [_schema_error_text(e) for e in self._validator(ref.removeprefix("#")).iter_errors(item)]
        if not messages:
            if len(self._valid_items) > _VALID_ITEMS_CACHE_LIMIT:
                self._valid_items.clear()
            self._valid_items.add(fingerprint)
        return messages

    def _validator(self, pointer: str) -> Any:
        if pointer not in self._validators:
            self._validators[pointer] = OAS30ReadValidator(
                {"$ref": f"{_SPEC_URI}#{pointer}"}, registry=self._registry, format_checker=oas30_format_checker
            )
        return self._validators[pointer]

    def _response_pointer(self, method: str, path: str, status: int) -> str | None:
        for regex, template in self._templates:
            if not regex.match(path):
                continue
            responses = self._spec["paths"][template].get(method, {}).get("responses", {})
            if str(status) not in responses:
                return None
            response = self._resolve(responses[str(status)])
            if "schema" not in response.get("content", {}).get("application/json", {}):
                return None
            if "$ref" in responses[str(status)]:
                base = responses[str(status)]["$ref"].removeprefix("#")
            else:
                base = f"/paths/{_escape(template)}/{method}/responses/{status}"
            return f"{base}/content/application~1json/schema"
        return None

    def _node_at(self, pointer: str) -> dict[str, Any]:
        node: Any = self._spec
        for part in pointer.lstrip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return dict(node)

    def _body_without_read_only(self, request: EmulatorRequest) -> bytes | None:
        if not request.body:
            return None
        schema = self._request_schema(request.method.lower(), request.path)
        try:
            payload = json.loads(request.body)
        except ValueError:
            return request.body
        if schema is not None:
            payload = self._strip_read_only(payload, schema)
        return json.dumps(payload).encode()

    def _request_schema(self, method: str, path: str) -> dict[str, Any] | None:
        for regex, template in self._templates:
            if regex.match(path):
                operation = self._spec["paths"][template].get(method, {})
                body = self._resolve(operation.get("requestBody", {}))
                media = body.get("content", {}).get("application/json", {})
                schema = media.get("schema")
                return self._resolve(schema) if schema else None
        return None

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self._spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def _strip_read_only(self, value: Any, schema: dict[str, Any]) -> Any:
        schema = self._resolve(schema)
        if isinstance(value, list) and "items" in schema:
            return [self._strip_read_only(item, schema["items"]) for item in value]
        if isinstance(value, dict) and "properties" in schema:
            stripped = {}
            for key, item in value.items():
                property_schema = schema["properties"].get(key)
                if property_schema is None:
                    stripped[key] = item
                elif not self._resolve(property_schema).get("readOnly") and not property_schema.get("readOnly"):
                    stripped[key] = self._strip_read_only(item, property_schema)
            return stripped
        return value


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _is_attachment_download_by_name(request: EmulatorRequest) -> bool:
    """The spec has both …/Attachments/{AttachmentID} and …/{FileName} for GET; openapi-core always picks
    the uuid one, so a download by file name could never validate."""
    head, _, last = request.path.rpartition("/")
    return request.method == "GET" and head.endswith("/Attachments") and not _UUID.match(last)


def _escape(template: str) -> str:
    return template.replace("~", "~0").replace("/", "~1")


def _schema_error_text(error: Any) -> str:
    location = "/".join(str(part) for part in error.absolute_path) or "<root>"
    return f"{location}: {error.message}"


def _generic(text: str) -> str:
    """`text` with every id and Xero time replaced by the same one: what is valid with one is valid with any."""
    return _A_TIME.sub("/Date(0", _AN_ID.sub(_ANY_ID, text))


def _query_pairs(request: EmulatorRequest) -> list[tuple[str, str]]:
    return [(key, value) for key, values in request.query.items() for value in values]


def _describe(error: Exception) -> str:
    cause = error.__cause__
    schema_errors = getattr(cause, "schema_errors", None) or getattr(error, "schema_errors", None)
    if schema_errors:
        details = "; ".join(
            f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}" for e in schema_errors
        )
        return f"{type(error).__name__}: {details}"
    return f"{type(error).__name__}: {error}" + (f" ({cause})" if cause else "")


_CHECKERS: dict[Path, SpecChecker] = {}
_CHECKERS_LOCK = threading.Lock()


def spec_checker(path: Path) -> SpecChecker:
    if not VALIDATION_AVAILABLE:
        raise RuntimeError('checking against the OpenAPI spec needs the dev extra: pip install -e ".[dev]"')
    resolved = path.resolve()
    with _CHECKERS_LOCK:
        if resolved not in _CHECKERS:
            _CHECKERS[resolved] = SpecChecker(booleans_as_booleans(without_security(spec_as_json(resolved))))
        return _CHECKERS[resolved]
