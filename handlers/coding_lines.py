"""The lines a payment's card adds about its coding: why it arrived coded (a suggestion from earlier payments,
the category mapping), how it was coded before, and the payment it may repeat (bot/coding/)."""

from __future__ import annotations

from bot.payments.cards import PaymentCard
from bot.payments.lifecycle import PaymentState
from bot.payments.money import money_text
from handlers.kit import day_text, escape_clip, linked


def coding_lines(card: PaymentCard) -> list[str]:
    """Why the payment arrived coded as it is, how it was coded before, and the payment it may repeat."""
    lines = []
    if card.duplicate_of is not None and card.state != PaymentState.EXCLUDED:
        other = card.duplicate_of
        words = f"{money_text(other.amount, other.currency)} to {other.payee} on {day_text(other.date)}"
        lines.append(f":warning: Possible duplicate of {linked(other.url, escape_clip(words, 300))}")
    if card.coded_because:
        lines.append(escape_clip(card.coded_because, 500))
    if card.coding_note:
        lines.append(escape_clip(card.coding_note, 500))
    return lines
