"""The card's line about Xero's side, and the question before a Re-sync: Xero's words (a contact's name) appear
literally, and Slack's limits hold however long the list of differences."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.home.view import HomeFilter
from handlers.home_blocks import home_view
from handlers.payment_card import button_actions, payment_message
from handlers.xero_status_lines import CONFIRM_TEXT_MAX
from tests.handlers.test_home_blocks import elements, make_view, valid
from tests.handlers.test_payment_blocks import buttons_block, make_card, make_choices

NAMED = ("contact", "Figma Inc", "<!channel> *Figma* <https://evil.example|Figma>")


def texts(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(e.get("text", "") for b in blocks if b["type"] == "context" for e in b["elements"])


def test_a_change_in_xero_is_shown_escaped_and_its_resync_asks_first_within_slacks_limits() -> None:
    changes = (("amount", "123.45", "130.00"), NAMED, *(("account", "463", f"4{n:02}") for n in range(40)))
    card = make_card(state="synced", xero_status="changed", xero_changes=changes, can_approve=True)
    _, blocks = payment_message(card, make_choices())

    line = next(t for t in texts(blocks).splitlines() if "Changed in Xero" in t)
    assert "amount 123.45 → 130.00" in line and "&lt;!channel&gt;" in line and "<!channel>" not in line
    [resync] = [e for e in buttons_block(blocks)["elements"] if e["action_id"] == "payment_resync"]
    confirm = resync["confirm"]
    assert confirm["text"]["type"] == "plain_text" and len(confirm["text"]["text"]) <= CONFIRM_TEXT_MAX
    assert confirm["text"]["text"].startswith("Changed in Xero: amount 123.45 → 130.00, contact Figma Inc → <!channel>")
    assert confirm["text"]["text"].endswith("Re-sync will overwrite these changes.")


def test_a_reconciled_payment_offers_nothing_that_would_change_it() -> None:
    card = make_card(state="synced", xero_status="reconciled", xero_reconciled_on=date(2026, 11, 28), can_approve=True)
    _, blocks = payment_message(card, make_choices())

    assert "Reconciled in Xero* on 28 Nov 2026" in texts(blocks)
    assert [words for words, _ in button_actions(card)] == ["View sync log"]
    assert not any(b.get("block_id", "").startswith("payment_coding:") for b in blocks)


def test_a_deleted_transaction_leaves_a_pending_payment_to_approve_again() -> None:
    card = make_card(state="pending", xero_status="deleted", account=None, can_approve=True)
    _, blocks = payment_message(card, make_choices())

    assert "Deleted in Xero" in texts(blocks)
    assert "Approve & sync" in [words for words, _ in button_actions(card)]


def test_the_synced_tab_offers_finance_the_reconciliation_filter_and_keeps_the_choice() -> None:
    chosen = HomeFilter(tab="synced", reconciliation="waiting")
    view = valid(home_view(make_view(filter=chosen)))
    [select] = [e for e in elements(view, "home_filters") if e["action_id"] == "home_filter_reconciled"]
    assert [o["text"]["text"] for o in select["options"]] == [
        "All synced",
        "Reconciled in Xero",
        "Not reconciled after 7 days (this month)",
    ]
    assert select["initial_option"]["value"] == "waiting"
    assert HomeFilter.from_json(view["private_metadata"]).reconciliation == "waiting"
    for access, tab in (("employee", "synced"), ("finance", "pending")):
        shown = home_view(make_view(access=access, filter=HomeFilter(tab=tab)))
        assert "home_filter_reconciled" not in [e["action_id"] for e in elements(shown, "home_filters")]
