"""One Web API request after parsing: merged arguments and the credentials it carried."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from sandbox.slack.errors import SlackError
from sandbox.slack.issued import TokenGrant
from sandbox.slack.model import Json

JSON_ARGS = frozenset({"blocks", "attachments", "view", "metadata", "files"})


@dataclass
class ApiRequest:
    method: str
    args: Json
    token: str | None
    basic_auth: tuple[str, str] | None
    grant: TokenGrant | None = None

    @property
    def caller(self) -> TokenGrant:
        if self.grant is None:
            raise SlackError("not_authed")
        return self.grant

    def text(self, name: str) -> str | None:
        value = self.args.get(name)
        return None if value is None else str(value)

    def required(self, name: str, error: str = "invalid_arguments") -> str:
        value = self.text(name)
        if not value:
            raise SlackError(error, messages=[f"[ERROR] missing required field: {name}"])
        return value

    def flag(self, name: str) -> bool:
        value = self.args.get(name)
        return value is True or str(value).lower() in ("true", "1")

    def json_arg(self, name: str) -> Any:
        """Structured args arrive as JSON values (JSON bodies) or JSON-encoded strings (form bodies)."""
        value = self.args.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else None
            except json.JSONDecodeError as error:
                raise SlackError("invalid_arguments", messages=[f"[ERROR] invalid JSON in {name}"]) from error
        return value


def parse_api_request(method: str, query: str, body: bytes, headers: dict[str, str]) -> ApiRequest:
    args: Json = dict(parse_qsl(query, keep_blank_values=True))
    content_type = headers.get("content-type", "").lower()
    if body:
        if content_type.startswith("application/json"):
            try:
                loaded = json.loads(body.decode("utf-8"))
            except ValueError as error:
                raise SlackError("invalid_json") from error
            if not isinstance(loaded, dict):
                raise SlackError("invalid_json")
            args.update(loaded)
        elif content_type.startswith("application/x-www-form-urlencoded"):
            args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        elif content_type.startswith("multipart/form-data"):
            raise SlackError("invalid_form_data", messages=["[ERROR] multipart uploads are not emulated"])
    token, basic = _credentials(headers.get("authorization", ""))
    if token is None and isinstance(args.get("token"), str):
        token = args["token"]
    args.pop("token", None)
    return ApiRequest(method=method, args=args, token=token, basic_auth=basic)


def _credentials(authorization: str) -> tuple[str | None, tuple[str, str] | None]:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip(), None
    if scheme.lower() == "basic" and value:
        client_id, _, secret = base64.b64decode(value).decode("utf-8").partition(":")
        return None, (client_id, secret)
    return None, None
