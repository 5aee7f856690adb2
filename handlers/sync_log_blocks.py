"""The "View sync log" modal: every call made to Xero for a payment, newest first."""

from __future__ import annotations

from bot.payments.approve import LogEntry
from bot.payments.coding import Changed
from bot.payments.money import money_text
from handlers.kit import Block, context, date_text, escape_clip, modal, mrkdwn_escape, section

OPERATIONS = {
    "create": "Create Spend Money",
    "update": "Update Spend Money",
    "lookup": "Look up in Xero",
    "attach": "Attach receipt",
    "note": "Note in History & Notes",
}
OUTCOMES = {"ok": ":white_check_mark:", "error": ":x:", "unknown": ":grey_question:", "started": ":hourglass:"}


def sync_log_modal(changed: Changed, entries: list[LogEntry]) -> Block:
    card = changed.card
    blocks: list[Block] = [
        section(f"*{money_text(card.amount, card.currency)}* to {escape_clip(card.payee, 500)}"),
    ]
    if not entries:
        blocks.append(context("Nothing has been sent to Xero for this payment yet."))
    for entry in entries[:45]:
        who = f" · approved by <@{entry.actor_user_id}>" if entry.actor_user_id else ""
        when = date_text(entry.at, seconds=True)
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
    return modal("Sync log", blocks, close="Close")
