"""A Slack request read as Bolt reads it, with the form decoding done in C.

An interaction arrives as `payload=<the JSON, percent-encoded>`: a click on a payment card carries the whole card,
15 KB and some 3,000 `%XX` escapes. The standard library decodes them one by one in Python (`urllib.parse`, which
Bolt's `parse_body` uses): 1.3 ms a request on this project's 2-core machine, a fifth of the bot's time answering
an account search fifty at once (README, Performance). `binascii.a2b_qp` decodes the same escapes in C (quoted-
printable's `=XX` is Slack's `%XX`) in 0.2 ms; a value it could read differently (a raw `=`, a `%` not followed by
two hex digits, a character outside ASCII) goes to the standard library instead, so the result is
always exactly `urllib.parse.parse_qsl`'s (tests/slack/test_request_body.py compares them).
"""

from __future__ import annotations

import binascii
import json
import re
from typing import Any
from urllib.parse import unquote

from slack_bolt.context import BoltContext
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context

_NOT_AN_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def slack_request(body: str, query: str, headers: Any) -> BoltRequest:
    """The BoltRequest Bolt's Flask adapter builds for this body, query and headers (raw body, parsed body and
    context alike); where Bolt's own reading raises on a body Slack never sends, so does this."""
    request = BoltRequest(body="", query=query, headers=headers)  # reads no body
    request.raw_body = body
    request.body = parse_body(body, request.content_type)
    request.context = build_context(BoltContext({}), request.body)
    return request


def parse_body(body: str, content_type: str | None) -> dict[str, Any]:
    """`slack_bolt.request.internals.parse_body`, step for step, with `parse_form` for `parse_qsl`."""
    if not body:
        return {}
    if content_type == "application/json" or body.startswith("{"):
        return json.loads(body)  # type: ignore[no-any-return]
    fields = dict(parse_form(body))
    if "payload" not in body:
        return fields
    payload = fields.get("payload")
    return json.loads(payload) if payload is not None else {}


def parse_form(body: str) -> list[tuple[str, str]]:
    """`urllib.parse.parse_qsl(body, keep_blank_values=True)`."""
    fields = []
    for field in body.split("&"):
        if field:
            name, _, value = field.partition("=")
            fields.append((form_decoded(name), form_decoded(value)))
    return fields


def form_decoded(text: str) -> str:
    """`urllib.parse.unquote(text.replace("+", " "))`, in C where that gives the same."""
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    if "=" in text or not text.isascii() or _NOT_AN_ESCAPE.search(text):
        return unquote(text)
    return binascii.a2b_qp(text.replace("%", "=")).decode("utf-8", "replace")
