"""The App Home tab: connection, tabs, filters, bulk sync, a page of payment rows (`handlers.home_rows`), settings.

A function of `bot.home.view.HomeView` (already loaded and already limited to what the user may see);
Slack's limits are enforced here, so no payee, account name or page of rows can make Slack refuse the view.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from bot.home.view import PAGE_SIZE, HomeFilter, HomeRow, HomeView, SourceAccountOption
from bot.payments.money import money_text
from handlers.blocks import refusal_notice
from handlers.home_rows import row_block, selectable, selection_blocks
from handlers.ids import Ids
from handlers.kit import (
    PLACEHOLDER_MAX,
    SECTION_TEXT_MAX,
    VIEW_BLOCKS_MAX,
    Block,
    actions,
    button,
    clip,
    context,
    escape_clip,
    header,
    limit_options,
    mention,
    mrkdwn_escape,
    option,
    plain,
    plural,
    section,
    static_select,
)
from handlers.receipt_home_lines import receipt_note_blocks
from handlers.xero_status_lines import reconciliation_filter

PRIVATE_METADATA_MAX = 3000

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


def _is_finance(view: HomeView) -> bool:
    return view.access in ("finance", "admin")


def _shown_tab(view: HomeView) -> str:
    """The tab actually rendered: settings falls back to pending for anyone but an admin."""
    tab = view.filter.tab
    if tab == "settings" and view.access != "admin":
        return "pending"
    return tab if tab in TAB_IDS else "pending"


def _filters_set(home_filter: HomeFilter) -> bool:
    chosen = (home_filter.source_account_id, home_filter.date_from, home_filter.date_to, home_filter.spender)
    return any((*chosen, home_filter.reconciliation))


# ---------------------------------------------------------------- top of the tab


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
    buttons.append(button("Coding rules", str(Ids.HOME_RULES), "rules"))
    if state == "connected":
        disconnect = button("Disconnect", str(Ids.HOME_DISCONNECT), "disconnect", style="danger")
        disconnect["confirm"] = {
            "title": plain("Disconnect Xero?", 100),
            "text": plain(DISCONNECT_NOTE, 300),
            "confirm": plain("Disconnect", 30),
            "deny": plain("Cancel", 30),
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
    options = [option("All accounts", "all")]
    for account in accounts:
        options.append(option(f"{account.name} ({account.currency})", str(account.source_account_id)))
    return limit_options(options, str(chosen) if chosen is not None else None)


def _filters(view: HomeView) -> Block:
    home_filter = view.filter
    options = account_filter_options(view.source_accounts, home_filter.source_account_id)
    wanted = str(home_filter.source_account_id) if home_filter.source_account_id is not None else "all"
    account = static_select(str(Ids.HOME_FILTER_ACCOUNT), options, wanted, placeholder="Account")
    elements = [account]
    for action_id, placeholder, when in (
        (Ids.HOME_FILTER_FROM, "From", home_filter.date_from),
        (Ids.HOME_FILTER_TO, "To", home_filter.date_to),
    ):
        picker: Block = {"type": "datepicker", "action_id": str(action_id), "placeholder": plain(placeholder)}
        if when is not None:
            picker["initial_date"] = when.isoformat()
        elements.append(picker)
    if _is_finance(view):
        spender: Block = {
            "type": "users_select",
            "action_id": str(Ids.HOME_FILTER_SPENDER),
            "placeholder": plain("Spender", PLACEHOLDER_MAX),
        }
        if mention(home_filter.spender):
            spender["initial_user"] = home_filter.spender
        elements.append(spender)
    if _shown_tab(view) == "synced" and _is_finance(view):
        elements.append(reconciliation_filter(home_filter.reconciliation))
    if _filters_set(home_filter):
        elements.append(button("Clear filters", str(Ids.HOME_CLEAR_FILTERS), "clear"))
    return actions(*elements, block_id=str(Ids.HOME_FILTERS))


def _bulk_blocks(view: HomeView, rows: list[HomeRow]) -> list[Block]:
    if view.ready == 0:
        lead = "No payments are ready to sync yet (they need complete coding and a mapped bank account)."
    else:
        verb = "is" if view.ready == 1 else "are"
        lead = f"{plural(view.ready, 'payment')} {verb} ready to sync (complete coding, mapped bank account)."
    blocks = [section(lead)]
    buttons = []
    if view.ready > 0:
        buttons.append(button(f"Sync all ready ({view.ready:,})", str(Ids.HOME_SYNC_READY), "ready", style="primary"))
    if selectable(rows):
        buttons.append(button("Sync selected", str(Ids.HOME_SYNC_SELECTED), "selected"))
    if buttons:
        blocks.append(actions(*buttons, block_id=str(Ids.HOME_BULK)))
    if view.bulk is not None:
        bulk = view.bulk
        status = "running" if bulk.running else "finished"
        blocks.append(
            context(
                f"Bulk sync {status}: {bulk.synced:,} of {bulk.total:,} synced, {plural(bulk.errors, 'error')}, "
                f"{plural(bulk.attachments_left, 'receipt')} to upload"
            )
        )
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
    blocks = [context(f"Page {min(page, pages):,} of {pages:,} · {plural(view.total, 'payment')}")]
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
        blocks += receipt_note_blocks(view.receipt_notes)
    if rows:
        blocks += [row_block(row, finance=finance) for row in rows]
    else:
        blocks.append(_empty_state(tab, filtered=_filters_set(view.filter)))
    if tab == "pending" and finance:
        blocks += selection_blocks(selectable(rows))
    if view.totals:
        blocks.append(context(totals_text(view.totals)))
    blocks += _pagination(view)
    return blocks


def home_view(view: HomeView, notice: str | None = None) -> Block:
    """The App Home tab for one user: tabs, filters, a page of payments, or (admins) settings; `notice` says
    why their last action was refused."""
    tab = _shown_tab(view)
    blocks: list[Block] = [header(TITLE)]
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
