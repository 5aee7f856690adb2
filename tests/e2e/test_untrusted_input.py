"""Hostile input over HTTP: every field refused by name with a 400 or a form error, and nothing stored. (A file
named .pdf with a PDF inside something else, and a crafted person as a payment's spender, are refused at the service:
tests/services/test_receipt_replies.py.)"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from bot.payments.webhook import sign
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import AuditEntry, CategoryMapping, Payment
from tests.e2e.conftest import ADMIN, EMPLOYEE, FINANCE, FINANCE_CHANNEL, WEBHOOK_SECRET, RunningBot, eventually
from tests.e2e.payments_flow import cards, payment, post_raw, send, wait_for_cards
from tests.e2e.xero_flow import connect


@pytest.fixture
def connected(bot: RunningBot, slack: FakeSlack, xero: XeroEmulator) -> RunningBot:
    connect(bot, slack)
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL)
    return bot


def stored(bot: RunningBot) -> list[Payment]:
    with bot.uow() as work:
        return list(work.session.query(Payment).order_by(Payment.id))


# --- the payments webhook --------------------------------------------------------------------------


CONTROL_CHARACTERS: list[tuple[dict[str, Any], str]] = [
    ({"payee": "Figma\u0000Inc"}, "payee"),
    ({"description": "Design seats\u001b[2J\u001b[H"}, "description"),
    ({"reference": "INV-\u0007"}, "reference"),
    ({"category": "Soft\u202eerawt"}, "category"),
    ({"id": "pay_\u0000"}, "id"),
    ({"spender_email": "ana\u0000@example.com"}, "spender_email"),
    ({"account": {"id": "acc-sgd-1", "name": "Operating\u0000", "currency": "SGD"}}, "account.name"),
    ({"payee": "half an emoji \ud83d"}, "payee"),
    ({"payee": "Two\nlines"}, "payee"),
]


def test_nul_and_control_characters_get_a_400_naming_the_field_and_the_batch_is_not_stored(
    connected: RunningBot,
) -> None:
    for fields, field in CONTROL_CHARACTERS:  # one bot for every case: each refusal leaves nothing behind
        batch = [payment("pay_ok_1"), payment("pay_bad", **fields), payment("pay_ok_2")]

        status, body = send(connected, batch)

        assert status == 400, fields
        [error] = body["errors"]
        assert (error["index"], error["field"]) == (1, field)
        assert error["message"].startswith(("must not contain", "must be one line"))
        assert stored(connected) == []
    assert send(connected, [payment("pay_ok_1"), payment("pay_ok_2")])[0] == 201, "the rest goes in once fixed"


NOT_DIGITS_DATES_OR_SHORT: list[tuple[dict[str, Any], str, str]] = [
    ({"amount": "\u0661\u0662\u0663.\u0664\u0665"}, "amount", 'must be a decimal string such as "123.45"'),
    ({"amount": "\uff11\uff12\uff13.\uff14\uff15"}, "amount", 'must be a decimal string such as "123.45"'),
    ({"date": "2026-W47-1"}, "date", "must be an ISO date written YYYY-MM-DD, such as 2026-11-20"),
    ({"date": "2026-324"}, "date", "must be an ISO date written YYYY-MM-DD, such as 2026-11-20"),
    ({"reference": "R" * 256}, "reference", "must be at most 255 characters (this one has 256)"),
    ({"description": "d" * 4001}, "description", "must be at most 4000 characters (this one has 4001)"),
]


def test_non_ascii_digits_week_dates_and_overlong_text_are_refused(connected: RunningBot) -> None:
    for fields, field, words in NOT_DIGITS_DATES_OR_SHORT:  # one bot for every case
        status, body = send(connected, payment(**fields))

        assert (status, body["errors"]) == (400, [{"index": 0, "field": field, "message": words}])
        assert stored(connected) == []


def test_json_nested_100000_deep_gets_a_400_not_a_server_error(connected: RunningBot) -> None:
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"payee":' * 100_000 + b"1" + b"}" * 100_000):
        status, answer = post_raw(connected, body)
        assert status == 400
        assert answer["errors"][0]["message"] == "the body nests arrays or objects too deeply to be a payment"
    assert stored(connected) == []


def test_a_team_that_is_not_a_slack_team_id_is_refused_by_name(connected: RunningBot) -> None:
    body = json.dumps(payment()).encode()
    request = urllib.request.Request(
        f"{connected.url}/payments?team=T0%00{'A' * 300}",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Payments-Signature": sign(WEBHOOK_SECRET, body)},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    answer = json.loads(refused.value.read())
    assert refused.value.code == 400
    assert answer["errors"] == [
        {"index": None, "field": "team", "message": "The team must be a Slack team id such as T0123ABCD."}
    ]


# --- what reaches /slack/events before its signature is checked ------------------------------------


NOT_FROM_SLACK = [
    ('{"a":' * 100_000 + "1" + "}" * 100_000, "application/json"),
    ("payload=" + "%5B" * 100_000, "application/x-www-form-urlencoded"),
    ("[1, 2]", "application/json"),
    ('{"team": 1, "type": "event_callback"}', "application/json"),
    ("{not json", "application/json"),
]


def test_a_body_slack_never_sends_gets_a_400_from_the_slack_endpoint(bot: RunningBot) -> None:
    for body, content_type in NOT_FROM_SLACK:  # one bot for every case
        for signed in (False, True):
            response = bot.sender.send_raw(body, content_type, sign=signed)
            assert response.status == 400, (body[:20], signed, response.body[:200])
            assert json.loads(response.body) == {"error": "the request body is not one Slack sends"}


# --- Slack forms -----------------------------------------------------------------------------------


def open_edit(bot: RunningBot, slack: FakeSlack, user: str = FINANCE) -> tuple[dict[str, Any], str]:
    send(bot, payment())
    [card] = wait_for_cards(slack, 1)
    bot.sender.click(user, FINANCE_CHANNEL, card["ts"], "payment_edit")
    [modal] = slack.wait_for(lambda: slack.modals(user) or None)
    return card, modal["id"]


def new_contact(name: str) -> dict[str, Any]:
    return {"value": {"text": {"type": "plain_text", "text": "Create"}, "value": f"new:{name}"}}


CRAFTED_EDITS: list[tuple[dict[str, Any], str, str]] = [
    (
        {"edit_reference": {"value": "R" * 10_000}},
        "edit_reference",
        "The reference must be at most 255 characters (this one has 10000).",
    ),
    (
        {"edit_contact": new_contact("C" * 5_000)},
        "edit_contact",
        "The contact name must be at most 255 characters (this one has 5000).",
    ),
    (
        {"edit_description": {"value": "D" * 4_001}},
        "edit_description",
        "The description must be at most 4000 characters (this one has 4001).",
    ),
    (
        {"edit_description": {"value": "Seats\u0000"}},
        "edit_description",
        "The description must not contain a control character (U+0000); found at character 6.",
    ),
    (
        {"edit_reference": {"value": "INV\u001b[31m"}},
        "edit_reference",
        "The reference must not contain a control character (U+001B); found at character 4.",
    ),
]


def test_a_crafted_edit_submission_is_refused_on_its_field_and_nothing_is_stored(
    connected: RunningBot, slack: FakeSlack
) -> None:
    card, view_id = open_edit(connected, slack)
    opened = {view_id}

    for number, (values, block, words) in enumerate(CRAFTED_EDITS):  # one bot for every case
        if number:  # each case in a new form: a form keeps what was typed in it
            connected.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_edit")
            view_id = slack.wait_for(lambda: [m["id"] for m in slack.modals(FINANCE) if m["id"] not in opened])[0]
            opened.add(view_id)
        answer = connected.sender.submit_view(FINANCE, view_id, values).json()

        assert answer == {"response_action": "errors", "errors": {block: words}}
        [unchanged] = stored(connected)
        assert (unchanged.reference, unchanged.contact_name, unchanged.description) == (
            "INV-2291",
            None,
            "Design seats",
        )
        assert unchanged.version == 1


def test_an_edit_within_the_limits_is_saved(connected: RunningBot, slack: FakeSlack) -> None:
    _, view_id = open_edit(connected, slack)
    values = {
        "edit_reference": {"value": "R" * 255},
        "edit_contact": new_contact("Figma Singapore Pte Ltd"),
        "edit_description": {"value": "Seats\nfor Q4"},
    }

    assert connected.sender.submit_view(FINANCE, view_id, values).status == 200

    eventually(lambda: stored(connected)[0].reference == "R" * 255)
    assert (stored(connected)[0].contact_name, stored(connected)[0].description) == (
        "Figma Singapore Pte Ltd",
        "Seats\nfor Q4",
    )


def test_notes_on_exclude_and_no_receipt_are_refused_on_the_note(connected: RunningBot, slack: FakeSlack) -> None:
    connected.server.scheduler.pause()
    send(connected, payment())
    connected.server.run_job("post_new_payments")
    [card] = cards(slack)
    connected.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_exclude")
    [modal] = slack.wait_for(lambda: slack.modals(FINANCE) or None)
    personal = {"text": {"type": "plain_text", "text": "Personal expense"}, "value": "personal"}
    answer = connected.sender.submit_view(
        FINANCE, modal["id"], {"exclude_reason": {"value": personal}, "exclude_note": {"value": "x\u0000" + "y" * 600}}
    ).json()
    assert answer == {
        "response_action": "errors",
        "errors": {"exclude_note": "The note must be at most 500 characters (this one has 602)."},
    }

    dm = slack.dm_channel(EMPLOYEE)
    [ask] = eventually(lambda: [m for m in slack.messages(dm) if "receipt" in m.get("text", "")])
    connected.sender.click(EMPLOYEE, dm, ask["ts"], "no_receipt")
    [modal] = slack.wait_for(lambda: slack.modals(EMPLOYEE) or None)
    lost = {"text": {"type": "plain_text", "text": "Lost"}, "value": "lost"}
    answer = connected.sender.submit_view(
        EMPLOYEE, modal["id"], {"no_receipt_reason": {"value": lost}, "no_receipt_note": {"value": "taxi\u0000"}}
    ).json()
    assert answer == {
        "response_action": "errors",
        "errors": {"no_receipt_note": "The note must not contain a control character (U+0000); found at character 5."},
    }
    [payment_row] = stored(connected)
    assert (payment_row.state.value, payment_row.no_receipt_reason) == ("pending", None)
    with connected.uow() as work:
        assert work.session.query(AuditEntry).filter(AuditEntry.action == "payment.excluded").count() == 0


def test_crafted_settings_values_are_refused_on_their_fields(connected: RunningBot, slack: FakeSlack) -> None:
    connected.sender.slash_command("settings", ADMIN, FINANCE_CHANNEL)
    [modal] = slack.wait_for(lambda: slack.modals(ADMIN) or None)
    values = {
        "settings_channel": {"value": "C0FINANCE\u0000" + "X" * 100},
        "settings_new_category": {"value": "Soft\u0000ware"},
        "settings_reminder_first": {"value": "²"},
        "settings_reminder_every": {"value": "\u0663"},
        "settings_reminder_max": {"value": "3"},
        "settings_timezone": {"value": "A" * 1000},
    }

    answer = connected.sender.submit_view(ADMIN, modal["id"], values).json()

    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "settings_channel": "Choose a channel from the list.",
        "settings_new_category": "The category name must not contain a control character (U+0000); found at "
        "character 5.",
        "settings_new_category_account": "Choose the Xero account for this category.",
        "settings_reminder_first": "Enter a whole number from 0 to 60.",
        "settings_reminder_every": "Enter a whole number from 1 to 60.",
        "settings_timezone": "Enter a time zone name such as Europe/London or Asia/Singapore.",
    }
    with connected.uow() as work:
        assert work.session.query(CategoryMapping).count() == 0
        workspace = work.workspaces.by_team(slack.team_id)
        assert workspace is not None and workspace.timezone == "UTC"
