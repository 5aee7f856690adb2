"""The App Home tab and the payment modal, tested as data: ids, values, fixed words, escaping and Slack's limits."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from slack_sdk.models.views import View

from bot.home.view import PAGE_SIZE, BulkProgress, HomeFilter, HomeRow, HomeView, SourceAccountOption
from bot.payments.cards import AccountChoice, CodingChoices, PaymentCard, TaxChoice
from bot.payments.lifecycle import APPROVABLE, CODABLE, EXCLUDABLE, PaymentState
from handlers.home_blocks import home_view
from handlers.ids import Ids, PaymentRef
from handlers.payment_card import payment_message
from handlers.payment_modals import payment_modal

NASTY = "<!channel> *x* <@U123> & _y_ ~z~ `w` <https://evil.example|click>"
ROLES = ["employee", "finance", "admin"]
FIXED_WORDS = {"Open", "Approve & sync", "Edit", "Exclude", "Retry", "Re-sync", "View sync log"}
EMPLOYEE_WORDS = {"Open", "Edit description", "No receipt", "How to attach a receipt"}
SOFTWARE = AccountChoice("463", "IT Software", "INPUT2")
INPUT2 = TaxChoice("INPUT2", "20% (VAT on Expenses)", Decimal("20"))

Block = dict[str, Any]


def make_card(**changes: Any) -> PaymentCard:
    card = PaymentCard(
        payment_id=12,
        version=3,
        state="pending",
        amount=Decimal("120"),
        currency="GBP",
        date=date(2026, 11, 20),
        payee="Figma Inc",
        source_account_name="Operating GBP",
        source_account_currency="GBP",
        spender_user_id="U0ANA",
        can_approve=True,
    )
    return replace(card, **changes)


def make_row(labels: list[str] | None = None, **changes: Any) -> HomeRow:
    return HomeRow(card=make_card(**changes), labels=labels or [])


def make_view(**changes: Any) -> HomeView:
    view = HomeView(
        user_id="U0ME",
        access="finance",
        filter=HomeFilter(),
        counts={"pending": 12, "synced": 340, "errors": 3},
        rows=[make_row(payment_id=i, version=1) for i in range(1, 4)],
        total=3,
        ready=2,
        source_accounts=[SourceAccountOption(1, "Operating GBP", "GBP"), SourceAccountOption(2, "Cards SGD", "SGD")],
        connection_state="connected",
        tenant_name="Acme Ltd",
        totals={"GBP": Decimal("1234"), "SGD": Decimal("99")},
    )
    return replace(view, **changes)


def valid(view: Block) -> Block:
    """Slack's own model validates the limits it knows (blocks, options, text lengths)."""
    result: Block = View(**view).to_dict()
    return result


def block(view: Block, block_id: str) -> Block | None:
    return next((b for b in view["blocks"] if b.get("block_id") == block_id), None)


def elements(view: Block, block_id: str) -> list[Block]:
    found = block(view, block_id)
    return found["elements"] if found else []


def all_text(view: Block) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def row_payment(option_value: str) -> int:
    _, ref = PaymentRef.from_row_option(option_value)
    assert ref is not None
    return ref.payment_id


def row_blocks(view: Block) -> list[Block]:
    return [b for b in view["blocks"] if b.get("accessory", {}).get("action_id") == Ids.HOME_ROW_ACTIONS]


def overflow(card: PaymentCard, access: str) -> list[tuple[str, str]]:
    view = home_view(make_view(access=access, rows=[HomeRow(card, [])], total=1))
    [row] = row_blocks(view)
    return [(o["text"]["text"], o["value"]) for o in row["accessory"]["options"]]


# ---------------------------------------------------------------- header and tabs


@pytest.mark.parametrize("access", ROLES)
@pytest.mark.parametrize("tab", ["pending", "synced", "errors", "settings"])
def test_every_tab_for_every_role_is_a_valid_home_view(access: str, tab: str) -> None:
    view = home_view(make_view(access=access, filter=HomeFilter(tab=tab)))
    valid(view)
    assert view["type"] == "home"
    assert view["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": "Expenses for Xero"}}
    assert view["blocks"][1]["type"] == "context"
    assert view["blocks"][2]["block_id"] == Ids.HOME_TABS


@pytest.mark.parametrize("access", ROLES)
def test_tabs_show_counts_and_settings_only_for_admins(access: str) -> None:
    tabs = elements(home_view(make_view(access=access)), Ids.HOME_TABS)
    expected = [
        ("Pending Sync (12)", Ids.HOME_TAB_PENDING, "pending"),
        ("Synced (340)", Ids.HOME_TAB_SYNCED, "synced"),
        ("Errors (3)", Ids.HOME_TAB_ERRORS, "errors"),
    ]
    if access == "admin":
        expected.append(("Settings", Ids.HOME_TAB_SETTINGS, "settings"))
    assert [(b["text"]["text"], b["action_id"], b["value"]) for b in tabs] == expected
    assert str(Ids.HOME_TAB_PENDING) == "home_tab_pending" and str(Ids.HOME_TAB_SETTINGS) == "home_tab_settings"


@pytest.mark.parametrize("tab", ["pending", "synced", "errors", "settings"])
def test_current_tab_is_primary(tab: str) -> None:
    tabs = elements(home_view(make_view(access="admin", filter=HomeFilter(tab=tab))), Ids.HOME_TABS)
    assert [b["value"] for b in tabs if b.get("style") == "primary"] == [tab]


@pytest.mark.parametrize(
    ("state", "tenant", "words"),
    [
        ("connected", "Acme Ltd", "Connected to Acme Ltd"),
        ("needs_reconnect", "Acme Ltd", "Xero needs reconnecting (an admin can fix it in Settings)"),
        ("disconnected", None, "Xero is not connected"),
        ("never", None, "Xero is not connected"),
    ],
)
def test_connection_line(state: str, tenant: str | None, words: str) -> None:
    view = home_view(make_view(connection_state=state, tenant_name=tenant))
    assert view["blocks"][1]["elements"][0]["text"] == words


def test_tenant_name_is_escaped() -> None:
    view = home_view(make_view(tenant_name=NASTY, access="admin", filter=HomeFilter(tab="settings")))
    valid(view)
    text = all_text(view)
    assert "<!channel>" not in text and "<@U123>" not in text and "<https://" not in text
    assert "&lt;!channel&gt;" in view["blocks"][1]["elements"][0]["text"]


# ---------------------------------------------------------------- settings tab


@pytest.mark.parametrize(
    ("state", "buttons"),
    [
        (
            "connected",
            [
                (Ids.HOME_EDIT_SETTINGS, "Edit settings"),
                (Ids.HOME_RULES, "Coding rules"),
                (Ids.HOME_DISCONNECT, "Disconnect"),
            ],
        ),
        (
            "needs_reconnect",
            [(Ids.HOME_EDIT_SETTINGS, "Edit settings"), (Ids.HOME_RULES, "Coding rules"), (Ids.RECONNECT, "Reconnect")],
        ),
        (
            "disconnected",
            [(Ids.HOME_EDIT_SETTINGS, "Edit settings"), (Ids.HOME_RULES, "Coding rules"), (Ids.RECONNECT, "Connect")],
        ),
        (
            "never",
            [(Ids.HOME_EDIT_SETTINGS, "Edit settings"), (Ids.HOME_RULES, "Coding rules"), (Ids.RECONNECT, "Connect")],
        ),
    ],
)
def test_settings_tab_for_admins(state: str, buttons: list[tuple[str, str]]) -> None:
    view = home_view(make_view(access="admin", filter=HomeFilter(tab="settings"), connection_state=state))
    valid(view)
    found = elements(view, Ids.HOME_SETTINGS)
    assert [(b["action_id"], b["text"]["text"]) for b in found] == buttons
    assert not row_blocks(view)
    assert block(view, Ids.HOME_FILTERS) is None
    assert "Roles are managed with `/xero role @user finance|admin|none`" in all_text(view)


def test_disconnect_is_danger_with_a_confirm_dialog() -> None:
    view = home_view(make_view(access="admin", filter=HomeFilter(tab="settings")))
    [disconnect] = [b for b in elements(view, Ids.HOME_SETTINGS) if b["action_id"] == Ids.HOME_DISCONNECT]
    assert disconnect["style"] == "danger"
    confirm = disconnect["confirm"]
    assert confirm["title"]["text"] == "Disconnect Xero?"
    assert "kept" in confirm["text"]["text"] and "history" in confirm["text"]["text"]
    assert confirm["confirm"]["text"] == "Disconnect" and confirm["deny"]["text"] == "Cancel"


@pytest.mark.parametrize("access", ["employee", "finance"])
def test_settings_tab_falls_back_to_pending_for_non_admins(access: str) -> None:
    view = home_view(make_view(access=access, filter=HomeFilter(tab="settings")))
    valid(view)
    assert view["blocks"][3] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "Settings are for admins"}],
    }
    assert block(view, Ids.HOME_SETTINGS) is None
    assert block(view, Ids.HOME_FILTERS) is not None
    assert len(row_blocks(view)) == 3
    tabs = elements(view, Ids.HOME_TABS)
    assert [b["value"] for b in tabs if b.get("style") == "primary"] == ["pending"]
    assert json.loads(view["private_metadata"])["tab"] == "settings"


# ---------------------------------------------------------------- filters


def test_filters_without_values() -> None:
    view = home_view(make_view())
    account, date_from, date_to, spender = elements(view, Ids.HOME_FILTERS)
    assert account["action_id"] == Ids.HOME_FILTER_ACCOUNT
    assert [(o["text"]["text"], o["value"]) for o in account["options"]] == [
        ("All accounts", "all"),
        ("Operating GBP (GBP)", "1"),
        ("Cards SGD (SGD)", "2"),
    ]
    assert account["initial_option"]["value"] == "all"
    assert (date_from["action_id"], date_from["placeholder"]["text"]) == (Ids.HOME_FILTER_FROM, "From")
    assert (date_to["action_id"], date_to["placeholder"]["text"]) == (Ids.HOME_FILTER_TO, "To")
    assert "initial_date" not in date_from and "initial_date" not in date_to
    assert (spender["type"], spender["action_id"]) == ("users_select", Ids.HOME_FILTER_SPENDER)
    assert spender["placeholder"]["text"] == "Spender" and "initial_user" not in spender


def test_filters_show_their_values_and_a_clear_button() -> None:
    home_filter = HomeFilter(
        source_account_id=2, date_from=date(2026, 11, 1), date_to=date(2026, 11, 30), spender="U0ANA"
    )
    view = home_view(make_view(filter=home_filter))
    valid(view)
    account, date_from, date_to, spender, clear = elements(view, Ids.HOME_FILTERS)
    assert account["initial_option"] == {"text": {"type": "plain_text", "text": "Cards SGD (SGD)"}, "value": "2"}
    assert date_from["initial_date"] == "2026-11-01" and date_to["initial_date"] == "2026-11-30"
    assert spender["initial_user"] == "U0ANA"
    assert (clear["action_id"], clear["text"]["text"]) == (Ids.HOME_CLEAR_FILTERS, "Clear filters")


@pytest.mark.parametrize(
    "home_filter",
    [HomeFilter(source_account_id=1), HomeFilter(date_from=date(2026, 1, 1)), HomeFilter(spender="U0ANA")],
)
def test_any_filter_offers_clear(home_filter: HomeFilter) -> None:
    ids = [e["action_id"] for e in elements(home_view(make_view(filter=home_filter)), Ids.HOME_FILTERS)]
    assert ids[-1] == Ids.HOME_CLEAR_FILTERS


def test_employees_have_no_spender_filter() -> None:
    ids = [e["action_id"] for e in elements(home_view(make_view(access="employee")), Ids.HOME_FILTERS)]
    assert ids == [Ids.HOME_FILTER_ACCOUNT, Ids.HOME_FILTER_FROM, Ids.HOME_FILTER_TO]


def test_account_filter_holds_at_most_100_options_and_keeps_the_chosen_one() -> None:
    accounts = [SourceAccountOption(i, f"Account {i} " + "x" * 200, "GBP") for i in range(1, 151)]
    view = home_view(make_view(source_accounts=accounts, filter=HomeFilter(source_account_id=140)))
    valid(view)
    [account] = [e for e in elements(view, Ids.HOME_FILTERS) if e["action_id"] == Ids.HOME_FILTER_ACCOUNT]
    assert len(account["options"]) == 100
    assert all(len(o["text"]["text"]) <= 75 for o in account["options"])
    assert account["initial_option"]["value"] == "140"


def test_bad_spender_id_is_not_sent_as_initial_user() -> None:
    view = home_view(make_view(filter=HomeFilter(spender="not a user")))
    [spender] = [e for e in elements(view, Ids.HOME_FILTERS) if e["action_id"] == Ids.HOME_FILTER_SPENDER]
    assert "initial_user" not in spender


# ---------------------------------------------------------------- bulk sync and selection


def test_bulk_section_and_buttons_for_finance_on_pending() -> None:
    view = home_view(make_view(ready=2))
    texts = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert "2 payments are ready to sync (complete coding, mapped bank account)." in texts
    ready, selected = elements(view, Ids.HOME_BULK)
    assert (ready["action_id"], ready["text"]["text"], ready["style"]) == (
        Ids.HOME_SYNC_READY,
        "Sync all ready (2)",
        "primary",
    )
    assert (selected["action_id"], selected["text"]["text"]) == (Ids.HOME_SYNC_SELECTED, "Sync selected")


def test_no_sync_all_ready_when_nothing_is_ready() -> None:
    rows = [make_row(payment_id=1, version=1, can_approve=False)]
    view = home_view(make_view(ready=0, rows=rows, total=1))
    valid(view)
    assert "Sync all ready" not in all_text(view)
    assert block(view, Ids.HOME_BULK) is None


@pytest.mark.parametrize("tab", ["synced", "errors"])
def test_no_bulk_outside_the_pending_tab(tab: str) -> None:
    view = home_view(make_view(filter=HomeFilter(tab=tab), bulk=BulkProgress(1, 10, 5, 0, 0, True)))
    assert block(view, Ids.HOME_BULK) is None
    assert "Bulk sync" not in all_text(view)
    assert block(view, f"{Ids.HOME_SELECT_BLOCK}_0") is None


def test_no_bulk_for_employees() -> None:
    view = home_view(make_view(access="employee", bulk=BulkProgress(1, 10, 5, 0, 0, True)))
    assert block(view, Ids.HOME_BULK) is None
    assert "ready to sync" not in all_text(view) and "Bulk sync" not in all_text(view)
    assert block(view, f"{Ids.HOME_SELECT_BLOCK}_0") is None


@pytest.mark.parametrize(
    ("running", "words"),
    [
        (True, "Bulk sync running: 37 of 120 synced, 2 errors, 50 receipts to upload"),
        (False, "Bulk sync finished: 37 of 120 synced, 2 errors, 50 receipts to upload"),
    ],
)
def test_bulk_progress_line(running: bool, words: str) -> None:
    view = home_view(make_view(bulk=BulkProgress(7, 120, 37, 2, 50, running)))
    contexts = [b["elements"][0]["text"] for b in view["blocks"] if b["type"] == "context"]
    assert words in contexts


def test_selection_lists_only_selectable_rows_at_most_10_per_element() -> None:
    rows = [make_row(payment_id=i, version=1) for i in range(1, 16)]
    rows += [
        make_row(payment_id=16, version=1, can_approve=False),
        make_row(payment_id=17, version=1, state="sync_error"),
        make_row(payment_id=18, version=1, state="approved"),
    ]
    view = home_view(make_view(rows=rows, total=len(rows)))
    valid(view)
    first, second = block(view, f"{Ids.HOME_SELECT_BLOCK}_0"), block(view, f"{Ids.HOME_SELECT_BLOCK}_1")
    assert first is not None and second is not None
    assert first["block_id"] == "home_select_block_0" and second["block_id"] == "home_select_block_1"
    [box0], [box1] = first["elements"], second["elements"]
    assert (box0["type"], box0["action_id"], box1["action_id"]) == ("checkboxes", "home_select_0", "home_select_1")
    assert len(box0["options"]) == 10 and len(box1["options"]) == 5
    values = [o["value"] for o in box0["options"] + box1["options"]]
    assert values == [str(i) for i in range(1, 16)]
    assert box0["options"][0]["text"] == {"type": "plain_text", "text": "GBP 120.00 Figma Inc, 20 Nov"}
    # After the rows.
    index = view["blocks"].index
    assert index(first) > max(index(b) for b in row_blocks(view))


def test_selection_text_is_at_most_75_characters() -> None:
    rows = [make_row(payment_id=1, version=1, payee="P" * 3000, amount=Decimal("123456789.12"))]
    view = home_view(make_view(rows=rows, total=1))
    [box] = elements(view, f"{Ids.HOME_SELECT_BLOCK}_0")
    text = box["options"][0]["text"]["text"]
    assert len(text) <= 75 and text.startswith("GBP 123,456,789.12 PPP") and text.endswith(", 20 Nov")


# ---------------------------------------------------------------- rows


def test_row_text_for_finance() -> None:
    row = make_row(
        labels=["Missing receipt"],
        account=SOFTWARE,
        tax_rate=INPUT2,
        receipts=2,
    )
    view = home_view(make_view(rows=[row], total=1))
    [section] = row_blocks(view)
    text = section["text"]["text"]
    assert "*GBP 120.00* to Figma Inc · 20 Nov 2026" in text
    assert "Operating GBP (GBP)" in text
    assert "463 IT Software · INPUT2" in text
    assert "2 receipts" in text
    assert "<@U0ANA>" in text
    assert "*Pending*" in text and "*Missing receipt*" in text


def test_row_text_for_employees_has_no_mention() -> None:
    view = home_view(make_view(access="employee", rows=[make_row()], total=1))
    [section] = row_blocks(view)
    assert "<@" not in section["text"]["text"]
    assert "Not coded" in section["text"]["text"] and "No receipt yet" in section["text"]["text"]


def test_row_shows_no_receipt_reason_and_sync_error() -> None:
    row = make_row(labels=["Sync error"], state="sync_error", no_receipt_reason="lost", sync_error=NASTY + "!" * 500)
    view = home_view(make_view(filter=HomeFilter(tab="errors"), rows=[row], total=1))
    valid(view)
    [section] = row_blocks(view)
    text = section["text"]["text"]
    assert "No receipt: lost" in text
    assert "*Sync error*: &lt;!channel&gt;" in text
    assert text.count("Sync error") == 1
    assert "…" in text and len(text) <= 600


def test_payees_and_account_names_are_escaped() -> None:
    row = make_row(payee=NASTY, source_account_name=NASTY, spender_user_id=None, spender_email=NASTY)
    accounts = [SourceAccountOption(1, NASTY, "GBP")]
    view = home_view(make_view(rows=[row], total=1, source_accounts=accounts))
    valid(view)
    [section] = row_blocks(view)
    text = section["text"]["text"]
    assert "<" not in text and ">" not in text
    assert "*x*" not in text and "_y_" not in text and "`w`" not in text
    assert "&lt;!channel&gt;" in text


def test_rows_keep_their_order_and_stop_at_a_page() -> None:
    rows = [make_row(payment_id=i, version=1) for i in (30, 5, 22, *range(100, 130))]
    view = home_view(make_view(rows=rows, total=len(rows)))
    found = [row_payment(b["accessory"]["options"][0]["value"]) for b in row_blocks(view)]
    assert found == [30, 5, 22, *range(100, 117)]
    assert len(found) == PAGE_SIZE


@pytest.mark.parametrize(
    ("state", "can_approve", "actions"),
    [
        ("pending", True, ["open", "approve", "edit", "exclude"]),
        ("pending", False, ["open", "edit", "exclude"]),
        ("sync_error", True, ["open", "retry", "edit", "log", "exclude"]),
        ("sync_error", False, ["open", "edit", "log", "exclude"]),
        ("updated", True, ["open", "resync", "edit", "log"]),
        ("synced", True, ["open", "edit", "log"]),
        ("approved", True, ["open", "log"]),
        ("syncing", True, ["open", "log"]),
        ("excluded", True, ["open", "log"]),
    ],
)
@pytest.mark.parametrize("access", ["finance", "admin"])
def test_overflow_for_finance(access: str, state: str, can_approve: bool, actions: list[str]) -> None:
    card = make_card(payment_id=987654, version=42, state=state, can_approve=can_approve)
    options = overflow(card, access)
    assert [PaymentRef.from_row_option(value) for _, value in options] == [(a, PaymentRef(987654, 42)) for a in actions]
    assert {words for words, _ in options} <= FIXED_WORDS
    assert 2 <= len(options) <= 5
    words = dict((PaymentRef.from_row_option(v)[0], w) for w, v in options)
    expected_words = {
        "open": "Open",
        "approve": "Approve & sync",
        "retry": "Retry",
        "resync": "Re-sync",
        "edit": "Edit",
        "log": "View sync log",
        "exclude": "Exclude",
    }
    assert all(expected_words[action] == word for action, word in words.items())


@pytest.mark.parametrize(
    ("changes", "actions"),
    [
        ({}, ["open", "edit", "no_receipt", "attach_help"]),
        ({"receipts": 1}, ["open", "edit", "attach_help"]),
        ({"no_receipt_reason": "lost"}, ["open", "edit", "attach_help"]),
        ({"state": "synced"}, ["open", "edit", "no_receipt", "attach_help"]),
        ({"state": "excluded", "receipts": 1}, ["open", "attach_help"]),
    ],
)
def test_overflow_for_employees(changes: dict[str, Any], actions: list[str]) -> None:
    options = overflow(make_card(**changes), "employee")
    assert [PaymentRef.from_row_option(value) for _, value in options] == [(a, PaymentRef(12, 3)) for a in actions]
    assert {words for words, _ in options} <= EMPLOYEE_WORDS
    assert 2 <= len(options) <= 5


@pytest.mark.parametrize("state", list(PaymentState))
@pytest.mark.parametrize("can_approve", [True, False])
def test_a_rows_menu_offers_nothing_the_lifecycle_refuses(state: PaymentState, can_approve: bool) -> None:
    card = make_card(state=state.value, can_approve=can_approve)
    finance = {PaymentRef.from_row_option(value)[0] for _, value in overflow(card, "finance")}
    employee = {PaymentRef.from_row_option(value)[0] for _, value in overflow(card, "employee")}
    assert ("exclude" in finance) == (state in EXCLUDABLE)
    assert ("edit" in finance) == ("edit" in employee) == (state in CODABLE)
    assert bool(finance & {"approve", "retry", "resync"}) == (state in APPROVABLE and can_approve)
    assert not employee & {"approve", "retry", "resync", "exclude"}


def test_overflow_values_fit_slack() -> None:
    card = make_card(payment_id=10**17, version=10**17)
    for access in ROLES:
        for words, value in overflow(card, access):
            assert len(value) <= 150 and len(words) <= 75


# ---------------------------------------------------------------- empty states, totals, pagination


@pytest.mark.parametrize(
    ("tab", "hint"),
    [
        ("pending", "New payments appear here as they arrive."),
        ("synced", "Synced payments appear here."),
        ("errors", "No sync errors. 🎉"),
    ],
)
@pytest.mark.parametrize("access", ROLES)
def test_empty_states(access: str, tab: str, hint: str) -> None:
    view = home_view(make_view(access=access, filter=HomeFilter(tab=tab), rows=[], total=0, ready=0, totals={}))
    valid(view)
    texts = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert f"Nothing here.\n{hint}" in texts
    assert block(view, Ids.HOME_PAGES) is None
    assert "Page " not in all_text(view) and "Total:" not in all_text(view)
    assert block(view, f"{Ids.HOME_SELECT_BLOCK}_0") is None


def test_empty_state_with_filters_suggests_clearing_them() -> None:
    view = home_view(make_view(filter=HomeFilter(spender="U0ANA"), rows=[], total=0))
    assert "Try clearing the filters." in all_text(view)


def test_totals_per_currency() -> None:
    view = home_view(make_view(totals={"SGD": Decimal("99"), "GBP": Decimal("1234")}))
    contexts = [b["elements"][0]["text"] for b in view["blocks"] if b["type"] == "context"]
    assert "Total: GBP 1,234.00 · SGD 99.00" in contexts


@pytest.mark.parametrize(
    ("page", "total", "line", "buttons"),
    [
        (1, 3, "Page 1 of 1 · 3 payments", []),
        (1, 1, "Page 1 of 1 · 1 payment", []),
        (1, 340, "Page 1 of 17 · 340 payments", [(Ids.HOME_PAGE_NEXT, "Next", "2")]),
        (
            2,
            340,
            "Page 2 of 17 · 340 payments",
            [(Ids.HOME_PAGE_PREV, "Previous", "1"), (Ids.HOME_PAGE_NEXT, "Next", "3")],
        ),
        (17, 340, "Page 17 of 17 · 340 payments", [(Ids.HOME_PAGE_PREV, "Previous", "16")]),
        (40, 340, "Page 17 of 17 · 340 payments", [(Ids.HOME_PAGE_PREV, "Previous", "17")]),
    ],
)
def test_pagination(page: int, total: int, line: str, buttons: list[tuple[str, str, str]]) -> None:
    view = home_view(make_view(filter=HomeFilter(page=page), total=total))
    valid(view)
    contexts = [b["elements"][0]["text"] for b in view["blocks"] if b["type"] == "context"]
    assert line in contexts
    found = [(b["action_id"], b["text"]["text"], b["value"]) for b in elements(view, Ids.HOME_PAGES)]
    assert found == buttons
    if not buttons:
        assert block(view, Ids.HOME_PAGES) is None


# ---------------------------------------------------------------- limits and metadata


@pytest.mark.parametrize("access", ROLES)
@pytest.mark.parametrize("tab", ["pending", "synced", "errors"])
def test_worst_case_stays_within_slack_limits(access: str, tab: str) -> None:
    huge = "W" * 2990 + NASTY
    rows = [
        HomeRow(
            make_card(
                payment_id=10**17 + i,
                version=10**17,
                payee=huge,
                description=huge,
                source_account_name=huge,
                sync_error=huge,
                state="pending" if i % 3 else "sync_error",
                account=AccountChoice("9" * 50, huge),
                tax_rate=TaxChoice(huge, huge),
                no_receipt_reason=huge,
            ),
            labels=[huge, "Updated", "Missing receipt", "Sync error", huge + "2", "More", "Again"],
        )
        for i in range(40)
    ]
    accounts = [SourceAccountOption(i, huge, "GBP") for i in range(100)]
    view = home_view(
        make_view(
            access=access,
            filter=HomeFilter(tab=tab, source_account_id=5, date_from=date(2026, 1, 1), spender="U0ANA", page=3),
            rows=rows,
            total=10**9,
            ready=10**9,
            source_accounts=accounts,
            bulk=BulkProgress(1, 10**9, 10**8, 10**7, 10**6, True),
            tenant_name=huge,
            totals={huge[:3] + str(i): Decimal("1e20") for i in range(100)},
        )
    )
    valid(view)
    assert len(view["blocks"]) <= 100
    assert len(view["private_metadata"]) <= 3000
    assert len(row_blocks(view)) == PAGE_SIZE
    for b in view["blocks"]:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 600 or not b.get("accessory")
            assert len(b["text"]["text"]) <= 3000
        if b["type"] == "actions":
            assert len(b["elements"]) <= 25
            for element in b["elements"]:
                if element["type"] == "checkboxes":
                    assert len(element["options"]) <= 10
                    assert all(len(o["text"]["text"]) <= 75 for o in element["options"])
                if element["type"] == "static_select":
                    assert len(element["options"]) <= 100
        if b["type"] == "context":
            assert len(b["elements"]) <= 10 and all(len(e["text"]) <= 3000 for e in b["elements"])
        if b.get("accessory", {}).get("type") == "overflow":
            options = b["accessory"]["options"]
            assert 2 <= len(options) <= 5 and all(len(o["value"]) <= 150 for o in options)


def test_every_action_and_block_id_is_from_the_enum() -> None:
    rows = [make_row(payment_id=i, version=1) for i in range(1, 21)]
    views = [
        home_view(make_view(access="admin", rows=rows, total=100, filter=HomeFilter(page=2, spender="U0ANA"))),
        home_view(make_view(access="admin", filter=HomeFilter(tab="settings"))),
        home_view(make_view(access="admin", filter=HomeFilter(tab="settings"), connection_state="never")),
    ]
    known = {str(member) for member in Ids}
    prefixed = {f"{Ids.HOME_SELECT}_0", f"{Ids.HOME_SELECT}_1", f"{Ids.HOME_SELECT_BLOCK}_0"}
    prefixed.add(f"{Ids.HOME_SELECT_BLOCK}_1")
    seen: set[str] = set()
    for view in views:
        for b in view["blocks"]:
            if "block_id" in b:
                seen.add(b["block_id"])
            for element in [*b.get("elements", []), b.get("accessory", {})]:
                if "action_id" in element:
                    seen.add(element["action_id"])
    assert seen <= known | prefixed
    assert prefixed <= seen


@pytest.mark.parametrize(
    "home_filter",
    [
        HomeFilter(),
        HomeFilter(tab="errors", source_account_id=7, date_from=date(2026, 1, 2), date_to=date(2026, 3, 4), page=9),
        HomeFilter(tab="settings", spender="U0ANA"),
    ],
)
def test_private_metadata_round_trips(home_filter: HomeFilter) -> None:
    view = home_view(make_view(access="admin", filter=home_filter))
    assert HomeFilter.from_json(view["private_metadata"]) == home_filter


def test_oversized_spender_is_dropped_from_private_metadata() -> None:
    view = home_view(make_view(filter=HomeFilter(spender="U" * 5000, page=4)))
    valid(view)
    assert HomeFilter.from_json(view["private_metadata"]) == HomeFilter(page=4)


# ---------------------------------------------------------------- the payment modal


@pytest.mark.parametrize("state", ["pending", "synced", "sync_error", "updated", "excluded", "approved"])
def test_payment_modal_shows_the_payment_message(state: str) -> None:
    card = make_card(state=state, payee=NASTY, description="D" * 5000)
    choices = CodingChoices(accounts=[SOFTWARE], tax_rates=[INPUT2])
    modal = payment_modal(card, choices)
    checked = valid(modal)
    assert modal["type"] == "modal" and modal["callback_id"] == str(Ids.PAYMENT_MODAL) == "payment_modal"
    assert modal["title"]["text"] == "Payment" and modal["close"]["text"] == "Close"
    assert "submit" not in modal and "submit" not in checked
    assert json.loads(modal["private_metadata"]) == {"payment_id": 12, "version": 3}
    assert modal["blocks"] == payment_message(card, choices)[1]


def test_a_refusal_notice_sits_under_the_header_and_takes_no_mention_or_link() -> None:
    full_page = make_view(rows=[make_row() for _ in range(PAGE_SIZE)], total=100, counts={"pending": 100})
    view = valid(home_view(full_page, notice="Map <!channel> <https://evil.example|Operating> first & retry."))
    notice = view["blocks"][1]
    assert notice["block_id"] == "refusal_notice"
    assert notice["text"]["text"] == (
        ":warning: Map &lt;!channel&gt; &lt;https://evil.example|Operating&gt; first &amp; retry."
    )
    assert block(valid(home_view(full_page)), "refusal_notice") is None
