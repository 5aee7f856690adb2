"""Receipts sent outside a payment's thread ("receipt first"): handing them to the service, and what the bot says
back in the thread of the message that carried them: received, attached to a payment, which payment, or not yet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.imports.uploads import looks_like_export
from bot.receipts.ports import SharedFile
from bot.receipts.receipt_first_matching import PaymentSummary
from bot.services import Services
from bot.slack.outbox import SlackOutbox
from handlers.common import actor_from
from handlers.ids import Ids
from handlers.kit import OPTION_TEXT_MAX, Block, actions, button, clip, day_text, escape_clip, linked, section

RECEIVED = "Got it, thank you. I'm reading this receipt and will attach it to its payment."
NOT_YET = (
    "I couldn't find the payment this receipt is for yet. I'll keep it, attach it when the payment arrives, "
    "and tell you here."
)
UNREAD = (
    "I couldn't read the total on this receipt, so I can't tell which payment it is for. "
    "Please send it in the thread of the payment's message, or of my request for its receipt."
)
CHOOSE = "This receipt fits more than one payment. Which one is it for?"


def receipt_shared(services: Services, event: dict[str, Any], context: Any) -> None:
    """Photos and PDFs posted at the top of the bot's DM or of the finance channel (bank exports go elsewhere)."""
    direct = event.get("channel_type") == "im"
    files = [f for f in event.get("files") or [] if not looks_like_export(f) and (direct or _photo_or_pdf(f))]
    if not files:
        return
    actor = actor_from(context)
    ts = str(event.get("ts"))
    shared = SharedFile(
        team_id=actor.team_id,
        workspace_id=actor.workspace_id,
        user_id=str(event.get("user")),
        channel=str(event.get("channel")),
        thread_ts=str(event.get("thread_ts") or ts),
        message_ts=ts,
        files=files,
    )
    services.receipt_first.receive(shared, direct=direct)


def _photo_or_pdf(file: dict[str, Any]) -> bool:
    """In a channel only what looks like a receipt is taken: people share other documents there too."""
    mimetype = str(file.get("mimetype") or "")
    return mimetype.startswith("image/") or mimetype == "application/pdf"


def payment_words(payment: PaymentSummary) -> str:
    """ "SGD 45.00 to Figma Inc on 20 Nov 2026", as plain text (escape it for mrkdwn)."""
    return f"{payment.amount} to {payment.payee} on {day_text(payment.date)}"


def attached_text(payment: PaymentSummary) -> str:
    named = linked(payment.url, escape_clip(payment_words(payment), 500))
    return f"Attached to the payment of {named}. Thank you!"


def choice_blocks(waiting_id: int, payments: Sequence[PaymentSummary]) -> list[Block]:
    buttons = [
        button(clip(payment_words(p), OPTION_TEXT_MAX), f"{Ids.RECEIPT_CHOOSE}_{n}", f"{waiting_id}:{p.payment_id}")
        for n, p in enumerate(payments)
    ]
    return [section(CHOOSE), actions(*buttons)]


def choice_of(value: str) -> tuple[int, int] | None:
    """(waiting receipt, payment) from a choice button's value."""
    first, _, second = value.partition(":")
    if not (first.isdigit() and second.isdigit() and len(first) < 19 and len(second) < 19):
        return None
    return int(first), int(second)


class SlackReceiptFirstMessages:
    """bot.receipts.receipt_first_matching.ReceiptFirstMessenger over the Slack outbox."""

    def __init__(self, outbox: SlackOutbox) -> None:
        self._outbox = outbox

    def received(self, team_id: str, channel: str, thread_ts: str) -> None:
        self._outbox.reply(team_id, channel, thread_ts, RECEIVED)

    def refused(self, team_id: str, channel: str, thread_ts: str, reason: str) -> None:
        self._outbox.reply(team_id, channel, thread_ts, reason)

    def attached(self, team_id: str, channel: str, thread_ts: str, payment: PaymentSummary) -> None:
        self._outbox.reply(team_id, channel, thread_ts, attached_text(payment))

    def choose(
        self, team_id: str, channel: str, thread_ts: str, waiting_id: int, payments: Sequence[PaymentSummary]
    ) -> None:
        self._outbox.reply(team_id, channel, thread_ts, CHOOSE, choice_blocks(waiting_id, payments))

    def not_yet(self, team_id: str, channel: str, thread_ts: str, unread: bool) -> None:
        self._outbox.reply(team_id, channel, thread_ts, UNREAD if unread else NOT_YET)
