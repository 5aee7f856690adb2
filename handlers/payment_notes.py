"""Short messages about payments beside their cards: the offer to code a whole category like the payment just
coded, and the one summary posted instead of a burst of cards."""

from __future__ import annotations

from decimal import Decimal

from bot.payments.cards import AccountChoice
from bot.payments.money import money_text
from handlers.ids import Ids, PaymentRef
from handlers.kit import SECTION_TEXT_MAX, Block, actions, button, clip, escape_clip, section


def category_offer(payment_id: int, version: int, category: str, account: AccountChoice) -> tuple[str, list[Block]]:
    """Ephemeral: offer to map the payment's category to the account just chosen."""
    account_words = escape_clip(f"{account.code} {account.name}", 500)
    text = f"Use {account_words} for all “{escape_clip(category, 500)}” payments?"
    label = clip(f"Use for all {category}", 75)
    offer = button(label, str(Ids.USE_FOR_CATEGORY), PaymentRef(payment_id, version).value, style="primary")
    return text, [section(text), actions(offer)]


def burst_summary(count: int, total_by_currency: dict[str, Decimal]) -> tuple[str, list[Block]]:
    """One channel message instead of a flood of payment cards."""
    noun = "payment" if count == 1 else "payments"
    totals = ", ".join(money_text(total_by_currency[code], code) for code in sorted(total_by_currency))
    summary = f"{count} new {noun} arrived" + (f" ({totals})" if totals else "")
    tail = ". Code them from the bot's App Home."
    text = escape_clip(summary, SECTION_TEXT_MAX - len(tail)) + tail
    return text, [section(text)]
