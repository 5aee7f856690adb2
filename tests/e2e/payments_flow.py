"""Sending payments to the bot's webhook as a bank integration would, and finding their messages."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from bot.payments.webhook import sign
from sandbox.slack import FakeSlack
from tests.e2e.conftest import FINANCE_CHANNEL, WEBHOOK_SECRET, RunningBot, eventually


def payment(payment_id: str = "pay_0001", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": payment_id,
        "account": {"id": "acc-sgd-1", "name": "Operating SGD", "currency": "SGD"},
        "amount": "123.45",
        "currency": "SGD",
        "date": "2026-11-20",
        "payee": "Figma Inc",
        "description": "Design seats",
        "category": "Software",
        "reference": "INV-2291",
        "spender_email": "ana@example.com",
    }
    body.update(fields)
    return body


def post_raw(
    bot: RunningBot, body: bytes, *, signature: str | None = None, secret: str = WEBHOOK_SECRET, **headers: str
) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{bot.url}/payments",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Payments-Signature": signature if signature is not None else sign(secret, body),
            **headers,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def send(bot: RunningBot, body: dict[str, Any] | list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    document = {"payments": body} if isinstance(body, list) else body
    return post_raw(bot, json.dumps(document).encode())


def cards(slack: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in slack.messages(FINANCE_CHANNEL) if m.get("text", "").startswith("Payment:")]


def wait_for_cards(slack: FakeSlack, count: int) -> list[dict[str, Any]]:
    return eventually(lambda: (found := cards(slack)) and len(found) >= count and found)


def element(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    for block in message.get("blocks", []):
        for item in block.get("elements", []) if block.get("type") == "actions" else []:
            if item.get("action_id") == action_id:
                return dict(item)
    raise AssertionError(f"no {action_id} in the message")


def option_value(select: dict[str, Any], text_starts: str) -> str:
    for option in select.get("options", []):
        if option["text"]["text"].startswith(text_starts):
            return str(option["value"])
    raise AssertionError(f"no option starting {text_starts!r}")
