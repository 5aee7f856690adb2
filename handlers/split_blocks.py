"""Edit → Split: the form that splits a payment into lines, and how a split payment reads on its card, in the Edit
modal and on the App Home. Pure builders of already-loaded data (bot/payments/cards.py).

Each line of the form has a key that never changes while the form is open ("Add line" takes a new one, "Remove"
drops one), and its inputs' block ids carry it: Slack keeps what was typed in an input across an update only while
its block id stays, so removing line 2 leaves line 3's typing with line 3.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.payments.cards import CodingChoices, PaymentCard, SplitLineCard
from bot.payments.money import money_text
from bot.payments.splits import MAX_LINES
from handlers.ids import Ids, PaymentRef
from handlers.kit import (
    INPUT_VALUE_MAX,
    PLACEHOLDER_MAX,
    Block,
    actions,
    button,
    context,
    escape_clip,
    input_block,
    limit_options,
    modal,
    mrkdwn_escape,
    plain,
    section,
    static_select,
    text_input,
)
from handlers.payment_options import account_option, tax_options, tracking_options, unique_account_options

SPLIT_HINT = "Split it to code parts of it to different accounts, tax rates or tracking."
AMOUNT_MAX = 30
KEYS_MAX = 100  # keys are never reused while a form is open; more than this is not a form we built


@dataclass(frozen=True)
class SplitForm:
    """What the split form carries in its private_metadata: the payment, the version seen, its lines' keys."""

    payment_id: int
    version: int
    keys: tuple[int, ...]

    def metadata(self) -> str:
        return json.dumps({"payment_id": self.payment_id, "version": self.version, "keys": list(self.keys)})

    @classmethod
    def from_metadata(cls, text: str | None) -> SplitForm | None:
        try:
            data: Any = json.loads(text or "{}")
            payment_id, version, keys = data["payment_id"], data["version"], data["keys"]
        except (ValueError, KeyError, TypeError):
            return None
        numbers = [payment_id, version, *keys] if isinstance(keys, list) else []
        if not numbers or not all(type(n) is int and n >= 0 for n in numbers) or not 0 < len(keys) <= MAX_LINES:
            return None
        if len(set(keys)) != len(keys) or max(keys) >= KEYS_MAX:
            return None
        return cls(payment_id, version, tuple(keys))

    def added(self) -> SplitForm:
        if len(self.keys) >= MAX_LINES:
            return self
        return SplitForm(self.payment_id, self.version, (*self.keys, max(self.keys) + 1))

    def removed(self, key: int) -> SplitForm:
        kept = tuple(k for k in self.keys if k != key)
        return SplitForm(self.payment_id, self.version, kept or self.keys)


def block_id(field: Ids, key: int, index: int | None = None) -> str:
    return f"{field}:{key}" if index is None else f"{field}:{key}:{index}"


def opening_form(card: PaymentCard) -> SplitForm:
    """A payment's lines as the form opens: its own, or two to start a split."""
    return SplitForm(card.payment_id, card.version, tuple(range(max(len(card.split), 2))))


# ---------------------------------------------------------------- how a split reads


def _line_words(card: PaymentCard, line: SplitLineCard, choices: CodingChoices | None) -> str:
    account = escape_clip(f"{line.account.code} {line.account.name}", 120)
    words = [mrkdwn_escape(money_text(line.amount, card.currency)), account, escape_clip(line.tax_rate.name, 80)]
    for category in choices.tracking if choices else []:
        option_id = line.tracking.get(category.category_id)
        chosen = next((o for o in category.options if o.option_id == option_id), None)
        if chosen is not None:
            words.append(f"{escape_clip(category.name, 60)}: {escape_clip(chosen.name, 60)}")
    if line.description:
        words.append(f"“{escape_clip(line.description, 200)}”")
    return " · ".join(words)


def split_text(card: PaymentCard, choices: CodingChoices | None = None) -> str:
    """ "*Split into 3 lines:*" then one line each: amount, account, tax rate, tracking, description (escaped)."""
    lines = [f"• {_line_words(card, line, choices)}" for line in card.split]
    return f"*Split into {len(card.split)} lines:*\n" + "\n".join(lines)


def split_summary(card: PaymentCard, limit: int = 300) -> str:
    """ "Split into 3 lines: 6310 Software SGD 40.00 · 6320 Hosting SGD 50.00 · …", for a row (escaped)."""
    parts = [f"{line.account.code} {line.account.name} {money_text(line.amount, card.currency)}" for line in card.split]
    return escape_clip(f"Split into {len(card.split)} lines: " + " · ".join(parts), limit)


def edit_split_block(card: PaymentCard) -> Block:
    """The Edit modal's way to Split: what the payment is now and a button that opens the split form."""
    text = split_text(card) if card.split else f"*One line.* {SPLIT_HINT}"
    block = section(text)
    block["block_id"] = str(Ids.EDIT_SPLIT)
    ref = PaymentRef(card.payment_id, card.version).value
    block["accessory"] = button("Change split" if card.split else "Split", str(Ids.PAYMENT_SPLIT), ref)
    return block


# ---------------------------------------------------------------- the form


def _initial(card: PaymentCard, key: int) -> SplitLineCard | None:
    if card.split:
        return card.split[key] if key < len(card.split) else None
    if key == 0 and card.account is not None and card.tax_rate is not None:
        return SplitLineCard(card.amount, card.account, card.tax_rate, dict(card.tracking))
    return None


def _account_element(choices: CodingChoices, line: SplitLineCard | None) -> Block:
    code = line.account.code if line else None
    if not choices.accounts_need_search:
        return static_select("value", unique_account_options(choices.accounts), code, placeholder="Xero account")
    element: Block = {
        "type": "external_select",
        "action_id": str(Ids.PAYMENT_ACCOUNT),  # searched by the card's account options listener
        "placeholder": plain("Xero account", PLACEHOLDER_MAX),
        "min_query_length": 0,
    }
    if line is not None:
        element["initial_option"] = account_option(line.account)
    return element


def _line_blocks(card: PaymentCard, choices: CodingChoices, key: int, number: int, removable: bool) -> list[Block]:
    line = _initial(card, key)
    heading = section(f"*Line {number}*")
    heading["block_id"] = block_id(Ids.SPLIT_LINE, key)
    if removable:
        heading["accessory"] = button("Remove", str(Ids.SPLIT_REMOVE_LINE), str(key))
    amount = text_input(initial=format(line.amount, "f") if line and card.split else None, max_length=AMOUNT_MAX)
    amount["placeholder"] = plain(f"Amount in {card.currency}", PLACEHOLDER_MAX)
    description = text_input(initial=line.description if line else None, max_length=INPUT_VALUE_MAX)
    tax_code = line.tax_rate.tax_type if line else None
    taxes = limit_options(tax_options(choices.tax_rates), tax_code)
    tax = static_select("value", taxes, tax_code, placeholder="Tax rate")
    blocks = [
        heading,
        input_block(block_id(Ids.SPLIT_AMOUNT, key), "Amount", amount, optional=False),
        input_block(block_id(Ids.SPLIT_ACCOUNT, key), "Xero account", _account_element(choices, line), optional=False),
        input_block(block_id(Ids.SPLIT_TAX, key), "Tax rate", tax, optional=False),
    ]
    for index, category in enumerate(choices.tracking):
        chosen = line.tracking.get(category.category_id) if line else None
        value = f"{category.category_id}:{chosen}" if chosen else None
        options = limit_options(tracking_options(category), value)
        select = static_select("value", options, value, placeholder=category.name)
        blocks.append(input_block(block_id(Ids.SPLIT_TRACKING, key, index), category.name, select, optional=True))
    blocks.append(input_block(block_id(Ids.SPLIT_DESCRIPTION, key), "Description", description, optional=True))
    return blocks


def split_modal(card: PaymentCard, choices: CodingChoices, form: SplitForm) -> Block:
    """One group of inputs a line, "Add line" up to ten; one line left is the payment unsplit."""
    total = mrkdwn_escape(money_text(card.amount, card.currency))
    intro = (
        f"The lines must add up to *{total}* to {escape_clip(card.payee, 500)}, each sent to Xero as its own line. "
        "A line without a description takes the payment's. Keep one line to remove the split."
    )
    blocks: list[Block] = [section(intro)]
    for number, key in enumerate(form.keys, start=1):
        blocks += _line_blocks(card, choices, key, number, removable=len(form.keys) > 1)
    if len(form.keys) < MAX_LINES:
        blocks.append(actions(button("Add line", str(Ids.SPLIT_ADD_LINE)), block_id=str(Ids.SPLIT_TOTAL)))
    else:
        blocks.append(context(f"A payment can be split into at most {MAX_LINES} lines."))
    return modal("Split payment", blocks, callback_id=Ids.SPLIT_MODAL, private_metadata=form.metadata(), submit="Save")
