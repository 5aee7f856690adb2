"""One payment as a row of the App Home: a few short lines, its overflow menu, and the sync selection boxes."""

from __future__ import annotations

from bot.home.view import HomeRow
from bot.payments.cards import PaymentCard
from bot.payments.lifecycle import CODABLE, EXCLUDABLE, PaymentState
from bot.payments.money import money_text
from handlers.ids import Ids, PaymentRef
from handlers.kit import (
    OPTION_TEXT_MAX,
    Block,
    actions,
    clip,
    day_text,
    escape_clip,
    mention,
    mrkdwn_escape,
    option,
    plural,
    section,
)
from handlers.payment_card import LOGGED, no_receipt_text, state_label
from handlers.split_blocks import split_summary
from handlers.xero_status_lines import locked_by_xero, overwrites_xero

OVERFLOW_OPTIONS_MAX = 5
CHECKBOX_OPTIONS_MAX = 10
SELECTION_BLOCKS_MAX = 2
ROW_TEXT_MAX = 600
ROW_PRIMARY = {
    PaymentState.PENDING: ("Approve & sync", "approve"),
    PaymentState.SYNC_ERROR: ("Retry", "retry"),
    PaymentState.UPDATED: ("Re-sync", "resync"),
}


def _coding_text(card: PaymentCard) -> str:
    if card.split:
        return split_summary(card, 200)
    parts = []
    if card.account is not None:
        parts.append(escape_clip(f"{card.account.code} {card.account.name}", 80))
    if card.tax_rate is not None:
        parts.append(escape_clip(card.tax_rate.tax_type, 30))
    return " · ".join(parts) if parts else "Not coded"


def receipt_text(card: PaymentCard) -> str:
    if card.receipts > 0:
        return plural(card.receipts, "receipt")
    if card.no_receipt_reason:
        return no_receipt_text(card.no_receipt_reason, 40)
    return "No receipt yet"


def _labels_text(row: HomeRow) -> str:
    card = row.card
    words = [state_label(card.state)]
    words += [label for label in row.labels[:5] if label not in words]
    shown = []
    for word in words:
        text = f"*{escape_clip(word, 40)}*"
        if word == "Sync error" and card.sync_error:
            text += f": {escape_clip(card.sync_error, 150)}"
        shown.append(text)
    return " · ".join(shown)


def row_text(row: HomeRow, *, finance: bool) -> str:
    """One payment in a few short lines (each outside value escaped and clipped), never over ROW_TEXT_MAX."""
    card = row.card
    money = mrkdwn_escape(money_text(card.amount, card.currency))
    source = escape_clip(f"{card.source_account_name} ({card.source_account_currency})", 60)
    facts = [source, _coding_text(card), receipt_text(card)]
    if finance:
        facts.append(mention(card.spender_user_id) or escape_clip(card.spender_email or "Spender unknown", 60))
    text = (
        f"*{money}* to {escape_clip(card.payee, 80)} · {day_text(card.date)}\n{' · '.join(facts)}\n{_labels_text(row)}"
    )
    return clip(text, ROW_TEXT_MAX)


def _finance_actions(card: PaymentCard) -> list[tuple[str, str]]:
    choices = []
    # Changed in Xero: its Re-sync asks first, from the payment's message (Open); reconciled: nothing to send.
    if card.state in ROW_PRIMARY and card.can_approve and not (locked_by_xero(card) or overwrites_xero(card)):
        choices.append(ROW_PRIMARY[card.state])
    if card.state in CODABLE and not locked_by_xero(card):
        choices.append(("Edit", "edit"))
    if card.state in LOGGED:
        choices.append(("View sync log", "log"))
    if card.state in EXCLUDABLE:
        choices.append(("Exclude", "exclude"))
    if not choices:
        # Approved, syncing or excluded: the log still says what happened so far.
        choices.append(("View sync log", "log"))
    return choices


def _employee_actions(card: PaymentCard) -> list[tuple[str, str]]:
    choices = []
    if card.state in CODABLE and not locked_by_xero(card):
        choices.append(("Edit description", "edit"))
    if card.receipts == 0 and not card.no_receipt_reason:
        choices.append(("No receipt", "no_receipt"))
    choices.append(("How to attach a receipt", "attach_help"))
    return choices


def row_actions(card: PaymentCard, *, finance: bool) -> list[tuple[str, str]]:
    """(words, action) for a row's overflow menu, in order: 2 to 5 of them."""
    more = _finance_actions(card) if finance else _employee_actions(card)
    return ([("Open", "open"), *more])[:OVERFLOW_OPTIONS_MAX]


def row_block(row: HomeRow, *, finance: bool) -> Block:
    card = row.card
    block = section(row_text(row, finance=finance))
    block["accessory"] = {
        "type": "overflow",
        "action_id": str(Ids.HOME_ROW_ACTIONS),
        "options": [
            option(words, PaymentRef(card.payment_id, card.version).row_option(action))
            for words, action in row_actions(card, finance=finance)
        ],
    }
    return block


def selectable(rows: list[HomeRow]) -> list[PaymentCard]:
    """The rows that "Sync selected" can send: pending, and this user may approve them."""
    return [row.card for row in rows if row.card.state == PaymentState.PENDING and row.card.can_approve]


def selection_option_text(card: PaymentCard) -> str:
    """ "GBP 120.00 Figma Inc, 20 Nov": plain text, at most 75 characters."""
    money = money_text(card.amount, card.currency)
    day = day_text(card.date, year=False)
    room = OPTION_TEXT_MAX - len(money) - len(day) - 3
    return clip(f"{money} {clip(card.payee, max(room, 1))}, {day}", OPTION_TEXT_MAX)


def selection_blocks(cards: list[PaymentCard]) -> list[Block]:
    blocks = []
    for index in range(SELECTION_BLOCKS_MAX):
        chunk = cards[index * CHECKBOX_OPTIONS_MAX : (index + 1) * CHECKBOX_OPTIONS_MAX]
        if not chunk:
            break
        element = {
            "type": "checkboxes",
            "action_id": f"{Ids.HOME_SELECT}_{index}",
            "options": [option(selection_option_text(card), str(card.payment_id)) for card in chunk],
        }
        blocks.append(actions(element, block_id=f"{Ids.HOME_SELECT_BLOCK}_{index}"))
    return blocks
