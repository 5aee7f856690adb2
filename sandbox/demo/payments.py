"""Realistic outbound payments, sent to the bot's real webhook (`POST /payments`, signed) as a bank feed would."""

from __future__ import annotations

import json
import random
import urllib.error
import urllib.request
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bot.payments.webhook import sign

# payee, category, description, typical amount (GBP)
SPENDS: tuple[tuple[str, str, str, str], ...] = (
    ("Figma Inc", "Software", "Design seats, monthly", "45.00"),
    ("Slack Technologies", "Software", "Pro plan", "87.50"),
    ("GitHub", "Software", "Team plan", "36.80"),
    ("Atlassian", "Software", "Jira licences", "118.00"),
    ("Trainline", "Travel", "London to Manchester return", "94.30"),
    ("Uber", "Travel", "Airport transfer", "38.20"),
    ("Premier Inn", "Travel", "Client visit, one night", "112.00"),
    ("Pret A Manger", "Meals", "Team lunch", "27.45"),
    ("Dishoom", "Meals", "Client dinner", "146.80"),
    ("Rymans", "Office", "Printer paper and toner", "64.99"),
    ("Amazon", "Office", "Desk lamps", "52.40"),
    ("WeWork", "Office", "Meeting room hire", "75.00"),
)


def demo_payments(
    count: int,
    spender_email: str,
    *,
    today: date | None = None,
    seed: int | None = None,
    taken: set[tuple[str, Decimal]] | None = None,
) -> list[Any]:
    """`count` payments, each a different payee and amount from the others and from those in `taken` (which it
    adds them to): two alike within three days are a possible duplicate to the bot, held back from syncing."""
    chooser = random.Random(seed)
    today = today or date.today()
    taken = set() if taken is None else taken
    source = {"id": "acc-gbp-ops", "name": "Operating account (Barclays)", "currency": "GBP"}
    payments = []
    for index in range(count):
        payee, category, description, typical = SPENDS[chooser.randrange(len(SPENDS))]
        amount = (Decimal(typical) * Decimal(chooser.randint(80, 120)) / 100).quantize(Decimal("0.01"))
        while (payee, amount) in taken:
            amount += Decimal("0.01")
        taken.add((payee, amount))
        payments.append(
            {
                "id": f"pay_{uuid.uuid4().hex[:10]}",
                "account": source,
                "amount": str(amount),
                "currency": "GBP",
                "date": (today - timedelta(days=index % 7)).isoformat(),
                "payee": payee,
                "description": description,
                "category": category,
                "reference": f"CARD-{chooser.randint(1000, 9999)}",
                "spender_email": spender_email,
            }
        )
    return payments


def send_payments(bot_url: str, secret: str, payments: list[Any]) -> tuple[int, Any]:
    """POST the batch as the bank integration does; returns the bot's status and answer."""
    body = json.dumps({"payments": payments}).encode()
    request = urllib.request.Request(
        f"{bot_url}/payments",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Payments-Signature": sign(secret, body)},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
