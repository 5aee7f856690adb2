"""Every id the bot hands Slack to send back (a click, a submission, an options load, the command) reaches exactly
one listener of its kind, as Bolt itself matches them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from slack_bolt import App, BoltRequest, BoltResponse

from bot.app import SURFACES
from handlers.ids import Ids

# Ids that name a block, a modal input or a view no one submits: Slack sends them back inside another payload.
NOT_SENT_BACK = {
    Ids.HOME_TABS,
    Ids.HOME_FILTERS,
    Ids.HOME_BULK,
    Ids.HOME_PAGES,
    Ids.HOME_SETTINGS,
    Ids.HOME_SELECT_BLOCK,
    Ids.PAYMENT_CODING_BLOCK,
    Ids.PAYMENT_BUTTONS_BLOCK,
    Ids.PAYMENT_SPENDER_BLOCK,
    Ids.PAYMENT_MODAL,  # it has a Close button only; its clicks carry their own action ids
    Ids.EDIT_DESCRIPTION,
    Ids.EDIT_CONTACT,  # its searches come with the action id "value" (below)
    Ids.EDIT_REFERENCE,
    Ids.EXCLUDE_REASON,
    Ids.EXCLUDE_NOTE,
    Ids.NO_RECEIPT_REASON,
    Ids.NO_RECEIPT_NOTE,
    Ids.SETTINGS_CHANNEL,
    Ids.SETTINGS_BANK,
    Ids.SETTINGS_REMOVE_CATEGORY,
    Ids.SETTINGS_NEW_CATEGORY,
    Ids.SETTINGS_NEW_CATEGORY_ACCOUNT,
    Ids.SETTINGS_NEW_CATEGORY_TAX,
    Ids.SETTINGS_REMINDER_FIRST,
    Ids.SETTINGS_REMINDER_EVERY,
    Ids.SETTINGS_REMINDER_MAX,
    Ids.SETTINGS_TIMEZONE,
    Ids.EXPORT_ACCOUNT,
    Ids.EXPORT_CURRENCY,
    Ids.EXPORT_DATE_FORMAT,
    Ids.EXPORT_SIGN,
    Ids.EXPORT_DATE_COLUMN,
    Ids.EXPORT_AMOUNT_COLUMN,
    Ids.EXPORT_PAYEE_COLUMN,
    Ids.RECEIPT_CHECK_BLOCK,
    Ids.RULES_MODAL,  # it has a Close button only; its clicks carry their own action ids
    Ids.RULE_NAME,
    Ids.RULE_PAYEE_CONTAINS,
    Ids.RULE_PAYEE_IS,
    Ids.RULE_CATEGORY,
    Ids.RULE_SOURCE,
    Ids.RULE_AMOUNT_MIN,
    Ids.RULE_AMOUNT_MAX,
    Ids.RULE_SPENDER,
    Ids.RULE_ACCOUNT,
    Ids.RULE_ACCOUNT_SEARCH,  # an input's search: options loads only (below)
    Ids.RULE_TAX,
    Ids.RULE_TRACKING,
    Ids.RULE_CONTACT,  # its searches come with the action id "value" (below)
    Ids.RULE_DESCRIPTION,
    Ids.RULE_APPROVAL,
    Ids.RULE_APPROVE_UNDER,
    Ids.RULE_NO_RECEIPT_UNDER,
    Ids.EDIT_SPLIT,
    Ids.SPLIT_LINE,
    Ids.SPLIT_DESCRIPTION,
    Ids.SPLIT_AMOUNT,
    Ids.SPLIT_ACCOUNT,
    Ids.SPLIT_TAX,
    Ids.SPLIT_TRACKING,
    Ids.SPLIT_TOTAL,
}
OPTIONS_LOADED = {Ids.PAYMENT_ACCOUNT, Ids.RULE_ACCOUNT_SEARCH}
SUBMITTED = {Ids.EDIT_MODAL, Ids.EXCLUDE_MODAL, Ids.NO_RECEIPT_MODAL, Ids.SETTINGS_MODAL, Ids.BULK_CONFIRM_MODAL}
SUBMITTED |= {Ids.EXPORT_MODAL, Ids.RULE_FORM_MODAL, Ids.SPLIT_MODAL}
# Sent back with a number after them: one element per tracking category, one checkbox group per ten rows.
NUMBERED = {Ids.PAYMENT_TRACKING, Ids.HOME_SELECT, Ids.RECEIPT_CHOOSE}
CLICKED = set(Ids) - NOT_SENT_BACK - SUBMITTED - NUMBERED


@pytest.fixture(scope="module")
def app() -> App:
    bolt = App(token="xoxb-test", signing_secret="test", token_verification_enabled=False)
    services: Any = SimpleNamespace(installations=None)  # registering only keeps it; no listener runs here
    for surface in SURFACES:
        surface.register(bolt, services)
    return bolt


def listeners_for(app: App, body: dict[str, Any]) -> int:
    request = BoltRequest(body=body, mode="socket_mode")
    response = BoltResponse(status=200)
    return sum(1 for listener in app._listeners if listener.matches(req=request, resp=response))


def click(action_id: str) -> dict[str, Any]:
    action = {"type": "button", "action_id": action_id, "block_id": "b", "value": "1:1", "action_ts": "1"}
    return {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"}, "actions": [action]}


def submission(callback_id: str) -> dict[str, Any]:
    view = {"type": "modal", "callback_id": callback_id, "state": {"values": {}}}
    return {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1"}, "view": view}


def options_load(action_id: str, block_id: str = "b") -> dict[str, Any]:
    return {"type": "block_suggestion", "team": {"id": "T1"}, "action_id": action_id, "block_id": block_id}


def test_each_id_is_of_one_kind_only() -> None:
    """Any id not listed above is a click, so a new one without a listener fails below."""
    assert not NOT_SENT_BACK & SUBMITTED
    assert not NUMBERED & (NOT_SENT_BACK | SUBMITTED)


@pytest.mark.parametrize("action_id", sorted(CLICKED))
def test_every_click_reaches_one_listener(app: App, action_id: Ids) -> None:
    assert listeners_for(app, click(action_id)) == 1


@pytest.mark.parametrize("action_id", sorted(NUMBERED))
def test_numbered_elements_reach_one_listener(app: App, action_id: Ids) -> None:
    for number in (0, 1, 12):
        assert listeners_for(app, click(f"{action_id}_{number}")) == 1
    assert listeners_for(app, click(f"{action_id}_x")) == 0


@pytest.mark.parametrize("callback_id", sorted(SUBMITTED))
def test_every_form_reaches_one_listener(app: App, callback_id: Ids) -> None:
    assert listeners_for(app, submission(callback_id)) == 1


@pytest.mark.parametrize("action_id", sorted(OPTIONS_LOADED))
def test_every_options_load_reaches_one_listener(app: App, action_id: Ids) -> None:
    assert listeners_for(app, options_load(action_id)) == 1


def test_the_contact_search_is_told_apart_by_its_block(app: App) -> None:
    assert listeners_for(app, options_load("value", Ids.EDIT_CONTACT)) == 1
    assert listeners_for(app, options_load("value", Ids.RULE_CONTACT)) == 1
    assert listeners_for(app, options_load("value", Ids.EDIT_REFERENCE)) == 0


@pytest.mark.parametrize("never_sent", sorted(NOT_SENT_BACK))
def test_block_and_input_ids_have_no_listener_of_their_own(app: App, never_sent: Ids) -> None:
    assert listeners_for(app, click(never_sent)) == 0
    assert listeners_for(app, submission(never_sent)) == 0


def test_the_command_reaches_one_listener(app: App) -> None:
    body = {"command": "/xero", "text": "help", "team_id": "T1", "user_id": "U1"}
    assert listeners_for(app, body) == 1


@pytest.mark.parametrize("event_type", ["app_uninstalled", "message", "tokens_revoked"])
def test_each_event_the_bot_handles_reaches_one_listener(app: App, event_type: str) -> None:
    body = {"type": "event_callback", "team_id": "T1", "event": {"type": event_type}}
    assert listeners_for(app, body) == 1
