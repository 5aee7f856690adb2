"""The payment's modals: Edit, Exclude, and the whole card in a modal (opened from the App Home)."""

from __future__ import annotations

from bot.payments.cards import CodingChoices, PaymentCard
from bot.payments.lifecycle import CODABLE
from handlers.ids import Ids, PaymentRef
from handlers.kit import (
    INPUT_VALUE_MAX,
    PLACEHOLDER_MAX,
    Block,
    day_text,
    escape_clip,
    input_block,
    modal,
    option,
    plain,
    section,
    text_input,
)
from handlers.payment_card import EXCLUSION_REASONS, money, payment_message
from handlers.payment_options import contact_option
from handlers.split_blocks import edit_split_block

REFERENCE_MAX = 255
NOTE_MAX = 500
BANK_FACTS_NOTE = "Amount, currency and date come from the bank and can't be changed."
CONTACT_HINT = "Search your Xero contacts, or type a new name to create it on sync"


def _metadata(card: PaymentCard) -> str:
    return PaymentRef(card.payment_id, card.version).metadata()


def _bank_facts(card: PaymentCard) -> str:
    return f"*{money(card)}* to {escape_clip(card.payee, 1000)} on {day_text(card.date)}"


def _payment_form(callback_id: Ids, title: str, submit: str, card: PaymentCard, blocks: list[Block]) -> Block:
    return modal(title, blocks, callback_id=callback_id, private_metadata=_metadata(card), submit=submit)


def _finance_inputs(card: PaymentCard) -> list[Block]:
    contact: Block = {
        "type": "external_select",
        "action_id": "value",
        "placeholder": plain("Search contacts", PLACEHOLDER_MAX),
        "min_query_length": 1,
    }
    if card.contact_name:
        contact["initial_option"] = contact_option(card.contact_name)
    reference = text_input(initial=card.reference, max_length=REFERENCE_MAX)
    return [
        input_block(Ids.EDIT_CONTACT, "Xero contact", contact, optional=True, hint=CONTACT_HINT),
        input_block(Ids.EDIT_REFERENCE, "Reference", reference, optional=True),
    ]


def edit_modal(card: PaymentCard, *, employee: bool) -> Block:
    """Edit what the bank did not fix: description (everyone), Xero contact and reference (finance)."""
    description_hint = None
    if card.description and len(card.description) > INPUT_VALUE_MAX:
        description_hint = f"Shown shortened to {INPUT_VALUE_MAX:,} characters; saving keeps what you see here."
    description = text_input(initial=card.description, max_length=INPUT_VALUE_MAX, multiline=True)
    blocks: list[Block] = [
        section(f"{_bank_facts(card)}\n{BANK_FACTS_NOTE}"),
        input_block(Ids.EDIT_DESCRIPTION, "Description", description, optional=True, hint=description_hint),
    ]
    if not employee:
        blocks += _finance_inputs(card)
        if card.state in CODABLE:
            blocks.append(edit_split_block(card))
    return _payment_form(Ids.EDIT_MODAL, "Edit payment", "Save", card, blocks)


def exclude_modal(card: PaymentCard) -> Block:
    """Why a payment stays out of Xero; excluding can be undone from the message."""
    intro = (
        f"Exclude {_bank_facts(card)}?\n"
        "Excluded payments are never synced to Xero. You can undo this from the payment's message."
    )
    reasons: Block = {
        "type": "radio_buttons",
        "action_id": "value",
        "options": [option(words, value) for value, words in EXCLUSION_REASONS.items()],
    }
    blocks = [
        section(intro),
        input_block(Ids.EXCLUDE_REASON, "Reason", reasons, optional=False),
        input_block(Ids.EXCLUDE_NOTE, "Note", text_input(initial=None, max_length=NOTE_MAX), optional=True),
    ]
    return _payment_form(Ids.EXCLUDE_MODAL, "Exclude payment", "Exclude", card, blocks)


def payment_modal(card: PaymentCard, choices: CodingChoices) -> Block:
    """The full payment message in a modal, so its selects and buttons work from the App Home."""
    _, blocks = payment_message(card, choices)
    return modal("Payment", blocks, callback_id=Ids.PAYMENT_MODAL, private_metadata=_metadata(card), close="Close")
