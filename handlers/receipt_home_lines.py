"""The App Home's lines about receipt checks, for finance: "Receipt mismatches" (payments a receipt holds back)
and receipts without a payment for over 30 days."""

from __future__ import annotations

from bot.home.view import ReceiptNotes
from bot.payments.money import money_text
from handlers.kit import SECTION_TEXT_MAX, Block, clip, day_text, escape_clip, linked, mention, section

MISMATCHES = "Receipt mismatches"
STALE = "Receipts without a payment for over 30 days"


def receipt_note_blocks(notes: ReceiptNotes | None) -> list[Block]:
    if notes is None:
        return []
    blocks: list[Block] = []
    if notes.mismatches:
        lines = [f"*{MISMATCHES}* ({notes.mismatches}): not approved automatically until finance decides"]
        for card, what, url in notes.mismatch_lines:
            words = escape_clip(
                f"{money_text(card.amount, card.currency)} to {card.payee} on {day_text(card.date)}", 300
            )
            lines.append(f"• {linked(url, words)}: {escape_clip(what, 300)}")
        blocks.append(section(clip("\n".join(lines), SECTION_TEXT_MAX)))
    if notes.stale:
        lines = [f"*{STALE}* ({notes.stale})"]
        for sender, file_name, sent in notes.stale_lines:
            who = mention(sender) or "someone"
            lines.append(f"• {escape_clip(file_name, 200)} from {who}, sent {day_text(sent)}")
        blocks.append(section(clip("\n".join(lines), SECTION_TEXT_MAX)))
    return blocks
