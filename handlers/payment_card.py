"""The finance-channel message for one payment (its card), the category offer, and the burst summary.

A function of already-loaded data (`bot.payments.cards`); a long payee or description is shortened with "…",
so it can never make Slack refuse the message.
"""

from __future__ import annotations

from bot.payments.cards import CodingChoices, PaymentCard
from bot.payments.lifecycle import APPROVABLE, CODABLE, EXCLUDABLE, IN_SYNC, PaymentState
from bot.payments.money import money_text
from bot.receipts.service import NO_RECEIPT_REASONS
from handlers.coding_lines import coding_lines
from handlers.ids import Ids, PaymentRef
from handlers.kit import (
    MESSAGE_BLOCKS_MAX,
    PLACEHOLDER_MAX,
    SECTION_TEXT_MAX,
    Block,
    actions,
    button,
    context,
    day_text,
    escape_clip,
    linked,
    mention,
    mrkdwn_escape,
    plain,
    section,
)
from handlers.payment_options import coding_selects
from handlers.receipt_check_lines import receipt_check_blocks
from handlers.split_blocks import split_text
from handlers.xero_status_lines import locked_by_xero, overwrites_xero, resync_confirm, xero_status_lines

SHORTENED_NOTE = "_(shortened; full text in Edit)_"
CONNECT_XERO_HINT = "Connect Xero to code this payment (/xero connect)"

STATE_LABELS = {
    PaymentState.PENDING: "Pending",
    PaymentState.APPROVED: "Approved",
    PaymentState.SYNCING: "Syncing",
    PaymentState.SYNCED: "Synced",
    PaymentState.SYNC_ERROR: "Sync error",
    PaymentState.UPDATED: "Updated",
    PaymentState.EXCLUDED: "Excluded",
}
# What the card's main button does, in each state a payment can be (re)sent from.
PRIMARY_BUTTONS = {
    PaymentState.PENDING: ("Approve & sync", Ids.PAYMENT_APPROVE),
    PaymentState.SYNC_ERROR: ("Retry", Ids.PAYMENT_RETRY),
    PaymentState.UPDATED: ("Re-sync", Ids.PAYMENT_RESYNC),
}
BUTTON_STYLES: dict[Ids, str] = {action_id: "primary" for _, action_id in PRIMARY_BUTTONS.values()} | {
    Ids.PAYMENT_EXCLUDE_DUPLICATE: "danger"
}
# States in which Xero has (or had) the payment, so the sync log says something.
LOGGED = frozenset({PaymentState.SYNCED, PaymentState.SYNC_ERROR, PaymentState.UPDATED})
EXCLUSION_REASONS = {
    "personal": "Personal expense",
    "duplicate": "Duplicate",
    "transfer": "Transfer between own accounts",
    "other": "Other",
}


def state_label(state: PaymentState) -> str:
    return STATE_LABELS.get(state, state.replace("_", " ").capitalize())


def no_receipt_text(reason: str, limit: int) -> str:
    return f"No receipt: {escape_clip(NO_RECEIPT_REASONS.get(reason, reason.replace('_', ' ')), limit)}"


def _ref(card: PaymentCard) -> PaymentRef:
    return PaymentRef(card.payment_id, card.version)


def money(card: PaymentCard) -> str:
    """The card's amount as mrkdwn, with a foreign-currency spend's original: "SGD 120.00 (USD 89.00)"."""
    shown = money_text(card.amount, card.currency) + (f" ({card.original})" if card.original else "")
    return mrkdwn_escape(shown)


# ---------------------------------------------------------------- facts


def _spender(card: PaymentCard) -> str:
    shown = mention(card.spender_user_id)
    if shown:
        return shown
    if card.spender_email:
        return escape_clip(card.spender_email, 300)
    return "Unknown"


def _field(label: str, value: str) -> Block:
    return {"type": "mrkdwn", "text": f"*{label}*\n{value}"}


def _headline(card: PaymentCard, label: str) -> Block:
    headline = f"*{money(card)}* to {escape_clip(card.payee, 1000)}  ·  {label}"
    fields = [_field("Date", day_text(card.date))]
    source = escape_clip(f"{card.source_account_name} ({card.source_account_currency})", 500)
    fields.append(_field("From", source))
    fields.append(_field("Spender", _spender(card)))
    if card.reference:
        fields.append(_field("Reference", escape_clip(card.reference, 500)))
    if card.category:
        fields.append(_field("Category", escape_clip(card.category, 500)))
    if card.contact_name:
        fields.append(_field("Xero contact", escape_clip(card.contact_name, 500)))
    block = section(headline)
    block["fields"] = fields[:10]
    return block


def _description(description: str) -> Block:
    text = mrkdwn_escape(description)
    if len(text) > SECTION_TEXT_MAX:
        text = escape_clip(description, SECTION_TEXT_MAX - len(SHORTENED_NOTE) - 1) + "\n" + SHORTENED_NOTE
    return section(text)


def _xero_link(url: str | None) -> str | None:
    if not url or not url.startswith(("https://", "http://")):
        return None
    return linked(url, "View in Xero")


# ---------------------------------------------------------------- state and receipts


def _synced_line(card: PaymentCard, label: str) -> str:
    link = _xero_link(card.xero_url)
    line = f"*{label}*" + (f"  ·  {link}" if link else " to Xero.")
    if card.sync_error:
        line += f"  ·  :warning: {escape_clip(card.sync_error, 1000)}"
    return line


def _excluded_line(card: PaymentCard, label: str) -> str:
    reason = card.exclusion_reason or ""
    words = EXCLUSION_REASONS.get(reason, reason).lower()
    line = f"*{label}*: {escape_clip(words, 300)}" if words else f"*{label}*"
    by = mention(card.excluded_by_user_id)
    return line + (f" (by {by})" if by else "") + ". Never synced to Xero."


def _state_line(card: PaymentCard, label: str) -> str:
    state = card.state
    if state == PaymentState.PENDING:
        return f"*{label}*: choose the Xero coding, then approve to sync."
    if state == PaymentState.APPROVED:
        if card.sync_error:
            return f"*{label}*: {escape_clip(card.sync_error, 1500)}"
        return f"*{label}*: syncing to Xero…"
    if state == PaymentState.SYNCING:
        return f"*{label}*: sending to Xero…"
    if state == PaymentState.SYNCED:
        return _synced_line(card, label)
    if state == PaymentState.SYNC_ERROR:
        message = escape_clip(card.sync_error, 1500) if card.sync_error else "Xero gave no reason."
        return f"*{label}*: {message}"
    if state == PaymentState.UPDATED:
        return f"*{label}*: changed since it was synced; Xero still has the old version."
    if state == PaymentState.EXCLUDED:
        return _excluded_line(card, label)
    return f"*{label}*"


def _receipt_line(card: PaymentCard) -> str:
    if card.receipts == 1:
        return "1 receipt"
    if card.receipts > 1:
        return f"{card.receipts} receipts"
    if card.no_receipt_reason:
        return no_receipt_text(card.no_receipt_reason, 300)
    return "No receipt yet"


# ---------------------------------------------------------------- coding


def _coding_text(card: PaymentCard, choices: CodingChoices) -> str:
    parts = []
    if card.account is not None:
        parts.append(f"*Xero account:* {escape_clip(f'{card.account.code} {card.account.name}', 300)}")
    else:
        parts.append("*Xero account:* not chosen")
    if card.tax_rate is not None:
        parts.append(f"*Tax:* {escape_clip(card.tax_rate.name, 300)}")
    for category in choices.tracking:
        option_id = card.tracking.get(category.category_id)
        chosen = next((o for o in category.options if o.option_id == option_id), None)
        if chosen is not None:
            parts.append(f"*{escape_clip(category.name, 150)}:* {escape_clip(chosen.name, 150)}")
    return "  ·  ".join(parts)


def _who_made_it(card: PaymentCard) -> Block:
    """Finance says who spent the money when the bank did not; that person is then asked for the receipt."""
    return {
        "type": "section",
        "block_id": _ref(card).block_id(Ids.PAYMENT_SPENDER_BLOCK),
        "text": {"type": "mrkdwn", "text": "*Who made this payment?* They will be asked for the receipt."},
        "accessory": {
            "type": "users_select",
            "action_id": str(Ids.PAYMENT_SPENDER),
            "placeholder": plain("Choose a person", PLACEHOLDER_MAX),
        },
    }


# ---------------------------------------------------------------- buttons and the message


def button_actions(card: PaymentCard) -> list[tuple[str, Ids]]:
    """(words, action_id) of the card's buttons, in order: exactly what the lifecycle lets the payment do next."""
    state = card.state
    result: list[tuple[str, Ids]] = []
    if card.duplicate_of is not None and state in EXCLUDABLE:
        # A possible duplicate is decided first: nothing else but Edit until finance says which it is.
        result += [
            ("Not a duplicate", Ids.PAYMENT_NOT_DUPLICATE),
            ("Exclude this one", Ids.PAYMENT_EXCLUDE_DUPLICATE),
            ("Edit", Ids.PAYMENT_EDIT),
        ]
        if state in LOGGED:
            result.append(("View sync log", Ids.PAYMENT_SYNC_LOG))
        return result
    if state in APPROVABLE and card.can_approve and not locked_by_xero(card):
        result.append(PRIMARY_BUTTONS[state])
    elif state == PaymentState.SYNCED and card.can_approve and overwrites_xero(card):
        result.append(("Re-sync", Ids.PAYMENT_RESYNC))
    if state in CODABLE and not locked_by_xero(card):
        result.append(("Edit", Ids.PAYMENT_EDIT))
    if state in EXCLUDABLE:
        result.append(("Exclude", Ids.PAYMENT_EXCLUDE))
    if state == PaymentState.EXCLUDED:
        result.append(("Undo", Ids.PAYMENT_UNDO_EXCLUDE))
    if state in LOGGED:
        result.append(("View sync log", Ids.PAYMENT_SYNC_LOG))
    return result


def _buttons(card: PaymentCard) -> list[Block]:
    value = _ref(card).value
    shown = [
        button(words, str(action_id), value, style=BUTTON_STYLES.get(action_id))
        for words, action_id in button_actions(card)
    ]
    confirm = resync_confirm(card)
    for element in shown:
        if confirm and element["action_id"] in (Ids.PAYMENT_RESYNC, Ids.PAYMENT_RETRY):
            element["confirm"] = confirm
    return shown


def _coding_block(card: PaymentCard, choices: CodingChoices) -> Block | None:
    if card.split and (card.state in CODABLE or card.state in IN_SYNC):
        return context(split_text(card, choices))  # its lines change in Edit → Split, not in one line's selects
    if card.state in CODABLE and not locked_by_xero(card):
        if not choices.accounts:
            return context(CONNECT_XERO_HINT)
        coding_id = _ref(card).block_id(Ids.PAYMENT_CODING_BLOCK)
        return actions(*coding_selects(card, choices), block_id=coding_id)
    if card.state in IN_SYNC or locked_by_xero(card):
        return context(_coding_text(card, choices))
    return None


def payment_message(card: PaymentCard, choices: CodingChoices) -> tuple[str, list[Block]]:
    """The finance-channel message for one payment: facts, state, coding selects and buttons."""
    label = mrkdwn_escape(state_label(card.state))
    text = f"Payment: {money(card)} to {escape_clip(card.payee, 500)} on {day_text(card.date)}"

    blocks: list[Block] = [_headline(card, label)]
    if card.description:
        blocks.append(_description(card.description))
    blocks.append(context(_state_line(card, label)))
    blocks.extend(context(line) for line in coding_lines(card))
    blocks.extend(context(line) for line in xero_status_lines(card))
    blocks.append(context(_receipt_line(card)))
    blocks.extend(receipt_check_blocks(card))
    if card.spender_user_id is None and card.state != PaymentState.EXCLUDED:
        blocks.append(_who_made_it(card))
    coding = _coding_block(card, choices)
    if coding is not None:
        blocks.append(coding)
    buttons = _buttons(card)
    if buttons:
        buttons_id = _ref(card).block_id(Ids.PAYMENT_BUTTONS_BLOCK)
        blocks.append(actions(*buttons, block_id=buttons_id))
    return text, blocks[:MESSAGE_BLOCKS_MAX]
