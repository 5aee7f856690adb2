"""What differs between what the bot sent to Xero and what Xero has now: amount, account, tax, date, contact.

"What the bot sent" is the sync log's summary of its last good request for the payment (bot.sync.items.summary),
so a payment edited in Slack since (Updated) is compared with what Xero was sent, not with the new coding.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.xero.types import SpendInXero

CENT = Decimal("0.01")
SPLIT_LINE = re.compile(r" to (\S+) \(([^()]*)\)(?: · |$)")


def differences(sent: dict[str, Any], xero: SpendInXero) -> list[dict[str, str]]:
    """Each field Xero has otherwise than sent, as {field, sent, xero}, in the order people read a card."""
    found = []
    pairs = (
        ("amount", _amount(sent.get("amount")), _amount(xero.total)),
        ("account", _codes(sent, "account"), ", ".join(sorted({code for code, _ in xero.lines if code}))),
        ("tax", _codes(sent, "tax"), ", ".join(sorted({tax for _, tax in xero.lines if tax}))),
        ("date", _day(sent.get("date")), xero.date.isoformat() if isinstance(xero.date, date) else ""),
        ("contact", str(sent.get("contact") or "").strip(), xero.contact_name.strip()),
    )
    for field, ours, theirs in pairs:
        if ours and theirs and _key(ours) != _key(theirs):
            found.append({"field": field, "sent": ours, "xero": theirs})
    return found


def in_words(changes: list[dict[str, str]]) -> str:
    """`amount 120.00 → 130.00, account 463 → 400`."""
    return ", ".join(f"{c.get('field', '')} {c.get('sent', '')} → {c.get('xero', '')}" for c in changes)


def _amount(value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        return str(Decimal(str(value)).quantize(CENT))
    except InvalidOperation:
        return ""


def _codes(sent: dict[str, Any], key: str) -> str:
    """The account codes (or tax types) sent: one, or each split line's, read from the summary's
    `120.00 to 463 (INPUT2) · 80.00 to 429 (NONE)` (bot.sync.items.summary)."""
    lines = sent.get("lines")
    if isinstance(lines, str) and lines:
        found = SPLIT_LINE.findall(lines)
        if found:
            return ", ".join(sorted({code if key == "account" else tax for code, tax in found}))
    return str(sent.get(key) or "")


def _day(value: Any) -> str:
    try:
        return date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        return ""


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()
