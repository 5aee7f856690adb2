"""Pure Block Kit builders: data in, blocks out. No database, no clients."""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]

# (subcommand, who may use it, what it does) for the subcommands that exist.
HELP_ROWS: list[tuple[str, str, str]] = [
    ("help", "anyone", "this message"),
]


def mrkdwn_escape(text: str) -> str:
    """Make outside text literal in mrkdwn: no mention, link or formatting takes effect."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A zero-width space after each formatting character stops *bold*, _italic_, ~strike~ and `code`.
    for char in "*_~`":
        escaped = escaped.replace(char, char + "\u200b")
    return escaped


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def help_message(rows: list[tuple[str, str, str]] | None = None) -> tuple[str, list[Block]]:
    """The `/xero help` answer: what the bot does and the subcommands."""
    rows = HELP_ROWS if rows is None else rows
    intro = (
        "I keep your Xero books current from Slack: every outbound payment is posted to the finance "
        "channel to be coded, the person who spent the money is asked for the receipt, and an approved "
        "payment becomes a Spend Money transaction in Xero, exactly once, with its receipts attached."
    )
    lines = "\n".join(f"`/xero {name}` ({who}): {what}" for name, who, what in rows)
    text = f"{intro}\n\n*Commands*\n{lines}"
    return text, [section(intro), section(f"*Commands*\n{lines}")]
