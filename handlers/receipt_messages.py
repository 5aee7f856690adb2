"""Receipt messages: the direct-message ask, reminders, the weekly digest, and the "No receipt" form."""

from __future__ import annotations

from bot.payments.coding import Changed
from bot.payments.money import money_text
from bot.receipts.service import NO_RECEIPT_REASONS
from handlers.ids import Ids, PaymentRef
from handlers.kit import (
    Block,
    actions,
    button,
    context,
    day_text,
    escape_clip,
    input_block,
    modal,
    mrkdwn_escape,
    option,
    section,
    text_input,
)

ASK = "reply in this thread with a photo or PDF of the receipt"


def _what(changed: Changed) -> str:
    card = changed.card
    return (
        f"*{money_text(card.amount, card.currency)}* to {escape_clip(card.payee, 500)} on {day_text(card.date)} "
        f"from {escape_clip(card.source_account_name, 200)}"
    )


def _no_receipt_button(changed: Changed) -> Block:
    return actions(button("No receipt", Ids.NO_RECEIPT, PaymentRef(changed.card.payment_id).value))


def ask_message(changed: Changed) -> tuple[str, list[Block]]:
    text = f"You paid {_what(changed)}. Please {ASK}."
    blocks = [section(text)]
    if changed.card.description:
        blocks.append(context(escape_clip(changed.card.description, 2000)))
    blocks.append(_no_receipt_button(changed))
    return text, blocks


def reminder_message(changed: Changed, number: int) -> tuple[str, list[Block]]:
    text = f"A gentle reminder: the receipt for {_what(changed)} is still missing. Please {ASK}."
    return text, [section(text), _no_receipt_button(changed)]


def digest_message(missing: dict[str, list[Changed]]) -> tuple[str, list[Block]]:
    total = sum(len(rows) for rows in missing.values())
    text = f"Weekly receipts digest: {total} payment{'s' if total != 1 else ''} still missing a receipt."
    blocks: list[Block] = [section(f"*{text}*")]
    for person, rows in list(missing.items())[:45]:
        who = f"<@{person}>" if person.startswith(("U", "W")) and person.isalnum() else mrkdwn_escape(person)
        lines = [f"• {_what(changed)}" for changed in rows[:15]]
        if len(rows) > 15:
            lines.append(f"• …and {len(rows) - 15} more")
        blocks.append(section(f"{who}\n" + "\n".join(lines)))
    if len(missing) > 45:
        blocks.append(context(f"…and {len(missing) - 45} more people."))
    return text, blocks


NOTE_MAX = 500


def no_receipt_modal(payment_id: int, what: str) -> Block:
    reasons = {
        "type": "radio_buttons",
        "action_id": "value",
        "options": [option(words.capitalize(), value) for value, words in NO_RECEIPT_REASONS.items()],
    }
    intro = f"Why is there no receipt for {what}? Finance sees your answer, and it goes into Xero's history."
    blocks = [
        section(intro),
        input_block(Ids.NO_RECEIPT_REASON, "Reason", reasons, optional=False),
        input_block(Ids.NO_RECEIPT_NOTE, "Note", text_input(initial=None, max_length=NOTE_MAX), optional=True),
    ]
    metadata = PaymentRef(payment_id).metadata()
    return modal("No receipt", blocks, callback_id=Ids.NO_RECEIPT_MODAL, private_metadata=metadata, submit="Save")
