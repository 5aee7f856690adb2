"""Pure Block Kit builders for payments: the finance-channel card, its modals and its select options.

Everything here is a function of already-loaded data (`bot.payments.cards`); Slack's limits are enforced here by
shortening text with "…", so a long payee or description can never make Slack refuse a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from bot.payments.cards import AccountChoice, CodingChoices, PaymentCard, TaxChoice, TrackingChoice
from handlers.blocks import Block, actions, button, context, mrkdwn_escape, section
from handlers.ids import Ids, PaymentRef

MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
SELECT_OPTIONS_MAX = 100
ACTIONS_ELEMENTS_MAX = 25
PLACEHOLDER_MAX = 150
INPUT_VALUE_MAX = 3000
REFERENCE_MAX = 255
NOTE_MAX = 500

SHORTENED_NOTE = "_(shortened; full text in Edit)_"
BANK_FACTS_NOTE = "Amount, currency and date come from the bank and can't be changed."
CONNECT_XERO_HINT = "Connect Xero to code this payment (/xero connect)"
CONTACT_HINT = "Search your Xero contacts, or type a new name to create it on sync"

STATE_LABELS = {
    "pending": "Pending",
    "approved": "Approved",
    "syncing": "Syncing",
    "synced": "Synced",
    "sync_error": "Sync error",
    "updated": "Updated",
    "excluded": "Excluded",
}
EDITABLE_STATES = frozenset({"pending", "sync_error", "updated"})
# A synced payment can still be recoded: it then shows "Updated" until it is re-synced.
CODABLE_STATES = EDITABLE_STATES | {"synced"}
EXCLUSION_REASONS = {
    "personal": "Personal expense",
    "duplicate": "Duplicate",
    "transfer": "Transfer between own accounts",
    "other": "Other",
}
NO_RECEIPT_REASONS = {"lost": "lost", "never_issued": "never issued", "other": "other"}

# ISO 4217 currencies whose minor unit is not cents; every other currency shows two decimals.
_MINOR_UNITS = {
    **dict.fromkeys(
        ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV"], 0
    ),
    **dict.fromkeys(["XAF", "XOF", "XPF"], 0),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    "CLF": 4,
    "UYW": 4,
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}", re.ASCII)


# ---------------------------------------------------------------- small helpers


def clip(text: str, limit: int) -> str:
    """`text` at most `limit` characters, ending in "…" when it had to be cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape_clip(text: str, limit: int) -> str:
    """`text` escaped for mrkdwn and at most `limit` characters, cut between characters, never inside an escape."""
    escaped = mrkdwn_escape(text)
    if len(escaped) <= limit:
        return escaped
    pieces: list[str] = []
    used = 0
    for char in text:
        piece = mrkdwn_escape(char)
        if used + len(piece) > limit - 1:
            break
        pieces.append(piece)
        used += len(piece)
    return "".join(pieces) + "…"


def money_text(amount: Decimal, currency: str) -> str:
    """ "SGD 1,234.50": grouped, with the currency's minor units (more only if the amount really has them)."""
    places = _MINOR_UNITS.get(currency.upper(), 2)
    exponent = Decimal(1).scaleb(-places)
    if amount == amount.quantize(exponent):
        amount = amount.quantize(exponent)
    return f"{currency} {amount:,f}"


def day_text(when: date) -> str:
    """ "20 Nov 2026", whatever the process locale."""
    return f"{when.day} {_MONTHS[when.month - 1]} {when.year}"


def _plain(text: str, limit: int) -> Block:
    return {"type": "plain_text", "text": clip(text, limit)}


def _option(text: str, value: str) -> Block:
    return {"text": _plain(text, OPTION_TEXT_MAX), "value": value}


def _static_select(action_id: str, placeholder: str, options: list[Block], initial_value: str | None = None) -> Block:
    """A static select; the initial option is kept only if it is one of the options (Slack refuses it otherwise)."""
    element: Block = {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": _plain(placeholder, PLACEHOLDER_MAX),
        "options": options[:SELECT_OPTIONS_MAX],
    }
    initial = next((option for option in element["options"] if option["value"] == initial_value), None)
    if initial is not None:
        element["initial_option"] = initial
    return element


def _limit_options(options: list[Block], keep_value: str | None) -> list[Block]:
    """At most 100 options, keeping the chosen one even when it is past the 100th."""
    if len(options) <= SELECT_OPTIONS_MAX:
        return options
    kept = options[:SELECT_OPTIONS_MAX]
    if keep_value is not None and all(option["value"] != keep_value for option in kept):
        chosen = next((option for option in options if option["value"] == keep_value), None)
        if chosen is not None:
            kept[-1] = chosen
    return kept


def _cap_blocks(blocks: list[Block], limit: int) -> list[Block]:
    return blocks[:limit]


# ---------------------------------------------------------------- options


def account_option(account: AccountChoice) -> Block:
    return _option(f"{account.code} {account.name}", account.code)


def tax_option(tax: TaxChoice) -> Block:
    text = tax.name
    if tax.rate is not None:
        rate = f"{tax.rate.normalize():f}%"
        with_rate = f"{tax.name} ({rate})"
        if rate not in tax.name and len(with_rate) <= OPTION_TEXT_MAX:
            text = with_rate
    return _option(text, tax.tax_type)


def _tracking_options(category: TrackingChoice) -> list[Block]:
    options = [_option(f"No {category.name}", f"{category.category_id}:")]
    for choice in category.options:
        value = f"{category.category_id}:{choice.option_id}"
        if len(value) <= OPTION_VALUE_MAX:
            options.append(_option(choice.name, value))
    return options


def _account_options(accounts: Iterable[AccountChoice]) -> list[Block]:
    seen: set[str] = set()
    options: list[Block] = []
    for account in accounts:
        if account.code and len(account.code) <= OPTION_VALUE_MAX and account.code not in seen:
            seen.add(account.code)
            options.append(account_option(account))
    return options


def account_options(query: str, accounts: list[AccountChoice]) -> list[dict[str, Any]]:
    """Options for the card's account search: code or name contains the query; codes starting with it first."""
    needle = query.strip().casefold()
    matching = [a for a in accounts if needle in a.code.casefold() or needle in a.name.casefold()]
    ranked = sorted(matching, key=lambda a: not a.code.casefold().startswith(needle))
    return _account_options(ranked)[:SELECT_OPTIONS_MAX]


def contact_option(name: str) -> Block:
    return _option(name, "name:" + name[:145])


def contact_options(query: str, contacts: list[str]) -> list[dict[str, Any]]:
    """The Edit modal's contact select: matching contacts, after a "Create …" option when no name equals the query."""
    typed = query.strip()
    needle = typed.casefold()
    matching = [name for name in contacts if needle in name.casefold()]
    matching.sort(key=lambda name: not name.casefold().startswith(needle))
    options: list[Block] = []
    if typed and all(name.casefold() != needle for name in contacts):
        options.append(_option(f"Create “{clip(typed, OPTION_TEXT_MAX - 9)}”", "new:" + typed[:146]))
    seen: set[str] = set()
    for name in matching:
        option = contact_option(name)
        if option["value"] not in seen:
            seen.add(option["value"])
            options.append(option)
    return options[:SELECT_OPTIONS_MAX]


# ---------------------------------------------------------------- the payment card


def _money(card: PaymentCard) -> str:
    return mrkdwn_escape(money_text(card.amount, card.currency))


def _user_mention(user_id: str | None) -> str | None:
    return f"<@{user_id}>" if user_id and _SLACK_USER_ID.fullmatch(user_id) else None


def _spender(card: PaymentCard) -> str:
    mention = _user_mention(card.spender_user_id)
    if mention:
        return mention
    if card.spender_email:
        return escape_clip(card.spender_email, 300)
    return "Unknown"


def _field(label: str, value: str) -> Block:
    return {"type": "mrkdwn", "text": f"*{label}*\n{value}"}


def _headline(card: PaymentCard, label: str) -> Block:
    headline = f"*{_money(card)}* to {escape_clip(card.payee, 1000)}  ·  {label}"
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
    safe = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{safe}|View in Xero>"


def _state_line(card: PaymentCard, label: str) -> str:
    state = card.state
    if state == "pending":
        return f"*{label}*: choose the Xero coding, then approve to sync."
    if state == "approved":
        if card.sync_error:
            return f"*{label}*: {escape_clip(card.sync_error, 1500)}"
        return f"*{label}*: syncing to Xero…"
    if state == "syncing":
        return f"*{label}*: sending to Xero…"
    if state == "synced":
        link = _xero_link(card.xero_url)
        line = f"*{label}*" + (f"  ·  {link}" if link else " to Xero.")
        if card.sync_error:
            line += f"  ·  :warning: {escape_clip(card.sync_error, 1000)}"
        return line
    if state == "sync_error":
        message = escape_clip(card.sync_error, 1500) if card.sync_error else "Xero gave no reason."
        return f"*{label}*: {message}"
    if state == "updated":
        return f"*{label}*: changed since it was synced; Xero still has the old version."
    if state == "excluded":
        reason = card.exclusion_reason or ""
        words = EXCLUSION_REASONS.get(reason, reason).lower()
        line = f"*{label}*: {escape_clip(words, 300)}" if words else f"*{label}*"
        by = _user_mention(card.excluded_by_user_id)
        return line + (f" (by {by})" if by else "") + ". Never synced to Xero."
    return f"*{label}*"


def _receipt_line(card: PaymentCard) -> str:
    if card.receipts == 1:
        return "1 receipt"
    if card.receipts > 1:
        return f"{card.receipts} receipts"
    if card.no_receipt_reason:
        reason = card.no_receipt_reason
        return f"No receipt: {escape_clip(NO_RECEIPT_REASONS.get(reason, reason.replace('_', ' ')), 300)}"
    return "No receipt yet"


def _coding_selects(card: PaymentCard, choices: CodingChoices) -> list[Block]:
    account_code = card.account.code if card.account else None
    if choices.accounts_need_search:
        account: Block = {
            "type": "external_select",
            "action_id": str(Ids.PAYMENT_ACCOUNT),
            "placeholder": _plain("Xero account", PLACEHOLDER_MAX),
            "min_query_length": 0,
        }
        if card.account is not None and card.account.code and len(card.account.code) <= OPTION_VALUE_MAX:
            account["initial_option"] = account_option(card.account)
    else:
        account = _static_select(
            str(Ids.PAYMENT_ACCOUNT), "Xero account", _account_options(choices.accounts), account_code
        )
    elements = [account]

    tax_code = card.tax_rate.tax_type if card.tax_rate else None
    tax_options = [tax_option(t) for t in choices.tax_rates if t.tax_type and len(t.tax_type) <= OPTION_VALUE_MAX]
    if tax_options:
        elements.append(
            _static_select(str(Ids.PAYMENT_TAX), "Tax rate", _limit_options(tax_options, tax_code), tax_code)
        )

    for index, category in enumerate(choices.tracking):
        if not category.options or len(elements) >= ACTIONS_ELEMENTS_MAX:
            continue
        chosen = card.tracking.get(category.category_id)
        chosen_value = f"{category.category_id}:{chosen}" if chosen else None
        options = _limit_options(_tracking_options(category), chosen_value)
        elements.append(_static_select(f"{Ids.PAYMENT_TRACKING}_{index}", category.name, options, chosen_value))
    return elements


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
        option = next((o for o in category.options if o.option_id == option_id), None)
        if option is not None:
            parts.append(f"*{escape_clip(category.name, 150)}:* {escape_clip(option.name, 150)}")
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
            "placeholder": _plain("Choose a person", PLACEHOLDER_MAX),
        },
    }


def _buttons(card: PaymentCard) -> list[Block]:
    value = _ref(card).value
    state = card.state
    result: list[Block] = []
    if state in EDITABLE_STATES:
        if card.can_approve:
            primary = {
                "pending": ("Approve & sync", Ids.PAYMENT_APPROVE),
                "sync_error": ("Retry", Ids.PAYMENT_RETRY),
                "updated": ("Re-sync", Ids.PAYMENT_RESYNC),
            }[state]
            result.append(button(primary[0], str(primary[1]), value, style="primary"))
        result.append(button("Edit", str(Ids.PAYMENT_EDIT), value))
        result.append(button("Exclude", str(Ids.PAYMENT_EXCLUDE), value))
    elif state == "synced":
        result.append(button("Edit", str(Ids.PAYMENT_EDIT), value))
    elif state == "excluded":
        result.append(button("Undo", str(Ids.PAYMENT_UNDO_EXCLUDE), value))
    if state in ("synced", "sync_error", "updated"):
        result.append(button("View sync log", str(Ids.PAYMENT_SYNC_LOG), value))
    return result


def payment_message(card: PaymentCard, choices: CodingChoices) -> tuple[str, list[dict[str, Any]]]:
    """The finance-channel message for one payment: facts, state, coding selects and buttons."""
    label = mrkdwn_escape(STATE_LABELS.get(card.state, card.state.replace("_", " ").capitalize()))
    text = f"Payment: {_money(card)} to {escape_clip(card.payee, 500)} on {day_text(card.date)}"

    blocks: list[Block] = [_headline(card, label)]
    if card.description:
        blocks.append(_description(card.description))
    blocks.append(context(_state_line(card, label)))
    blocks.append(context(_receipt_line(card)))
    if card.spender_user_id is None and card.state != "excluded":
        blocks.append(_who_made_it(card))

    if card.state in CODABLE_STATES:
        if choices.accounts:
            coding_id = _ref(card).block_id(Ids.PAYMENT_CODING_BLOCK)
            blocks.append(actions(*_coding_selects(card, choices), block_id=coding_id))
        else:
            blocks.append(context(CONNECT_XERO_HINT))
    elif card.state in ("approved", "syncing"):
        blocks.append(context(_coding_text(card, choices)))

    buttons = _buttons(card)
    if buttons:
        buttons_id = _ref(card).block_id(Ids.PAYMENT_BUTTONS_BLOCK)
        blocks.append(actions(*buttons, block_id=buttons_id))
    return text, _cap_blocks(blocks, MESSAGE_BLOCKS_MAX)


def category_offer(
    payment_id: int, version: int, category: str, account: AccountChoice
) -> tuple[str, list[dict[str, Any]]]:
    """Ephemeral: offer to map the payment's category to the account just chosen."""
    account_words = escape_clip(f"{account.code} {account.name}", 500)
    text = f"Use {account_words} for all “{escape_clip(category, 500)}” payments?"
    label = clip(f"Use for all {category}", 75)
    offer = button(label, str(Ids.USE_FOR_CATEGORY), PaymentRef(payment_id, version).value, style="primary")
    return text, [section(text), actions(offer)]


def burst_summary(count: int, total_by_currency: dict[str, Decimal]) -> tuple[str, list[dict[str, Any]]]:
    """One channel message instead of a flood of payment cards."""
    noun = "payment" if count == 1 else "payments"
    totals = ", ".join(money_text(total_by_currency[code], code) for code in sorted(total_by_currency))
    summary = f"{count} new {noun} arrived" + (f" ({totals})" if totals else "")
    tail = ". Code them from the bot's App Home."
    text = escape_clip(summary, SECTION_TEXT_MAX - len(tail)) + tail
    return text, [section(text)]


# ---------------------------------------------------------------- modals


def _ref(card: PaymentCard) -> PaymentRef:
    return PaymentRef(card.payment_id, card.version)


def _bank_facts(card: PaymentCard) -> str:
    return f"*{_money(card)}* to {escape_clip(card.payee, 1000)} on {day_text(card.date)}"


def _modal(callback_id: Ids, title: str, submit: str, card: PaymentCard, blocks: list[Block]) -> Block:
    return {
        "type": "modal",
        "callback_id": str(callback_id),
        "private_metadata": _ref(card).metadata(),
        "title": _plain(title, 24),
        "submit": _plain(submit, 24),
        "close": _plain("Cancel", 24),
        "blocks": _cap_blocks(blocks, VIEW_BLOCKS_MAX),
    }


def _input(block_id: Ids, label: str, element: Block, *, optional: bool, hint: str | None = None) -> Block:
    block: Block = {
        "type": "input",
        "block_id": str(block_id),
        "label": _plain(label, 2000),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint, 2000)
    return block


def _text_input(*, initial: str | None, max_length: int, multiline: bool = False) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": "value", "max_length": max_length}
    if multiline:
        element["multiline"] = True
    if initial:
        element["initial_value"] = initial[:max_length]
    return element


def edit_modal(card: PaymentCard, *, employee: bool) -> dict[str, Any]:
    """Edit what the bank did not fix: description (everyone), Xero contact and reference (finance)."""
    blocks: list[Block] = [section(f"{_bank_facts(card)}\n{BANK_FACTS_NOTE}")]
    description_hint = None
    if card.description and len(card.description) > INPUT_VALUE_MAX:
        description_hint = f"Shown shortened to {INPUT_VALUE_MAX:,} characters; saving keeps what you see here."
    blocks.append(
        _input(
            Ids.EDIT_DESCRIPTION,
            "Description",
            _text_input(initial=card.description, max_length=INPUT_VALUE_MAX, multiline=True),
            optional=True,
            hint=description_hint,
        )
    )
    if not employee:
        contact: Block = {
            "type": "external_select",
            "action_id": "value",
            "placeholder": _plain("Search contacts", PLACEHOLDER_MAX),
            "min_query_length": 1,
        }
        if card.contact_name:
            contact["initial_option"] = contact_option(card.contact_name)
        blocks.append(_input(Ids.EDIT_CONTACT, "Xero contact", contact, optional=True, hint=CONTACT_HINT))
        blocks.append(
            _input(
                Ids.EDIT_REFERENCE,
                "Reference",
                _text_input(initial=card.reference, max_length=REFERENCE_MAX),
                optional=True,
            )
        )
    return _modal(Ids.EDIT_MODAL, "Edit payment", "Save", card, blocks)


def exclude_modal(card: PaymentCard) -> dict[str, Any]:
    """Why a payment stays out of Xero; excluding can be undone from the message."""
    intro = (
        f"Exclude {_bank_facts(card)}?\n"
        "Excluded payments are never synced to Xero. You can undo this from the payment's message."
    )
    reasons: Block = {
        "type": "radio_buttons",
        "action_id": "value",
        "options": [_option(words, value) for value, words in EXCLUSION_REASONS.items()],
    }
    blocks = [
        section(intro),
        _input(Ids.EXCLUDE_REASON, "Reason", reasons, optional=False),
        _input(Ids.EXCLUDE_NOTE, "Note", _text_input(initial=None, max_length=NOTE_MAX), optional=True),
    ]
    return _modal(Ids.EXCLUDE_MODAL, "Exclude payment", "Exclude", card, blocks)
