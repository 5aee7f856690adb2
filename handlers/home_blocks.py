"""Pure Block Kit builders for the App Home tab and the payment modal its "Open" action shows.

A function of `bot.home.view.HomeView` (already loaded and already limited to what the user may see);
Slack's limits are enforced here, so no payee, account name or page of rows can make Slack refuse the view.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from bot.home.view import PAGE_SIZE, HomeFilter, HomeRow, HomeView, SourceAccountOption
from bot.payments.cards import CodingChoices, PaymentCard
from handlers.blocks import Block, actions, button, context, mrkdwn_escape, refusal_notice, section
from handlers.ids import Ids, PaymentRef
from handlers.payment_blocks import (
    CODABLE_STATES,
    NO_RECEIPT_REASONS,
    OPTION_TEXT_MAX,
    OPTION_VALUE_MAX,
    PLACEHOLDER_MAX,
    SECTION_TEXT_MAX,
    SELECT_OPTIONS_MAX,
    STATE_LABELS,
    VIEW_BLOCKS_MAX,
    clip,
    day_text,
    escape_clip,
    money_text,
    payment_message,
)

PRIVATE_METADATA_MAX = 3000
OVERFLOW_OPTIONS_MAX = 5
CHECKBOX_OPTIONS_MAX = 10
SELECTION_BLOCKS_MAX = 2
ROW_TEXT_MAX = 600
MODAL_TEXT_MAX = 24

TITLE = "Expenses for Xero"
ROLES_NOTE = "Roles are managed with `/xero role @user finance|admin|none`"
SETTINGS_FOR_ADMINS = "Settings are for admins"
DISCONNECT_NOTE = "The bot's access is revoked in Xero. Payments and their history are kept here; you can reconnect."

TAB_IDS = {
    "pending": Ids.HOME_TAB_PENDING,
    "synced": Ids.HOME_TAB_SYNCED,
    "errors": Ids.HOME_TAB_ERRORS,
    "settings": Ids.HOME_TAB_SETTINGS,
}
TAB_WORDS = {"pending": "Pending Sync", "synced": "Synced", "errors": "Errors", "settings": "Settings"}
EMPTY_HINTS = {
    "pending": "New payments appear here as they arrive.",
    "synced": "Synced payments appear here.",
    "errors": "No sync errors. 🎉",
}
ROW_PRIMARY = {
    "pending": ("Approve & sync", "approve"),
    "sync_error": ("Retry", "retry"),
    "updated": ("Re-sync", "resync"),
}
LOG_STATES = frozenset({"synced", "sync_error", "updated"})
EXCLUDABLE_STATES = frozenset({"pending", "sync_error"})
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}", re.ASCII)


# ---------------------------------------------------------------- small helpers


def _plain(text: str, limit: int = OPTION_TEXT_MAX) -> Block:
    return {"type": "plain_text", "text": clip(text, limit)}


def _option(text: str, value: str) -> Block:
    return {"text": _plain(text), "value": value[:OPTION_VALUE_MAX]}


def _mention(user_id: str | None) -> str | None:
    return f"<@{user_id}>" if user_id and _SLACK_USER_ID.fullmatch(user_id) else None


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def _is_finance(view: HomeView) -> bool:
    return view.access in ("finance", "admin")


def _shown_tab(view: HomeView) -> str:
    """The tab actually rendered: settings falls back to pending for anyone but an admin."""
    tab = view.filter.tab
    if tab == "settings" and view.access != "admin":
        return "pending"
    return tab if tab in TAB_IDS else "pending"


def _filters_set(home_filter: HomeFilter) -> bool:
    return any((home_filter.source_account_id, home_filter.date_from, home_filter.date_to, home_filter.spender))


# ---------------------------------------------------------------- top of the tab


def _header() -> Block:
    return {"type": "header", "text": _plain(TITLE, 150)}


def connection_text(state: str, tenant_name: str | None) -> str:
    if state == "connected":
        return f"Connected to {escape_clip(tenant_name, 300)}" if tenant_name else "Connected to Xero"
    if state == "needs_reconnect":
        return "Xero needs reconnecting (an admin can fix it in Settings)"
    return "Xero is not connected"


def _tabs(view: HomeView, shown: str) -> Block:
    names = ["pending", "synced", "errors"] + (["settings"] if view.access == "admin" else [])
    buttons = []
    for name in names:
        words = TAB_WORDS[name] if name == "settings" else f"{TAB_WORDS[name]} ({view.counts.get(name, 0):,})"
        style = "primary" if name == shown else None
        buttons.append(button(words, str(TAB_IDS[name]), name, style=style))
    return actions(*buttons, block_id=str(Ids.HOME_TABS))


# ---------------------------------------------------------------- settings tab


def _settings_blocks(view: HomeView) -> list[Block]:
    state = view.connection_state
    lines = [f"*Xero:* {connection_text(state, view.tenant_name)}"]
    if state != "connected":
        lines.append("Payments wait until Xero is connected.")
    buttons = [button("Edit settings", str(Ids.HOME_EDIT_SETTINGS), "settings")]
    if state == "connected":
        disconnect = button("Disconnect", str(Ids.HOME_DISCONNECT), "disconnect", style="danger")
        disconnect["confirm"] = {
            "title": _plain("Disconnect Xero?", 100),
            "text": _plain(DISCONNECT_NOTE, 300),
            "confirm": _plain("Disconnect", 30),
            "deny": _plain("Cancel", 30),
            "style": "danger",
        }
        buttons.append(disconnect)
    else:
        words = "Reconnect" if state == "needs_reconnect" else "Connect"
        buttons.append(button(words, str(Ids.RECONNECT), "connect", style="primary"))
    return [section("\n".join(lines)), actions(*buttons, block_id=str(Ids.HOME_SETTINGS)), context(ROLES_NOTE)]


# ---------------------------------------------------------------- filters and bulk sync


def account_filter_options(accounts: list[SourceAccountOption], chosen: int | None) -> list[Block]:
    """ "All accounts" then each account, at most 100, keeping the chosen one even when it is past the 100th."""
    options = [_option("All accounts", "all")]
    for account in accounts:
        options.append(_option(f"{account.name} ({account.currency})", str(account.source_account_id)))
    if len(options) <= SELECT_OPTIONS_MAX:
        return options
    kept = options[:SELECT_OPTIONS_MAX]
    wanted = str(chosen) if chosen is not None else None
    if wanted is not None and all(option["value"] != wanted for option in kept):
        match = next((option for option in options if option["value"] == wanted), None)
        if match is not None:
            kept[-1] = match
    return kept


def _filters(view: HomeView) -> Block:
    home_filter = view.filter
    options = account_filter_options(view.source_accounts, home_filter.source_account_id)
    wanted = str(home_filter.source_account_id) if home_filter.source_account_id is not None else "all"
    account: Block = {
        "type": "static_select",
        "action_id": str(Ids.HOME_FILTER_ACCOUNT),
        "placeholder": _plain("Account", PLACEHOLDER_MAX),
        "options": options,
    }
    initial = next((option for option in options if option["value"] == wanted), None)
    if initial is not None:
        account["initial_option"] = initial
    elements = [account]
    for action_id, placeholder, when in (
        (Ids.HOME_FILTER_FROM, "From", home_filter.date_from),
        (Ids.HOME_FILTER_TO, "To", home_filter.date_to),
    ):
        picker: Block = {"type": "datepicker", "action_id": str(action_id), "placeholder": _plain(placeholder)}
        if when is not None:
            picker["initial_date"] = when.isoformat()
        elements.append(picker)
    if _is_finance(view):
        spender: Block = {
            "type": "users_select",
            "action_id": str(Ids.HOME_FILTER_SPENDER),
            "placeholder": _plain("Spender", PLACEHOLDER_MAX),
        }
        if _mention(home_filter.spender):
            spender["initial_user"] = home_filter.spender
        elements.append(spender)
    if _filters_set(home_filter):
        elements.append(button("Clear filters", str(Ids.HOME_CLEAR_FILTERS), "clear"))
    return actions(*elements, block_id=str(Ids.HOME_FILTERS))


def _selectable(rows: list[HomeRow]) -> list[PaymentCard]:
    return [row.card for row in rows if row.card.state == "pending" and row.card.can_approve]


def _bulk_blocks(view: HomeView, rows: list[HomeRow]) -> list[Block]:
    if view.ready == 0:
        lead = "No payments are ready to sync yet (they need complete coding and a mapped bank account)."
    else:
        verb = "is" if view.ready == 1 else "are"
        lead = f"{_plural(view.ready, 'payment')} {verb} ready to sync (complete coding, mapped bank account)."
    blocks = [section(lead)]
    buttons = []
    if view.ready > 0:
        buttons.append(button(f"Sync all ready ({view.ready:,})", str(Ids.HOME_SYNC_READY), "ready", style="primary"))
    if _selectable(rows):
        buttons.append(button("Sync selected", str(Ids.HOME_SYNC_SELECTED), "selected"))
    if buttons:
        blocks.append(actions(*buttons, block_id=str(Ids.HOME_BULK)))
    if view.bulk is not None:
        bulk = view.bulk
        status = "running" if bulk.running else "finished"
        blocks.append(
            context(
                f"Bulk sync {status}: {bulk.synced:,} of {bulk.total:,} synced, {_plural(bulk.errors, 'error')}, "
                f"{_plural(bulk.attachments_left, 'receipt')} to upload"
            )
        )
    return blocks


# ---------------------------------------------------------------- rows


def _coding_text(card: PaymentCard) -> str:
    parts = []
    if card.account is not None:
        parts.append(escape_clip(f"{card.account.code} {card.account.name}", 80))
    if card.tax_rate is not None:
        parts.append(escape_clip(card.tax_rate.tax_type, 30))
    return " · ".join(parts) if parts else "Not coded"


def receipt_text(card: PaymentCard) -> str:
    if card.receipts > 0:
        return _plural(card.receipts, "receipt")
    if card.no_receipt_reason:
        reason = card.no_receipt_reason
        return f"No receipt: {escape_clip(NO_RECEIPT_REASONS.get(reason, reason.replace('_', ' ')), 40)}"
    return "No receipt yet"


def _labels_text(row: HomeRow) -> str:
    card = row.card
    words = [STATE_LABELS.get(card.state, card.state.replace("_", " ").capitalize())]
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
        facts.append(_mention(card.spender_user_id) or escape_clip(card.spender_email or "Spender unknown", 60))
    text = (
        f"*{money}* to {escape_clip(card.payee, 80)} · {day_text(card.date)}\n{' · '.join(facts)}\n{_labels_text(row)}"
    )
    return clip(text, ROW_TEXT_MAX)


def row_action_value(action: str, card: PaymentCard) -> str:
    return PaymentRef(card.payment_id, card.version).row_option(action)


def row_actions(card: PaymentCard, *, finance: bool) -> list[tuple[str, str]]:
    """(words, action) for a row's overflow menu, in order: 2 to 5 of them."""
    choices = [("Open", "open")]
    if finance:
        if card.state in ROW_PRIMARY and card.can_approve:
            choices.append(ROW_PRIMARY[card.state])
        if card.state in CODABLE_STATES:
            choices.append(("Edit", "edit"))
        if card.state in LOG_STATES:
            choices.append(("View sync log", "log"))
        if card.state in EXCLUDABLE_STATES:
            choices.append(("Exclude", "exclude"))
        if len(choices) < 2:
            # Approved, syncing or excluded: the log still says what happened so far.
            choices.append(("View sync log", "log"))
    else:
        if card.state in CODABLE_STATES:
            choices.append(("Edit description", "edit"))
        if card.receipts == 0 and not card.no_receipt_reason:
            choices.append(("No receipt", "no_receipt"))
        choices.append(("How to attach a receipt", "attach_help"))
    return choices[:OVERFLOW_OPTIONS_MAX]


def _row_block(row: HomeRow, *, finance: bool) -> Block:
    card = row.card
    block = section(row_text(row, finance=finance))
    block["accessory"] = {
        "type": "overflow",
        "action_id": str(Ids.HOME_ROW_ACTIONS),
        "options": [
            _option(words, row_action_value(action, card)) for words, action in row_actions(card, finance=finance)
        ],
    }
    return block


def selection_option_text(card: PaymentCard) -> str:
    """ "GBP 120.00 Figma Inc, 20 Nov": plain text, at most 75 characters."""
    money = money_text(card.amount, card.currency)
    day = f"{card.date.day} {_MONTHS[card.date.month - 1]}"
    room = OPTION_TEXT_MAX - len(money) - len(day) - 3
    return clip(f"{money} {clip(card.payee, max(room, 1))}, {day}", OPTION_TEXT_MAX)


def _selection_blocks(cards: list[PaymentCard]) -> list[Block]:
    blocks = []
    for index in range(SELECTION_BLOCKS_MAX):
        chunk = cards[index * CHECKBOX_OPTIONS_MAX : (index + 1) * CHECKBOX_OPTIONS_MAX]
        if not chunk:
            break
        element = {
            "type": "checkboxes",
            "action_id": f"{Ids.HOME_SELECT}_{index}",
            "options": [_option(selection_option_text(card), str(card.payment_id)) for card in chunk],
        }
        blocks.append(actions(element, block_id=f"{Ids.HOME_SELECT_BLOCK}_{index}"))
    return blocks


# ---------------------------------------------------------------- bottom of the tab


def _empty_state(tab: str, *, filtered: bool) -> Block:
    hint = EMPTY_HINTS.get(tab, EMPTY_HINTS["pending"])
    if filtered:
        hint += " Try clearing the filters."
    return section(f"Nothing here.\n{hint}")


def totals_text(totals: dict[str, Decimal]) -> str:
    amounts = " · ".join(mrkdwn_escape(money_text(totals[code], code)) for code in sorted(totals))
    return clip(f"Total: {amounts}", SECTION_TEXT_MAX)


def _pagination(view: HomeView) -> list[Block]:
    if view.total <= 0:
        return []
    pages = view.pages
    page = view.filter.page
    blocks = [context(f"Page {min(page, pages):,} of {pages:,} · {_plural(view.total, 'payment')}")]
    buttons = []
    if page > 1:
        buttons.append(button("Previous", str(Ids.HOME_PAGE_PREV), str(min(page - 1, pages))))
    if page < pages:
        buttons.append(button("Next", str(Ids.HOME_PAGE_NEXT), str(page + 1)))
    if buttons:
        blocks.append(actions(*buttons, block_id=str(Ids.HOME_PAGES)))
    return blocks


# ---------------------------------------------------------------- the views


def _payment_tab(view: HomeView, tab: str) -> list[Block]:
    finance = _is_finance(view)
    rows = view.rows[:PAGE_SIZE]
    blocks: list[Block] = [_filters(view)]
    if tab == "pending" and finance:
        blocks += _bulk_blocks(view, rows)
    if rows:
        blocks += [_row_block(row, finance=finance) for row in rows]
    else:
        blocks.append(_empty_state(tab, filtered=_filters_set(view.filter)))
    if tab == "pending" and finance:
        blocks += _selection_blocks(_selectable(rows))
    if view.totals:
        blocks.append(context(totals_text(view.totals)))
    blocks += _pagination(view)
    return blocks


def home_view(view: HomeView, notice: str | None = None) -> dict[str, Any]:
    """The App Home tab for one user: tabs, filters, a page of payments, or (admins) settings; `notice` says
    why their last action was refused."""
    tab = _shown_tab(view)
    blocks: list[Block] = [_header()]
    if notice:
        blocks.append(refusal_notice(notice))
    blocks += [
        context(connection_text(view.connection_state, view.tenant_name)),
        _tabs(view, tab),
    ]
    if view.filter.tab == "settings" and tab != "settings":
        blocks.append(context(SETTINGS_FOR_ADMINS))
    blocks += _settings_blocks(view) if tab == "settings" else _payment_tab(view, tab)
    assert len(blocks) <= VIEW_BLOCKS_MAX, f"home view has {len(blocks)} blocks"
    metadata = view.filter.to_json()
    if len(metadata) > PRIVATE_METADATA_MAX:
        # Only a malformed spender id can make it this long; Slack would refuse the whole view.
        metadata = replace(view.filter, spender=None).to_json()
    assert len(metadata) <= PRIVATE_METADATA_MAX, "home filter too large for private_metadata"
    return {"type": "home", "blocks": blocks, "private_metadata": metadata}


def payment_modal(card: PaymentCard, choices: CodingChoices) -> dict[str, Any]:
    """The full payment message in a modal, so its selects and buttons work from the App Home."""
    _, blocks = payment_message(card, choices)
    return {
        "type": "modal",
        "callback_id": str(Ids.PAYMENT_MODAL),
        "private_metadata": PaymentRef(card.payment_id, card.version).metadata(),
        "title": _plain("Payment", MODAL_TEXT_MAX),
        "close": _plain("Close", MODAL_TEXT_MAX),
        "blocks": blocks[:VIEW_BLOCKS_MAX],
    }
