"""The bulk sync confirmation and its progress message (one message, updated as the run goes)."""

from __future__ import annotations

import json

from bot.slack.clients import SlackClients
from bot.sync.bulk import BulkPlan, BulkStatus
from handlers.ids import Ids
from handlers.kit import Block, context, escape_clip, modal, mrkdwn_escape, section

MAX_ERRORS_LISTED = 40


def confirm_modal(plan: BulkPlan, home_metadata: str) -> Block:
    count = len(plan.payment_ids)
    noun = "payment" if count == 1 else "payments"
    text = (
        f"Sync {count} {noun} to Xero? They need about {plan.calls} calls to Xero ({plan.transaction_calls} for "
        f"the transactions, {plan.receipts} for receipts, {plan.notes} for History & Notes). Xero allows "
        f"{plan.calls_per_minute} calls a minute, so this takes about "
        f"{plan.minutes} minute{'s' if plan.minutes != 1 else ''}{finish_words(plan)}. Transactions go first, "
        "receipts follow; a progress message keeps you posted."
    )
    metadata = json.dumps({"ids": plan.payment_ids, "home": json.loads(home_metadata or "{}")})
    return modal(
        "Sync to Xero",
        [section(text)],
        callback_id=Ids.BULK_CONFIRM_MODAL,
        private_metadata=metadata,
        submit=f"Sync {count}",
    )


def finish_words(plan: BulkPlan) -> str:
    """ ", finishes today at 16:40 (Europe/London)", or what of the run waits for tomorrow's budget."""
    finish = plan.finishes_at
    if finish is not None and plan.starts_at is not None:
        start = plan.starts_at.astimezone(finish.tzinfo)
        day = "today" if finish.date() == start.date() else "tomorrow"
        return f" and finishes {day} at {finish:%H:%M} ({finish.tzinfo})"
    if plan.day_remaining is None:
        return ""
    today = plan.day_remaining
    return (
        f", but it needs more than the {today} calls left in this organisation's Xero budget for today: "
        f"{today} calls today (transactions before receipts and notes), then it resumes tomorrow after 00:00 UTC"
    )


def progress_text(status: BulkStatus) -> tuple[str, list[Block]]:
    if status.finished:
        head = f"Bulk sync finished: {status.synced} of {status.total} synced, {len(status.errors)} errors."
    else:
        left = f"about {status.minutes_left} min left" if status.minutes_left else "finishing"
        head = (
            f"Bulk sync: {status.synced} of {status.total} synced · {len(status.errors)} errors · "
            f"{status.attachments_left} receipts to upload · {left}"
        )
    blocks = [section(f"*{head}*")]
    if status.errors and status.finished:
        lines = []
        for _, what, link, error in status.errors[:MAX_ERRORS_LISTED]:
            label = escape_clip(what, 200)
            shown = f"<{link}|{label}>" if link and link.startswith("http") and "|" not in link else label
            lines.append(f"• {shown}: {escape_clip(error, 300)}")
        if len(status.errors) > MAX_ERRORS_LISTED:
            lines.append(f"…and {len(status.errors) - MAX_ERRORS_LISTED} more in the App Home's Errors tab.")
        blocks.append(section("\n".join(lines)))
        blocks.append(context("Fix each one from its message or the App Home, then press Retry."))
    elif status.waiting and not status.finished:
        blocks.append(context(f"Started by <@{mrkdwn_escape(status.started_by)}>."))
    return head, blocks


class SlackProgressMessenger:
    def __init__(self, slack: SlackClients) -> None:
        self._slack = slack

    def post(self, team_id: str, user_id: str, status: BulkStatus) -> tuple[str, str]:
        client = self._slack.for_team(team_id)
        channel = str(client.conversations_open(users=user_id)["channel"]["id"])
        text, blocks = progress_text(status)
        posted = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        return channel, str(posted["ts"])

    def update(self, team_id: str, channel: str, ts: str, status: BulkStatus) -> str:
        text, blocks = progress_text(status)
        self._slack.for_team(team_id).chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        return text
