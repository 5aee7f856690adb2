"""The "View sync log" modal: every call made to Xero for a payment, newest first."""

from __future__ import annotations

from typing import Any

from bot.payments.approve import LogEntry
from bot.payments.coding import Changed
from handlers.blocks import context, mrkdwn_escape, section
from handlers.payment_blocks import escape_clip, money_text

OPERATIONS = {
    "create": "Create Spend Money",
    "update": "Update Spend Money",
    "lookup": "Look up in Xero",
    "attach": "Attach receipt",
}
OUTCOMES = {"ok": ":white_check_mark:", "error": ":x:", "unknown": ":grey_question:", "started": ":hourglass:"}


def sync_log_modal(changed: Changed, entries: list[LogEntry]) -> dict[str, Any]:
    card = changed.card
    blocks: list[dict[str, Any]] = [
        section(f"*{money_text(card.amount, card.currency)}* to {escape_clip(card.payee, 500)}"),
    ]
    if not entries:
        blocks.append(context("Nothing has been sent to Xero for this payment yet."))
    for entry in entries[:45]:
        who = f" · approved by <@{entry.actor_user_id}>" if entry.actor_user_id else ""
        stamp = int(entry.at.timestamp())
        when = f"<!date^{stamp}^{{date_short_pretty}} {{time_secs}}|{entry.at:%Y-%m-%d %H:%M:%S} UTC>"
        operation = OPERATIONS.get(entry.operation, entry.operation)
        head = f"{OUTCOMES.get(entry.outcome, '')} *{operation}* · {when}{who}"
        details = []
        if entry.summary:
            details.append(
                escape_clip(", ".join(f"{key}: {value}" for key, value in entry.summary.items() if value), 800)
            )
        if entry.xero_id:
            details.append(f"Xero id {mrkdwn_escape(entry.xero_id)}")
        if entry.error:
            details.append(f"Xero said: {escape_clip(entry.error, 1200)}")
        blocks.append(section(head + ("\n" + "\n".join(details) if details else "")))
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Sync log"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks[:100],
    }
