"""Edit → Split as data: the form within Slack's limits with ten lines, its lines' keys surviving an add or a
remove, crafted metadata refused, refusals under the right inputs, and a split read literally on card and Home."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

from bot.home.view import HomeRow
from bot.payments.cards import SplitLineCard
from bot.payments.splits import SplitRefused
from handlers.home_rows import row_text
from handlers.payment_card import payment_message
from handlers.split_actions import form_errors, lines_from
from handlers.split_blocks import SplitForm, opening_form, split_modal
from tests.handlers.test_payment_blocks import (
    GENERAL,
    GST,
    NASTY,
    NO_GST,
    SOFTWARE,
    check_limits,
    make_card,
    make_choices,
)

SPLIT = (
    SplitLineCard(Decimal("40.00"), SOFTWARE, GST, {"cat-region": "opt-north"}, NASTY),
    SplitLineCard(Decimal("83.45"), GENERAL, NO_GST),
)


def test_the_form_opens_with_two_lines_and_holds_ten_within_slacks_limits() -> None:
    card = make_card(account=GENERAL, tax_rate=GST)
    form = opening_form(card)
    view = split_modal(card, make_choices(), form)
    ids = [b.get("block_id") for b in view["blocks"]]
    assert form.keys == (0, 1) and "split_amount:1" in ids and "split_tracking:0:1" in ids
    first_account = next(b for b in view["blocks"] if b.get("block_id") == "split_account:0")
    assert first_account["element"]["initial_option"]["value"] == "429"  # the payment's own coding

    for _ in range(12):
        form = form.added()
    full = split_modal(card, make_choices(accounts=150), form)
    assert len(form.keys) == 10 and "split_add_line" not in json.dumps(full)
    check_limits(full["blocks"], max_blocks=100)
    account = next(b for b in full["blocks"] if b.get("block_id") == "split_account:9")
    assert account["element"]["type"] == "external_select"  # a long chart is searched


def test_removing_a_line_keeps_the_others_keys_and_crafted_metadata_is_refused() -> None:
    form = SplitForm(12, 3, (0, 1, 2)).removed(1).added()
    assert form.keys == (0, 2, 3)
    assert SplitForm.from_metadata(form.metadata()) == form
    for crafted in ('{"payment_id": 12, "version": 3, "keys": []}', '{"payment_id": "12", "version": 3, "keys": [0]}',
                    '{"payment_id": 12, "version": 3, "keys": [0, 0]}', "not json",
                    '{"payment_id": 12, "version": 3, "keys": [0,1,2,3,4,5,6,7,8,9,10]}'):  # fmt: skip
        assert SplitForm.from_metadata(crafted) is None


def test_what_was_typed_becomes_lines_and_refusals_land_under_their_inputs() -> None:
    card = make_card(split=SPLIT)
    form = opening_form(card)
    view = split_modal(card, make_choices(), form)
    view["state"] = {
        "values": {
            "split_amount:0": {"value": {"type": "plain_text_input", "value": "40"}},
            "split_account:1": {"value": {"type": "static_select", "selected_option": {"value": "485"}}},
            "split_tracking:1:0": {"value": {"type": "static_select", "selected_option": {"value": "cat-region:"}}},
            "split_tracking:1:1": {
                "value": {"type": "static_select", "selected_option": {"value": "cat-team:opt-eng"}}
            },
        }
    }
    first, second = lines_from(view, form)
    assert (first.amount, first.account_code, second.account_code) == ("40", None, "485")
    assert second.tracking == {"cat-region": "", "cat-team": "opt-eng"}

    refused = SplitRefused(
        {(1, "tax"): "Line 2 needs a tax rate", (5, "amount"): "The lines add up to…", (0, "tracking"): "x"}
    )
    assert form_errors(refused, form, view) == {
        "split_tax:1": "Line 2 needs a tax rate",
        "split_amount:1": "The lines add up to…",
        "split_tracking:0:0": "x",
    }


def test_a_split_reads_literally_on_the_card_and_the_home_row() -> None:
    card = make_card(split=SPLIT, account=SOFTWARE, tax_rate=GST)
    _, blocks = payment_message(card, make_choices())
    text = json.dumps(blocks, ensure_ascii=False)
    assert "Split into 2 lines:" in text and "SGD 40.00 · 485 Subscriptions · GST on Expenses · Region: North" in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "payment_account" not in text  # one line's selects would recode only part of it

    row = row_text(HomeRow(card=replace(card, state="synced"), labels=[]), finance=True)
    assert "Split into 2 lines: 485 Subscriptions SGD 40.00 · 429 General Expenses SGD 83.45" in row
