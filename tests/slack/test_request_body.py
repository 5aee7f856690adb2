"""A Slack request body is read exactly as Bolt reads it, whatever it holds."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

import pytest
from flask import Flask, request
from slack_bolt.adapter.flask.handler import to_bolt_request

from bot.slack.request_body import form_decoded, parse_form, slack_request

CARD_TEXT = "*£1,234.56* to Ünïcode & Sons — “50% off” = 100+1 <https://x.example/?a=1&b=%20|link>\n🧾 done"


def interaction(text: str = CARD_TEXT) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0TEAM"},
        "user": {"id": "U0FIONA", "team_id": "T0TEAM"},
        "message": {"blocks": [{"type": "section", "block_id": f"b{n}", "text": {"text": text}} for n in range(20)]},
        "actions": [{"action_id": "payment_tax", "selected_option": {"value": "INPUT2"}}],
    }
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})


COMMAND = urlencode({"team_id": "T0TEAM", "user_id": "U0ANA", "command": "/xero", "text": "role <@U1|x> 100%+ = a&b"})


@pytest.mark.parametrize(
    "body",
    [
        interaction(),
        interaction(text="plain"),
        COMMAND,
        "",
        "payload=",
        "payload",
        "a=1&&b=&=c&d",
        "payload=%7B%7D&x=%zz%2",
        "text=%E2%82%AC%C3%28%FF%e2%82%ac+and+%2B",  # broken UTF-8 becomes U+FFFD, as the standard library does
        "text=100%%25%",
        "text=é%41&x=a=b%41",
        "text=line%0D%0Abreak\r\nraw=%41",
    ],
)
def test_a_form_reads_as_the_standard_library_reads_it(body: str) -> None:
    assert parse_form(body) == parse_qsl(body, keep_blank_values=True)


def test_any_form_reads_as_the_standard_library_reads_it() -> None:
    alphabet = ["%", "=", "+", "&", "2", "B", "f", "0", "c", "3", "a", "z", "é", "\n", "\r", " ", "%E2%82%AC", "%FF"]
    rng = random.Random(20261202)
    for _ in range(5000):
        body = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert parse_form(body) == parse_qsl(body, keep_blank_values=True), body
        assert form_decoded(body) == unquote(body.replace("+", " ")), body


def test_a_long_card_is_decoded_in_c_and_still_exactly() -> None:
    body = interaction(CARD_TEXT.replace("\n", " "))
    value = body.partition("=")[2]
    assert "=" not in value and value.isascii() and value.count("%") > 1000  # the fast path is the one taken
    assert form_decoded(value) == json.dumps(json.loads(parse_qsl(body)[0][1]), ensure_ascii=False)


def bolt_view(request: Any) -> dict[str, Any]:
    return {
        "raw_body": request.raw_body,
        "body": request.body,
        "context": dict(request.context),
        "query": request.query,
        "headers": request.headers,
        "content_type": request.content_type,
        "mode": request.mode,
    }


@pytest.mark.parametrize("body", [interaction(), COMMAND, json.dumps({"type": "url_verification", "challenge": "c"})])
def test_the_request_is_the_one_bolts_flask_adapter_builds(body: str) -> None:
    content_type = "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
    headers = {"Content-Type": content_type, "X-Slack-Signature": "v0=abc", "X-Slack-Request-Timestamp": "1"}
    with Flask(__name__).test_request_context("/slack/events?x=%20y", method="POST", data=body, headers=headers):
        ours = slack_request(request.get_data(as_text=True), request.query_string.decode(), request.headers)
        bolts = to_bolt_request(request)
    assert bolt_view(ours) == bolt_view(bolts)
    assert ours.context.team_id == "T0TEAM" or body.startswith("{")


def error_reading(read: Callable[[], Any]) -> type[Exception] | None:
    try:
        read()
    except Exception as error:
        return type(error)
    return None


@pytest.mark.parametrize("body", ["payload=" + quote("[" * 100_000), "payload=" + quote("[1]"), "payload=%7Bbad"])
def test_what_bolt_cannot_read_is_refused_the_same_way(body: str) -> None:
    with Flask(__name__).test_request_context("/slack/events", method="POST", data=body):
        bolts = error_reading(lambda: to_bolt_request(request))
        ours = error_reading(lambda: slack_request(body, "", request.headers))
    assert ours == bolts and bolts is not None
