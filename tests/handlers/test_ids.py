"""The payment reference codec, and where the context middleware finds a reference in what Slack sends back."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.common import OUT_OF_DATE, STALE_FORM, STALE_ROW, UNKNOWN_ACTOR, missing_context, payment_of
from handlers.ids import OutOfDate, PaymentRef
from handlers.payment_card import payment_message
from handlers.payment_modals import edit_modal, exclude_modal, payment_modal
from handlers.receipt_messages import ask_message, no_receipt_modal
from tests.handlers.test_payment_blocks import buttons_block, coding_block, make_card, make_choices


def button_click(action_id: str, value: str) -> dict[str, Any]:
    return {"type": "block_actions", "actions": [{"type": "button", "action_id": action_id, "value": value}]}


def select_choice(action_id: str, block_id: str) -> dict[str, Any]:
    action = {"type": "static_select", "action_id": action_id, "block_id": block_id, "selected_option": {"value": "x"}}
    return {"type": "block_actions", "actions": [action]}


def submission(view: dict[str, Any]) -> dict[str, Any]:
    return {"type": "view_submission", "view": view}


@pytest.mark.parametrize("text", ["payment_coding:12:3", "payment_buttons:12:3", "payment_spender_block:12:3"])
def test_a_block_id_names_the_payment_and_the_version_seen(text: str) -> None:
    assert PaymentRef.from_block_id(text) == PaymentRef(12, 3)


@pytest.mark.parametrize(
    "garbage",
    ["", "12", "12:", ":3", "a:b", "12:3", "12:3:4", "other:12:3", "payment_coding:12", "-1:3", "12:3 ", "\uff11:3"],
)
def test_anything_else_is_not_a_block_reference(garbage: str) -> None:
    assert PaymentRef.from_block_id(garbage) is None


@pytest.mark.parametrize("garbage", ["", "12:", ":3", "a", "12:3:4", "-1", "12 ", "\uff11\uff12", "1" * 30])
def test_a_value_is_an_id_with_or_without_its_version(garbage: str) -> None:
    assert PaymentRef.from_value("12:3") == PaymentRef(12, 3)
    assert PaymentRef.from_value("12") == PaymentRef(12)
    assert PaymentRef.from_value(garbage) is None


def test_a_reference_without_the_version_seen_cannot_change_anything() -> None:
    assert PaymentRef(12, 3).seen == 3
    with pytest.raises(OutOfDate):
        _ = PaymentRef(12).seen


def test_what_the_builders_write_reads_back_from_each_place_slack_returns_it() -> None:
    card = make_card(payment_id=987654, version=42, can_approve=True)
    _, blocks = payment_message(card, make_choices())
    seen = PaymentRef(987654, 42)
    assert payment_of(select_choice("payment_account", coding_block(blocks)["block_id"])) == seen
    for button in buttons_block(blocks)["elements"]:
        assert payment_of(button_click(button["action_id"], button["value"])) == seen
    for form in (edit_modal(card, employee=False), exclude_modal(card)):
        assert payment_of(submission(form)) == seen
    assert payment_of(submission(no_receipt_modal(987654, "SGD 1 to Figma"))) == PaymentRef(987654)
    assert payment_of(submission(payment_modal(card, make_choices()))) is None  # its own clicks carry the reference


def test_the_no_receipt_button_names_the_payment_only() -> None:
    changed: Any = type("Changed", (), {"card": make_card(payment_id=77)})()
    _, blocks = ask_message(changed)
    [button] = blocks[-1]["elements"]
    assert payment_of(button_click(button["action_id"], button["value"])) == PaymentRef(77)


def test_a_home_row_option_names_its_action_and_payment() -> None:
    action = {"type": "overflow", "action_id": "home_row_actions", "selected_option": {"value": "approve:12:3"}}
    assert payment_of({"type": "block_actions", "actions": [action]}) == PaymentRef(12, 3)
    assert PaymentRef.from_row_option(PaymentRef(12, 3).row_option("exclude")) == ("exclude", PaymentRef(12, 3))


def test_only_the_ids_that_carry_a_payment_are_read() -> None:
    assert payment_of(button_click("home_page_next", "2")) is None
    assert payment_of(button_click("export_review", "12")) is None
    assert payment_of(submission({"callback_id": "settings_modal", "private_metadata": '{"payment_id": 1}'})) is None


@pytest.mark.parametrize("metadata", ["", "{}", "[]", '{"payment_id": "12"}', '{"payment_id": true}', "{"])
def test_a_form_with_a_damaged_reference_names_no_payment(metadata: str) -> None:
    assert payment_of(submission({"callback_id": "payment_edit_modal", "private_metadata": metadata})) is None


def refusal(wanted: list[str], arguments: dict[str, Any]) -> str | None:
    refused = missing_context(wanted, arguments)
    return refused.message if refused else None


def test_a_listener_asking_for_what_the_request_lacks_is_refused_in_the_surfaces_words() -> None:
    form = submission({"callback_id": "payment_edit_modal"})
    row = {"type": "block_actions", "view": {"type": "home"}, "actions": [{"action_id": "home_row_actions"}]}
    message = button_click("payment_approve", "x")
    assert refusal(["payment"], {"body": form, "payment": None}) == STALE_FORM
    assert refusal(["payment"], {"body": row, "payment": None}) == STALE_ROW
    assert refusal(["payment"], {"body": message}) == OUT_OF_DATE
    assert refusal(["actor"], {"body": message}) == UNKNOWN_ACTOR
    assert missing_context(["ack", "payment"], {"body": message, "payment": PaymentRef(1)}) is None
