"""The payment card, its modals and options, tested as data: ids, values, fixed words, escaping and Slack's limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.payments.cards import (
    AccountChoice,
    CodingChoices,
    PaymentCard,
    TaxChoice,
    TrackingChoice,
    TrackingOptionChoice,
)
from bot.payments.lifecycle import APPROVABLE, CODABLE, EXCLUDABLE, PaymentState
from bot.payments.money import money_text
from handlers.ids import Ids
from handlers.payment_card import button_actions, payment_message
from handlers.payment_modals import edit_modal, exclude_modal
from handlers.payment_notes import burst_summary, category_offer
from handlers.payment_options import AccountSearches, account_options, contact_options

NASTY = "<!channel> *x* <@U123> & _y_ ~z~ `w` <https://evil.example|click>"
ALL_STATES = ["pending", "approved", "syncing", "synced", "sync_error", "updated", "excluded"]

GENERAL = AccountChoice("429", "General Expenses", "INPUT")
SOFTWARE = AccountChoice("485", "Subscriptions", "INPUT")
GST = TaxChoice("INPUT", "GST on Expenses", Decimal("9.0000"))
NO_GST = TaxChoice("NONE", "No GST", Decimal("0"))
REGION = TrackingChoice(
    "cat-region", "Region", [TrackingOptionChoice("opt-north", "North"), TrackingOptionChoice("opt-south", "South")]
)
TEAM = TrackingChoice("cat-team", "Team", [TrackingOptionChoice("opt-eng", "Engineering")])


def make_card(**changes: Any) -> PaymentCard:
    card = PaymentCard(
        payment_id=12,
        version=3,
        state="pending",
        amount=Decimal("123.45"),
        currency="SGD",
        date=date(2026, 11, 20),
        payee="Figma Inc",
        source_account_name="Operating SGD",
        source_account_currency="SGD",
        description="Design seats",
        reference="INV-2291",
        category="Software",
        spender_user_id="U0SPENDER",
        spender_email="ana@example.com",
    )
    return replace(card, **changes)


def make_choices(accounts: int | None = None, **changes: Any) -> CodingChoices:
    listed = (
        [GENERAL, SOFTWARE] if accounts is None else [AccountChoice(f"{n}", f"Account {n}") for n in range(accounts)]
    )
    choices = CodingChoices(accounts=listed, tax_rates=[GST, NO_GST], tracking=[REGION, TEAM])
    return replace(choices, **changes)


# ---------------------------------------------------------------- generic checks of Slack's limits


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def check_limits(blocks: list[dict[str, Any]], *, max_blocks: int = 50) -> None:
    """Our own reading of Slack's limits, then the SDK's validators on every block."""
    assert 0 < len(blocks) <= max_blocks
    for block in blocks:
        if block["type"] == "section":
            if "text" in block:
                assert len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
            for item in block.get("fields", []):
                assert len(item["text"]) <= 2000
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
        if "block_id" in block:
            assert len(block["block_id"]) <= 255
    for node in walk(blocks):
        if "action_id" in node:
            assert len(node["action_id"]) <= 255
        if node.get("type") == "button":
            assert len(node["text"]["text"]) <= 75
            assert len(node.get("value", "")) <= 2000
        if node.get("type") in ("static_select", "radio_buttons"):
            assert 0 < len(node["options"]) <= 100
            if "initial_option" in node:
                assert node["initial_option"] in node["options"]
        if "options" in node:
            for option in node["options"]:
                assert len(option["text"]["text"]) <= 75
                assert len(option["value"]) <= 150
        if "initial_option" in node:
            assert len(node["initial_option"]["text"]["text"]) <= 75
            assert len(node["initial_option"]["value"]) <= 150
        if node.get("type") == "plain_text_input" and "initial_value" in node:
            assert len(node["initial_value"]) <= min(3000, node.get("max_length", 3000))
        if "placeholder" in node:
            assert len(node["placeholder"]["text"]) <= 150
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.to_dict()  # runs slack_sdk's validators


def check_view(view: dict[str, Any]) -> None:
    check_limits(view["blocks"], max_blocks=100)
    for key in ("title", "submit", "close"):
        assert len(view[key]["text"]) <= 24
    assert len(view["private_metadata"]) <= 3000
    assert len(view["callback_id"]) <= 255
    View(**view).to_dict()


def all_text(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(node["text"] for node in walk(blocks) if isinstance(node.get("text"), str))


def block_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [block.get("block_id", "") for block in blocks]


def coding_block(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return next(b for b in blocks if b.get("block_id", "").startswith("payment_coding:"))


def buttons_block(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return next(b for b in blocks if b.get("block_id", "").startswith("payment_buttons:"))


def element(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    return next(e for e in coding_block(blocks)["elements"] if e["action_id"] == action_id)


def button_words(blocks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found = [b for b in blocks if b.get("block_id", "").startswith("payment_buttons:")]
    if not found:
        return []
    return [(e["text"]["text"], e["action_id"]) for e in found[0]["elements"]]


# ---------------------------------------------------------------- the payment message


def test_pending_message_shape_ids_and_values() -> None:
    text, blocks = payment_message(make_card(can_approve=True), make_choices())

    assert text == "Payment: SGD 123.45 to Figma Inc on 20 Nov 2026"
    assert [b["type"] for b in blocks] == ["section", "section", "context", "context", "actions", "actions"]
    headline = blocks[0]
    assert "*SGD 123.45* to Figma Inc" in headline["text"]["text"]
    assert "Pending" in headline["text"]["text"]
    fields = [f["text"] for f in headline["fields"]]
    assert fields[:5] == [
        "*Date*\n20 Nov 2026",
        "*From*\nOperating SGD (SGD)",
        "*Spender*\n<@U0SPENDER>",
        "*Reference*\nINV-2291",
        "*Category*\nSoftware",
    ]
    assert blocks[1]["text"]["text"] == "Design seats"
    assert "Pending" in blocks[2]["elements"][0]["text"]
    assert blocks[3]["elements"][0]["text"] == "No receipt yet"

    coding = blocks[4]
    assert coding["block_id"] == "payment_coding:12:3"
    assert [e["action_id"] for e in coding["elements"]] == [
        "payment_account",
        "payment_tax",
        "payment_tracking_0",
        "payment_tracking_1",
    ]
    buttons = blocks[5]
    assert buttons["block_id"] == "payment_buttons:12:3"
    assert [(e["text"]["text"], e["action_id"], e["value"]) for e in buttons["elements"]] == [
        ("Approve & sync", "payment_approve", "12:3"),
        ("Edit", "payment_edit", "12:3"),
        ("Exclude", "payment_exclude", "12:3"),
    ]
    assert buttons["elements"][0]["style"] == "primary"
    check_limits(blocks)


def test_selects_options_placeholders_and_initial_options() -> None:
    card = make_card(account=SOFTWARE, tax_rate=GST, tracking={"cat-region": "opt-south"})
    _, blocks = payment_message(card, make_choices())

    account = element(blocks, "payment_account")
    assert account["type"] == "static_select"
    assert account["placeholder"]["text"] == "Xero account"
    assert [(o["text"]["text"], o["value"]) for o in account["options"]] == [
        ("429 General Expenses", "429"),
        ("485 Subscriptions", "485"),
    ]
    assert account["initial_option"]["value"] == "485"

    tax = element(blocks, "payment_tax")
    assert tax["placeholder"]["text"] == "Tax rate"
    assert [(o["text"]["text"], o["value"]) for o in tax["options"]] == [
        ("GST on Expenses (9%)", "INPUT"),
        ("No GST (0%)", "NONE"),
    ]
    assert tax["initial_option"]["value"] == "INPUT"

    region = element(blocks, "payment_tracking_0")
    assert region["placeholder"]["text"] == "Region"
    assert [(o["text"]["text"], o["value"]) for o in region["options"]] == [
        ("No Region", "cat-region:"),
        ("North", "cat-region:opt-north"),
        ("South", "cat-region:opt-south"),
    ]
    assert region["initial_option"]["value"] == "cat-region:opt-south"
    team = element(blocks, "payment_tracking_1")
    assert team["placeholder"]["text"] == "Team"
    assert "initial_option" not in team
    check_limits(blocks)


def test_initial_option_dropped_when_not_among_the_options() -> None:
    card = make_card(
        account=AccountChoice("999", "Archived"),
        tax_rate=TaxChoice("GONE", "Old rate"),
        tracking={"cat-region": "opt-deleted"},
    )
    _, blocks = payment_message(card, make_choices())
    for action_id in ("payment_account", "payment_tax", "payment_tracking_0"):
        assert "initial_option" not in element(blocks, action_id)
    check_limits(blocks)


def test_tax_rate_not_repeated_when_the_name_has_it() -> None:
    rate = TaxChoice("INPUT2", "20% (VAT on Expenses)", Decimal("20"))
    _, blocks = payment_message(make_card(), make_choices(tax_rates=[rate]))
    assert element(blocks, "payment_tax")["options"][0]["text"]["text"] == "20% (VAT on Expenses)"


@pytest.mark.parametrize(("count", "kind"), [(100, "static_select"), (101, "external_select")])
def test_account_select_switches_to_search_above_100(count: int, kind: str) -> None:
    card = make_card(account=AccountChoice("7", "Account 7"))
    _, blocks = payment_message(card, make_choices(accounts=count))
    account = element(blocks, "payment_account")
    assert account["type"] == kind
    assert account["initial_option"] == {"text": {"type": "plain_text", "text": "7 Account 7"}, "value": "7"}
    if kind == "external_select":
        assert account["min_query_length"] == 0
        assert "options" not in account
    else:
        assert len(account["options"]) == 100
    check_limits(blocks)


def test_tax_and_tracking_selects_hold_at_most_100_options_and_keep_the_chosen_one() -> None:
    rates = [TaxChoice(f"T{n}", f"Rate {n}") for n in range(150)]
    options = [TrackingOptionChoice(f"o{n}", f"Option {n}") for n in range(150)]
    tracking = [TrackingChoice("c", "Big", options)]
    card = make_card(tax_rate=rates[140], tracking={"c": "o140"})
    _, blocks = payment_message(card, make_choices(tax_rates=rates, tracking=tracking))
    tax = element(blocks, "payment_tax")
    assert len(tax["options"]) == 100
    assert tax["initial_option"]["value"] == "T140"
    big = element(blocks, "payment_tracking_0")
    assert len(big["options"]) == 100
    assert big["options"][0]["value"] == "c:"
    assert big["initial_option"]["value"] == "c:o140"
    check_limits(blocks)


def test_no_xero_connection_shows_a_hint_instead_of_selects() -> None:
    _, blocks = payment_message(make_card(), CodingChoices())
    assert not [b for b in blocks if b.get("block_id", "").startswith("payment_coding:")]
    assert "Connect Xero to code this payment (/xero connect)" in all_text(blocks)
    check_limits(blocks)


def test_no_tax_rates_or_tracking_leaves_just_the_account_select() -> None:
    _, blocks = payment_message(make_card(), CodingChoices(accounts=[GENERAL]))
    assert [e["action_id"] for e in coding_block(blocks)["elements"]] == ["payment_account"]
    check_limits(blocks)


@pytest.mark.parametrize(
    ("state", "can_approve", "expected"),
    [
        (
            "pending",
            True,
            [("Approve & sync", "payment_approve"), ("Edit", "payment_edit"), ("Exclude", "payment_exclude")],
        ),
        ("pending", False, [("Edit", "payment_edit"), ("Exclude", "payment_exclude")]),
        (
            "sync_error",
            True,
            [
                ("Retry", "payment_retry"),
                ("Edit", "payment_edit"),
                ("Exclude", "payment_exclude"),
                ("View sync log", "payment_sync_log"),
            ],
        ),
        (
            "sync_error",
            False,
            [("Edit", "payment_edit"), ("Exclude", "payment_exclude"), ("View sync log", "payment_sync_log")],
        ),
        (
            "updated",
            True,
            [("Re-sync", "payment_resync"), ("Edit", "payment_edit"), ("View sync log", "payment_sync_log")],
        ),
        ("synced", True, [("Edit", "payment_edit"), ("View sync log", "payment_sync_log")]),
        ("excluded", True, [("Undo", "payment_undo_exclude")]),
        ("approved", True, []),
        ("syncing", True, []),
    ],
)
def test_buttons_per_state(state: str, can_approve: bool, expected: list[tuple[str, str]]) -> None:
    _, blocks = payment_message(make_card(state=state, can_approve=can_approve), make_choices())
    assert button_words(blocks) == expected
    if expected:
        assert all(e["value"] == "12:3" for e in buttons_block(blocks)["elements"])
    check_limits(blocks)


@pytest.mark.parametrize("state", list(PaymentState))
@pytest.mark.parametrize("can_approve", [True, False])
def test_the_card_offers_exactly_what_the_lifecycle_allows(state: PaymentState, can_approve: bool) -> None:
    offered = {action_id for _, action_id in button_actions(make_card(state=state.value, can_approve=can_approve))}
    assert (Ids.PAYMENT_EXCLUDE in offered) == (state in EXCLUDABLE)
    assert (Ids.PAYMENT_EDIT in offered) == (state in CODABLE)
    assert (Ids.PAYMENT_UNDO_EXCLUDE in offered) == (state is PaymentState.EXCLUDED)
    approving = offered & {Ids.PAYMENT_APPROVE, Ids.PAYMENT_RETRY, Ids.PAYMENT_RESYNC}
    assert bool(approving) == (state in APPROVABLE and can_approve)


@pytest.mark.parametrize(
    ("state", "label"),
    [
        ("pending", "Pending"),
        ("approved", "Approved"),
        ("syncing", "Syncing"),
        ("synced", "Synced"),
        ("sync_error", "Sync error"),
        ("updated", "Updated"),
        ("excluded", "Excluded"),
    ],
)
def test_state_labels(state: str, label: str) -> None:
    _, blocks = payment_message(make_card(state=state), make_choices())
    assert label in blocks[0]["text"]["text"]
    assert blocks[2]["elements"][0]["text"].startswith(f"*{label}*")


@pytest.mark.parametrize("state", ["pending", "sync_error", "updated"])
def test_editable_states_show_selects(state: str) -> None:
    _, blocks = payment_message(make_card(state=state), make_choices())
    assert coding_block(blocks)["block_id"] == "payment_coding:12:3"


def test_a_synced_payment_can_still_be_recoded() -> None:
    card = make_card(state="synced", account=GENERAL, tax_rate=GST)
    _, blocks = payment_message(card, make_choices())
    [coding] = [b for b in blocks if b.get("block_id", "").startswith("payment_coding:")]
    assert coding["elements"][0]["initial_option"]["value"] == "429"


@pytest.mark.parametrize("state", ["approved", "syncing"])
def test_locked_states_show_the_coding_as_text(state: str) -> None:
    card = make_card(state=state, account=GENERAL, tax_rate=GST, tracking={"cat-team": "opt-eng"})
    _, blocks = payment_message(card, make_choices())
    assert not [b for b in blocks if b.get("block_id", "").startswith("payment_coding:")]
    assert "*Xero account:* 429 General Expenses  ·  *Tax:* GST on Expenses  ·  *Team:* Engineering" in all_text(blocks)


def test_excluded_shows_reason_and_who_and_no_coding() -> None:
    card = make_card(state="excluded", exclusion_reason="personal", excluded_by_user_id="U0FINANCE")
    _, blocks = payment_message(card, make_choices())
    line = blocks[2]["elements"][0]["text"]
    assert line.startswith("*Excluded*: personal expense (by <@U0FINANCE>)")
    assert "Xero account" not in all_text(blocks)
    assert not [b for b in blocks if b.get("block_id", "").startswith("payment_coding:")]


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("duplicate", "Excluded*: duplicate"),
        ("transfer", "transfer between own accounts"),
        ("other", "Excluded*: other"),
    ],
)
def test_exclusion_reasons_in_words(reason: str, words: str) -> None:
    _, blocks = payment_message(make_card(state="excluded", exclusion_reason=reason), make_choices())
    assert words in blocks[2]["elements"][0]["text"]


def test_sync_error_shows_xeros_message_escaped() -> None:
    card = make_card(state="sync_error", sync_error="Account code '999' is not a valid code <b>")
    _, blocks = payment_message(card, make_choices())
    assert blocks[2]["elements"][0]["text"] == "*Sync error*: Account code '999' is not a valid code &lt;b&gt;"


def test_synced_links_to_xero() -> None:
    url = "https://go.xero.com/Bank/ViewTransaction.aspx?bankTransactionID=abc&x=1"
    _, blocks = payment_message(make_card(state="synced", xero_url=url), make_choices())
    line = blocks[2]["elements"][0]["text"]
    assert "<https://go.xero.com/Bank/ViewTransaction.aspx?bankTransactionID=abc&amp;x=1|View in Xero>" in line
    _, blocks = payment_message(make_card(state="synced", xero_url="javascript:alert(1)"), make_choices())
    assert "View in Xero" not in all_text(blocks)


@pytest.mark.parametrize(
    ("receipts", "reason", "words"),
    [
        (0, None, "No receipt yet"),
        (1, None, "1 receipt"),
        (2, None, "2 receipts"),
        (0, "lost", "No receipt: lost"),
        (0, "never_issued", "No receipt: never issued"),
        (0, "other", "No receipt: other"),
    ],
)
def test_receipt_status(receipts: int, reason: str | None, words: str) -> None:
    _, blocks = payment_message(make_card(receipts=receipts, no_receipt_reason=reason), make_choices())
    assert blocks[3] == {"type": "context", "elements": [{"type": "mrkdwn", "text": words}]}


@pytest.mark.parametrize(
    ("changes", "spender"),
    [
        ({}, "<@U0SPENDER>"),
        ({"spender_user_id": None}, "ana@example.com"),
        ({"spender_user_id": None, "spender_email": "<!here>@x.com"}, "&lt;!here&gt;@x.com"),
        ({"spender_user_id": None, "spender_email": None}, "Unknown"),
    ],
)
def test_spender(changes: dict[str, Any], spender: str) -> None:
    _, blocks = payment_message(make_card(**changes), make_choices())
    assert f"*Spender*\n{spender}" in [f["text"] for f in blocks[0]["fields"]]


def test_empty_fields_and_description_are_skipped() -> None:
    card = make_card(description=None, reference=None, category=None)
    _, blocks = payment_message(card, make_choices())
    assert [f["text"].split("\n")[0] for f in blocks[0]["fields"]] == ["*Date*", "*From*", "*Spender*"]
    assert [b["type"] for b in blocks] == ["section", "context", "context", "actions", "actions"]


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("1234.5"), "SGD", "SGD 1,234.50"),
        (Decimal("12345.60"), "USD", "USD 12,345.60"),
        (Decimal("1500"), "JPY", "JPY 1,500"),
        (Decimal("1.5"), "KWD", "KWD 1.500"),
        (Decimal("1.005"), "USD", "USD 1.005"),
    ],
)
def test_money_uses_minor_units(amount: Decimal, currency: str, shown: str) -> None:
    assert money_text(amount, currency) == shown


def test_outside_text_is_literal_everywhere() -> None:
    card = make_card(
        payee=NASTY,
        description=NASTY,
        reference=NASTY,
        category=NASTY,
        source_account_name=NASTY,
        contact_name=NASTY,
        spender_user_id="<!channel>",
        spender_email=NASTY,
        state="sync_error",
        sync_error=NASTY,
        account=AccountChoice("1", NASTY),
    )
    accounts = [AccountChoice("1", NASTY)]
    tracking = [TrackingChoice("c", NASTY, [TrackingOptionChoice("o", NASTY)])]
    text, blocks = payment_message(card, CodingChoices(accounts=accounts, tracking=tracking))

    mrkdwn = [text] + [n["text"] for n in walk(blocks) if n.get("type") == "mrkdwn"]
    for item in mrkdwn:
        assert "<!channel>" not in item
        assert "<@U123>" not in item
        assert "<https://evil" not in item
        assert "*x*" not in item
        assert "_y_" not in item
    assert "&lt;!channel&gt;" in text
    assert "&amp;" in text
    # plain_text keeps the words exactly as written
    plain = [n["text"] for n in walk(blocks) if n.get("type") == "plain_text"]
    assert f"1 {NASTY}" in plain
    assert NASTY in plain
    check_limits(blocks)


def test_escaping_in_the_offer_modals_and_summary() -> None:
    _, blocks = category_offer(12, 3, NASTY, AccountChoice("429", NASTY))
    assert "<!channel>" not in blocks[0]["text"]["text"]
    _, blocks = burst_summary(2, {"<!channel>": Decimal("1")})
    assert "<!channel>" not in blocks[0]["text"]["text"]
    for view in (edit_modal(make_card(payee=NASTY), employee=False), exclude_modal(make_card(payee=NASTY))):
        assert "<!channel>" not in view["blocks"][0]["text"]["text"]
        assert "&lt;!channel&gt;" in view["blocks"][0]["text"]["text"]


def test_long_description_is_shortened_with_a_note() -> None:
    for description in ("d" * 3000, "<" * 3000, "d" * 10_000):
        _, blocks = payment_message(make_card(description=description), make_choices())
        shown = blocks[1]["text"]["text"]
        assert len(shown) <= 3000
        if len(description) > 3000 or "<" in description:
            assert shown.endswith("(shortened; full text in Edit)_")
            assert "…" in shown
        assert "&l…" not in shown and "&lt…" not in shown
        check_limits(blocks)


def test_3000_plain_characters_fit_without_a_note() -> None:
    _, blocks = payment_message(make_card(description="d" * 3000), make_choices())
    assert blocks[1]["text"]["text"] == "d" * 3000


def test_200_character_names_everywhere_stay_within_limits() -> None:
    long = "N" * 200
    card = make_card(
        payee=long,
        description=long,
        reference=long,
        category=long,
        source_account_name=long,
        contact_name=long,
        spender_user_id=None,
        spender_email=long,
        account=AccountChoice("C" * 10, long),
        tax_rate=TaxChoice("TAX", long, Decimal("20")),
        tracking={"c" * 36: "o" * 36},
        can_approve=True,
    )
    choices = CodingChoices(
        accounts=[AccountChoice("C" * 10, long), *[AccountChoice(f"A{n}", long) for n in range(99)]],
        tax_rates=[TaxChoice("TAX", long, Decimal("20"))],
        tracking=[TrackingChoice("c" * 36, long, [TrackingOptionChoice("o" * 36, long)])] * 3,
    )
    for state in ALL_STATES:
        text, blocks = payment_message(replace(card, state=state), choices)
        assert len(text) < 40_000
        check_limits(blocks)
    _, blocks = payment_message(card, choices)
    assert element(blocks, "payment_tax")["options"][0]["text"]["text"] == long[:74] + "…"
    assert element(blocks, "payment_account")["initial_option"]["text"]["text"] == f"{'C' * 10} {long}"[:74] + "…"

    _, offer = category_offer(12, 3, long, AccountChoice("429", long))
    check_limits(offer)
    check_view(edit_modal(card, employee=False))
    check_view(exclude_modal(card))


def test_overlong_values_are_left_out_rather_than_cut() -> None:
    tracking = [
        TrackingChoice(
            "c" * 100, "Cat", [TrackingOptionChoice("o" * 100, "Too long"), TrackingOptionChoice("ok", "Ok")]
        )
    ]
    accounts = [AccountChoice("X" * 200, "Too long"), GENERAL, AccountChoice("", "No code")]
    _, blocks = payment_message(make_card(), CodingChoices(accounts=accounts, tracking=tracking))
    assert [o["value"] for o in element(blocks, "payment_account")["options"]] == ["429"]
    assert [o["text"]["text"] for o in element(blocks, "payment_tracking_0")["options"]] == ["No Cat", "Ok"]
    check_limits(blocks)


def test_many_tracking_categories_fit_one_actions_block() -> None:
    tracking = [TrackingChoice(f"c{n}", f"Cat {n}", [TrackingOptionChoice("o", "O")]) for n in range(40)]
    _, blocks = payment_message(make_card(), make_choices(tracking=tracking))
    elements = coding_block(blocks)["elements"]
    assert len(elements) == 25
    assert elements[-1]["action_id"] == "payment_tracking_22"
    check_limits(blocks)


def test_every_state_is_valid_block_kit() -> None:
    for state in ALL_STATES:
        for choices in (make_choices(), make_choices(accounts=150), CodingChoices()):
            _, blocks = payment_message(make_card(state=state, can_approve=True, receipts=2), choices)
            check_limits(blocks)


def test_ids_come_from_the_enum() -> None:
    used: set[str] = set()
    _, blocks = payment_message(make_card(can_approve=True), make_choices())
    for state in ALL_STATES:
        _, more = payment_message(make_card(state=state, can_approve=True), make_choices())
        blocks += more
    blocks += category_offer(1, 1, "Software", GENERAL)[1]
    views = [edit_modal(make_card(), employee=False), exclude_modal(make_card())]
    for node in walk([*blocks, *views]):
        for key in ("action_id", "block_id", "callback_id"):
            if key in node:
                used.add(node[key])
    values = {member.value for member in Ids}
    for item in used:
        prefix = item.split(":")[0]
        if prefix.startswith("payment_tracking_"):
            prefix = "payment_tracking"
        assert item == "value" or prefix in values, item


# ---------------------------------------------------------------- category offer and burst summary


def test_category_offer() -> None:
    text, blocks = category_offer(12, 3, "Software", GENERAL)
    assert text == "Use 429 General Expenses for all “Software” payments?"
    assert blocks[0]["text"]["text"] == text
    offer = blocks[1]["elements"][0]
    assert (offer["text"]["text"], offer["action_id"], offer["value"]) == (
        "Use for all Software",
        "use_for_category",
        "12:3",
    )
    check_limits(blocks)


def test_burst_summary() -> None:
    text, blocks = burst_summary(42, {"USD": Decimal("99"), "SGD": Decimal("12345.6")})
    assert text == "42 new payments arrived (SGD 12,345.60, USD 99.00). Code them from the bot's App Home."
    assert blocks == [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    assert burst_summary(1, {"SGD": Decimal("5")})[0].startswith("1 new payment arrived (SGD 5.00).")
    _, many = burst_summary(10_000, {f"C{n:04}": Decimal("1234567.89") for n in range(500)})
    check_limits(many)


# ---------------------------------------------------------------- modals


def test_edit_modal_for_finance() -> None:
    card = make_card(contact_name="Figma, Inc.")
    view = edit_modal(card, employee=False)
    assert view["callback_id"] == "payment_edit_modal"
    assert json.loads(view["private_metadata"]) == {"payment_id": 12, "version": 3}
    assert (view["title"]["text"], view["submit"]["text"], view["close"]["text"]) == ("Edit payment", "Save", "Cancel")
    facts = view["blocks"][0]["text"]["text"]
    assert "*SGD 123.45* to Figma Inc on 20 Nov 2026" in facts
    assert "Amount, currency and date come from the bank and can't be changed." in facts
    assert [b.get("block_id") for b in view["blocks"][1:]] == [
        "edit_description",
        "edit_contact",
        "edit_reference",
        "edit_split",
    ]

    description, contact, reference = view["blocks"][1:4]
    assert description["label"]["text"] == "Description"
    assert description["optional"] is True
    assert description["element"] == {
        "type": "plain_text_input",
        "action_id": "value",
        "max_length": 3000,
        "multiline": True,
        "initial_value": "Design seats",
    }
    assert contact["label"]["text"] == "Xero contact"
    assert contact["optional"] is True
    assert contact["hint"]["text"] == "Search your Xero contacts, or type a new name to create it on sync"
    assert contact["element"]["type"] == "external_select"
    assert contact["element"]["action_id"] == "value"
    assert contact["element"]["min_query_length"] == 1
    assert contact["element"]["initial_option"] == {
        "text": {"type": "plain_text", "text": "Figma, Inc."},
        "value": "name:Figma, Inc.",
    }
    assert reference["label"]["text"] == "Reference"
    assert reference["optional"] is True
    assert reference["element"]["action_id"] == "value"
    assert reference["element"]["max_length"] == 255
    assert reference["element"]["initial_value"] == "INV-2291"
    check_view(view)


def test_edit_modal_for_an_employee_has_only_the_description() -> None:
    view = edit_modal(make_card(), employee=True)
    assert [b.get("block_id") for b in view["blocks"][1:]] == ["edit_description"]
    check_view(view)


def test_edit_modal_without_values_and_with_long_ones() -> None:
    view = edit_modal(make_card(description=None, reference=None, contact_name=None), employee=False)
    for block in view["blocks"][1:-1]:  # the last is Split's button
        assert "initial_value" not in block["element"]
        assert "initial_option" not in block["element"]
    check_view(view)

    long = make_card(description="d" * 5000, reference="r" * 400, contact_name="c" * 200)
    view = edit_modal(long, employee=False)
    description, contact, reference = view["blocks"][1:4]
    assert description["element"]["initial_value"] == "d" * 3000
    assert "shortened" in description["hint"]["text"]
    assert contact["element"]["initial_option"]["value"] == "name:" + "c" * 145
    assert reference["element"]["initial_value"] == "r" * 255
    check_view(view)


def test_exclude_modal() -> None:
    view = exclude_modal(make_card())
    assert view["callback_id"] == "payment_exclude_modal"
    assert json.loads(view["private_metadata"]) == {"payment_id": 12, "version": 3}
    assert (view["title"]["text"], view["submit"]["text"], view["close"]["text"]) == (
        "Exclude payment",
        "Exclude",
        "Cancel",
    )
    intro, reason, note = view["blocks"]
    assert "*SGD 123.45* to Figma Inc" in intro["text"]["text"]
    assert "never synced to Xero" in intro["text"]["text"]
    assert reason["block_id"] == "exclude_reason"
    assert reason["optional"] is False
    assert reason["element"]["type"] == "radio_buttons"
    assert reason["element"]["action_id"] == "value"
    assert [(o["value"], o["text"]["text"]) for o in reason["element"]["options"]] == [
        ("personal", "Personal expense"),
        ("duplicate", "Duplicate"),
        ("transfer", "Transfer between own accounts"),
        ("other", "Other"),
    ]
    assert note["block_id"] == "exclude_note"
    assert note["label"]["text"] == "Note"
    assert note["optional"] is True
    assert note["element"] == {"type": "plain_text_input", "action_id": "value", "max_length": 500}
    check_view(view)


# ---------------------------------------------------------------- external select options


def test_contact_options_offer_to_create_a_new_name() -> None:
    contacts = ["Figma Inc", "Amazon Web Services", "Figment Ltd", "Big Figs"]
    options = contact_options("fig", contacts)
    assert [(o["text"]["text"], o["value"]) for o in options] == [
        ("Create “fig”", "new:fig"),
        ("Figma Inc", "name:Figma Inc"),
        ("Figment Ltd", "name:Figment Ltd"),
        ("Big Figs", "name:Big Figs"),
    ]


def test_contact_options_no_create_for_an_exact_name() -> None:
    options = contact_options("FIGMA INC", ["Figma Inc", "Figma Inc Pte"])
    assert [o["value"] for o in options] == ["name:Figma Inc", "name:Figma Inc Pte"]


def test_contact_options_limits() -> None:
    long = "Q" * 200
    options = contact_options("Q", [f"{n} {long}" for n in range(300)])
    assert len(options) == 100
    assert options[0]["value"] == "new:Q"
    for option in options:
        assert len(option["text"]["text"]) <= 75
        assert len(option["value"]) <= 150

    options = contact_options(long, [f"{long}{n}" for n in range(300)])
    assert options[0]["value"] == "new:" + long[:146]
    assert options[0]["text"]["text"].startswith("Create “") and options[0]["text"]["text"].endswith("…”")
    assert len(options[0]["text"]["text"]) <= 75
    # names alike in their first 145 characters would share a value: offered once
    assert [o["value"] for o in options[1:]] == ["name:" + long[:145]]


def test_contact_options_literal_text() -> None:
    options = contact_options("<!channel>", ["<!channel> *x*"])
    assert options[1]["text"] == {"type": "plain_text", "text": "<!channel> *x*"}


def test_account_options_match_code_or_name_codes_first() -> None:
    accounts = [
        AccountChoice("200", "Sales"),
        AccountChoice("429", "General Expenses"),
        AccountChoice("310", "Cost of goods 42"),
        AccountChoice("420", "Entertainment"),
        AccountChoice("800", "Loans"),
    ]
    assert [o["value"] for o in account_options("42", accounts)] == ["429", "420", "310"]
    assert [o["value"] for o in account_options("EXPENSES", accounts)] == ["429"]
    assert account_options("42", accounts)[0]["text"] == {"type": "plain_text", "text": "429 General Expenses"}
    assert len(account_options("", accounts)) == 5
    many = [AccountChoice(f"{n}", "N" * 200) for n in range(500)]
    options = account_options("", many)
    assert len(options) == 100
    assert all(len(o["text"]["text"]) <= 75 for o in options)


def test_an_account_search_is_answered_again_only_for_the_list_it_was_built_from() -> None:
    searches = AccountSearches(kept=2)
    before = [GENERAL, SOFTWARE]
    assert searches.options("4", before) == account_options("4", before)
    assert searches.options(" 4 ", before) is searches.options("4", before)  # the same query, as typed
    renamed = [AccountChoice("429", "Staff Expenses", "INPUT"), SOFTWARE]  # the organisation's accounts changed
    assert [o["text"]["text"] for o in searches.options("4", renamed)] == ["429 Staff Expenses", "485 Subscriptions"]
    assert [o["value"] for o in searches.options("sub", before)] == ["485"]
    assert searches.options("4", before)[0]["text"]["text"] == "429 General Expenses"
