"""Every refused or failed click is answered at once and shown once, on the surface the person used; employees
reach only their own payments."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.exc import OperationalError

from sandbox.slack import FakeSlack
from sandbox.slack.sender import SenderResponse
from sandbox.xero import XeroEmulator
from storage.models import Payment
from tests.e2e.conftest import ADMIN, EMPLOYEE, FINANCE, FINANCE_CHANNEL, RunningBot, eventually
from tests.e2e.payments_flow import element, payment, send, wait_for_cards
from tests.e2e.test_home import open_home
from tests.e2e.xero_flow import connect

ACK_DEADLINE = 3.0  # Slack shows the person an error when the answer takes longer
SECRET_PAYEE = "Orchid Clinic Ltd"


@pytest.fixture
def connected(bot: RunningBot, slack: FakeSlack, xero: XeroEmulator) -> RunningBot:
    connect(bot, slack)
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL)
    slack.add_member(FINANCE_CHANNEL, EMPLOYEE)
    return bot


def answered_in_time(answer: SenderResponse) -> None:
    assert answer.status == 200, f"Slack was answered {answer.status}: the person sees an error"
    assert answer.elapsed < ACK_DEADLINE, f"answered after {answer.elapsed:.1f}s: Slack had given up"


def shown(slack: FakeSlack, user: str, words: str) -> list[dict[str, Any]]:
    return [e for e in slack.ephemerals(user=user) if words in e["text"]]


def home_text(slack: FakeSlack, user: str) -> str:
    return FakeSlack.rendered_text(slack.home_view(user) or {})


def overflow_values(view: dict[str, Any]) -> list[str]:
    return [
        option["value"]
        for block in view["blocks"]
        if block.get("accessory", {}).get("type") == "overflow"
        for option in block["accessory"]["options"]
    ]


def row_option(value: str) -> dict[str, Any]:
    """An overflow option as a crafted payload would carry it, whatever the menu offered."""
    return {"text": {"type": "plain_text", "text": "x"}, "value": value}


def payment_ids(bot: RunningBot) -> dict[str, int]:
    with bot.uow() as work:
        return {p.external_id: p.id for p in work.session.query(Payment)}


def crafted_click(
    bot: RunningBot, slack: FakeSlack, user: str, channel: str, ts: str, action_id: str, value: str
) -> SenderResponse:
    """A button click built by hand, as someone replaying or forging Slack's payload would."""
    return bot.sender.send_interaction(
        {
            "type": "block_actions",
            "user": {"id": user, "username": slack.user(user)["name"], "team_id": slack.team_id},
            "team": {"id": slack.team_id},
            "api_app_id": slack.app_id,
            "container": {"type": "message", "channel_id": channel, "message_ts": ts},
            "channel": {"id": channel},
            "response_url": slack.issue_response_url(user, channel, ts),
            "trigger_id": slack.issue_trigger(user),
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
        }
    )


# --- every refused click is answered at once and shown once ------------------------------------------------


def test_thirty_refused_or_out_of_date_clicks_are_each_answered_at_once_and_shown_once(
    connected: RunningBot, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    send(connected, payment(category=None))
    [card] = wait_for_cards(slack, 1)
    approve = element(card, "payment_approve")["value"]
    payment_id = approve.split(":")[0]
    clicks = (
        [(EMPLOYEE, approve)] * 10  # not finance
        + [(FINANCE, approve)] * 10  # not coded yet
        + [(FINANCE, f"{payment_id}:0")] * 5  # a version the message no longer shows
        + [(FINANCE, "9999999")] * 5  # a message from before this bot
    )
    for user, value in clicks:
        answered_in_time(connected.sender.click(user, FINANCE_CHANNEL, card["ts"], "payment_approve", value))

    expected = {
        (EMPLOYEE, "Only finance users and admins can approve payments"): 10,
        (FINANCE, "This payment can't sync yet"): 10,
        (FINANCE, "Someone else changed this payment"): 5,
        (FINANCE, "This message is out of date"): 5,
    }

    def counts() -> dict[tuple[str, str], int]:
        return {(user, words): len(shown(slack, user, words)) for user, words in expected}

    eventually(lambda: counts() == expected)
    time.sleep(0.3)  # nothing more arrives: each refusal was shown exactly once
    assert counts() == expected
    assert len(slack.ephemerals(user=EMPLOYEE)) + len(slack.ephemerals(user=FINANCE)) == 30
    assert not [r for r in caplog.records if "ack()" in r.getMessage()], "no listener missed Slack's deadline"
    with connected.uow() as work:
        assert work.session.query(Payment).one().state.value == "pending"


# --- the App Home and modals --------------------------------------------------------------------------------


def test_refusals_on_the_home_tab_are_shown_on_the_home_tab(connected: RunningBot, slack: FakeSlack) -> None:
    send(connected, payment(category=None))
    wait_for_cards(slack, 1)
    home = open_home(connected, slack, FINANCE)
    [approve] = [v for v in overflow_values(home) if v.startswith("approve:")]
    answered_in_time(connected.sender.select_in_view(FINANCE, home["id"], "home_row_actions", approve))
    eventually(lambda: "This payment can't sync yet: choose a Xero account" in home_text(slack, FINANCE))

    answered_in_time(connected.sender.click_in_view(FINANCE, home["id"], "home_sync_selected"))
    eventually(lambda: "Tick the payments to sync first" in home_text(slack, FINANCE))
    assert "can't sync yet" not in home_text(slack, FINANCE), "the Home shows the latest refusal only"
    assert slack.ephemerals(user=FINANCE) == [] and slack.modals(FINANCE) == []

    open_home(connected, slack, FINANCE)
    assert "Tick the payments" not in home_text(slack, FINANCE), "the notice goes once the Home is redrawn"


def test_a_conflict_inside_the_payment_window_is_shown_inside_it(connected: RunningBot, slack: FakeSlack) -> None:
    send(connected, payment(category=None))
    [card] = wait_for_cards(slack, 1)
    home = open_home(connected, slack, FINANCE)
    [opened] = [v for v in overflow_values(home) if v.startswith("open:")]
    connected.sender.select_in_view(FINANCE, home["id"], "home_row_actions", opened)
    [window] = slack.wait_for(lambda: slack.modals(FINANCE) or None)
    connected.sender.select(ADMIN, FINANCE_CHANNEL, card["ts"], "payment_account", "463")  # someone else, meanwhile
    eventually(lambda: any(p.account_code == "463" for p in all_payments(connected)))

    answered_in_time(connected.sender.select_in_view(FINANCE, window["id"], "payment_tax", "NONE"))
    stack = eventually(lambda: (found := slack.modals(FINANCE)) and len(found) == 2 and found)
    assert "Someone else changed this payment" in FakeSlack.rendered_text(stack[1])
    assert "463" in FakeSlack.rendered_text(slack.view(window["id"])), "the window shows the other person's change"
    assert slack.ephemerals(user=FINANCE) == []
    assert all_payments(connected)[0].tax_type != "NONE"


def test_an_employee_refused_inside_the_payment_window_is_told_there(connected: RunningBot, slack: FakeSlack) -> None:
    send(connected, payment(category=None))
    wait_for_cards(slack, 1)
    home = open_home(connected, slack, EMPLOYEE)
    [opened] = [v for v in overflow_values(home) if v.startswith("open:")]
    connected.sender.select_in_view(EMPLOYEE, home["id"], "home_row_actions", opened)
    [window] = slack.wait_for(lambda: slack.modals(EMPLOYEE) or None)
    answered_in_time(connected.sender.select_in_view(EMPLOYEE, window["id"], "payment_tax", "NONE"))
    stack = eventually(lambda: (found := slack.modals(EMPLOYEE)) and len(found) == 2 and found)
    assert "Only finance users and admins can code payments" in FakeSlack.rendered_text(stack[1])
    assert slack.ephemerals(user=EMPLOYEE) == []


def all_payments(bot: RunningBot) -> list[Payment]:
    with bot.uow() as work:
        return list(work.session.query(Payment).order_by(Payment.id))


def opened_again(slack: FakeSlack, user: str, form: dict[str, Any]) -> dict[str, Any]:
    """The Edit form as it comes back after its save was refused: a new modal, the submitted one closed."""
    return slack.wait_for(lambda: next((m for m in slack.modals(user) if m["id"] != form["id"]), None))


def typed_into(view: dict[str, Any], block_id: str) -> Any:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return block["element"].get("initial_value", block["element"].get("initial_option"))


def edit_form_whose_save_fails(connected: RunningBot, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Fiona's Edit form on a new payment, open; its save will fail as with the database down."""
    send(connected, payment())
    [card] = wait_for_cards(slack, 1)
    connected.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_edit")
    [form] = slack.wait_for(lambda: slack.modals(FINANCE) or None)

    def database_down(*_args: Any, **_kwargs: Any) -> Any:
        raise OperationalError("UPDATE payments", {}, Exception("connection refused"))

    monkeypatch.setattr(connected.server.services.coding, "edit", database_down)
    return form


def test_an_edit_whose_save_fails_unexpectedly_comes_back_with_what_was_typed_and_says_so(
    connected: RunningBot, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = edit_form_whose_save_fails(connected, slack, monkeypatch)
    answer = connected.sender.submit_view(FINANCE, form["id"], {"edit_description": {"value": "Seats for Q4"}})
    answered_in_time(answer)
    again = opened_again(slack, FINANCE, form)
    assert "Sorry, something went wrong" in FakeSlack.rendered_text(again)
    assert typed_into(again, "edit_description") == "Seats for Q4", "nothing typed is lost"
    assert again["private_metadata"] == form["private_metadata"]
    assert all_payments(connected)[0].description == "Design seats"


def test_an_edit_refused_because_the_payment_changed_meanwhile_comes_back_ready_to_save_again(
    connected: RunningBot, slack: FakeSlack
) -> None:
    send(connected, payment())
    [card] = wait_for_cards(slack, 1)
    connected.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_edit")
    [form] = slack.wait_for(lambda: slack.modals(FINANCE) or None)
    connected.sender.select(ADMIN, FINANCE_CHANNEL, card["ts"], "payment_tax", "NONE")  # someone else, meanwhile
    eventually(lambda: all_payments(connected)[0].tax_type == "NONE")

    answered_in_time(connected.sender.submit_view(FINANCE, form["id"], {"edit_description": {"value": "Seats"}}))
    again = opened_again(slack, FINANCE, form)
    assert "Someone else changed this payment a moment ago" in FakeSlack.rendered_text(again)
    assert typed_into(again, "edit_description") == "Seats"
    assert all_payments(connected)[0].description == "Design seats"

    answered_in_time(connected.sender.submit_view(FINANCE, again["id"]))
    eventually(lambda: all_payments(connected)[0].description == "Seats")
    assert all_payments(connected)[0].tax_type == "NONE", "their change stays"


def test_an_edit_that_cannot_come_back_is_told_in_a_direct_message_with_what_was_typed(
    connected: RunningBot, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = edit_form_whose_save_fails(connected, slack, monkeypatch)
    with slack.outage("connection", methods=["views.open"]):
        answer = connected.sender.submit_view(FINANCE, form["id"], {"edit_description": {"value": "Seats for Q4"}})
        answered_in_time(answer)
        told = eventually(
            lambda: [m for m in slack.messages(slack.dm_channel(FINANCE)) if "Seats for Q4" in m.get("text", "")]
        )
    assert "Your edit to a payment was not saved. Sorry, something went wrong" in told[0]["text"]
    assert slack.modals(FINANCE) == []


def test_with_the_database_down_every_request_is_still_answered_and_told(
    connected: RunningBot, slack: FakeSlack, request: pytest.FixtureRequest
) -> None:
    send(connected, payment())
    [card] = wait_for_cards(slack, 1)
    connected.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_edit")
    [form] = slack.wait_for(lambda: slack.modals(FINANCE) or None)

    def database_down(*_: Any, **__: Any) -> Any:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    engine = connected.deps.engine
    sqlalchemy_event.listen(engine, "before_cursor_execute", database_down)  # every statement fails
    request.addfinalizer(lambda: sqlalchemy_event.remove(engine, "before_cursor_execute", database_down))
    answered_in_time(connected.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_approve"))
    eventually(lambda: shown(slack, FINANCE, "Sorry, something went wrong"))
    submitted = connected.sender.submit_view(FINANCE, form["id"], {"edit_description": {"value": "Q4 seats"}})
    answered_in_time(submitted)
    again = opened_again(slack, FINANCE, form)
    assert "Sorry, something went wrong" in FakeSlack.rendered_text(again)
    assert typed_into(again, "edit_description") == "Q4 seats"
    command = connected.sender.slash_command("status", FINANCE, FINANCE_CHANNEL)
    answered_in_time(command)
    assert command.json()["text"].startswith("Sorry, something went wrong")
    event = connected.sender.event(connected.sender.app_home_opened(FINANCE))
    assert event.status == 500, "an event is left for Slack to deliver again rather than lost"


def test_a_malformed_submission_is_refused_in_the_form_not_closed(connected: RunningBot, slack: FakeSlack) -> None:
    connected.sender.slash_command("settings", ADMIN, FINANCE_CHANNEL)
    [form] = slack.wait_for(lambda: slack.modals(ADMIN) or None)
    payload = {
        "type": "view_submission",
        "user": {"id": ADMIN, "username": "ada", "team_id": slack.team_id},
        "team": {"id": slack.team_id},
        "api_app_id": slack.app_id,
        "trigger_id": slack.issue_trigger(ADMIN),
        "view": dict(form, state={"values": {"settings_bank:not-a-number": {"value": {"type": "static_select"}}}}),
    }
    answer = connected.sender.send_interaction(payload)
    answered_in_time(answer)
    assert answer.json() is not None and answer.json().get("response_action") in ("errors", "push", "update")
    slack.apply_view_response(form["id"], answer.json())
    assert slack.modals(ADMIN)[0]["id"] == form["id"]
    shown_to_admin = [FakeSlack.rendered_text(v) for v in slack.modals(ADMIN)] + list(
        slack.view_errors(form["id"]).values()
    )
    assert any("Sorry, something went wrong" in text for text in shown_to_admin)


def test_an_out_of_date_form_is_refused_next_to_its_first_field(connected: RunningBot, slack: FakeSlack) -> None:
    send(connected, payment())
    [card] = wait_for_cards(slack, 1)
    connected.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_edit")
    [form] = slack.wait_for(lambda: slack.modals(FINANCE) or None)
    crafted = dict(form, private_metadata="{}")
    payload = {
        "type": "view_submission",
        "user": {"id": FINANCE, "username": "fiona", "team_id": slack.team_id},
        "team": {"id": slack.team_id},
        "api_app_id": slack.app_id,
        "trigger_id": slack.issue_trigger(FINANCE),
        "view": crafted,
    }
    answer = connected.sender.send_interaction(payload)
    answered_in_time(answer)
    assert answer.json() == {
        "response_action": "errors",
        "errors": {"edit_description": "This form is out of date; open it again from the payment."},
    }


# --- employees reach only their own payments ----------------------------------------------------------------


@pytest.fixture
def two_spenders(connected: RunningBot, slack: FakeSlack) -> dict[str, Any]:
    """Ana's payment and Fiona's (a payee Ana must not learn about), both posted and asked for receipts."""
    send(connected, payment("ana-1"))
    send(connected, payment("fiona-1", payee=SECRET_PAYEE, amount="987.65", spender_email="fiona@example.com"))
    connected.server.run_job("post_new_payments")  # not left to a wake-up the running job may skip (5-second tick)
    cards = wait_for_cards(slack, 2)
    connected.server.run_job("post_new_payments")
    ids = payment_ids(connected)
    return {"cards": cards, "mine": ids["ana-1"], "theirs": ids["fiona-1"]}


def revealed_to_employee(slack: FakeSlack) -> str:
    seen = [e["text"] for e in slack.ephemerals(user=EMPLOYEE)]
    seen += [FakeSlack.rendered_text(v) for v in slack.modals(EMPLOYEE)]
    seen.append(home_text(slack, EMPLOYEE))
    return "\n".join(seen)


def test_an_employee_is_refused_every_way_into_someone_elses_payment(
    connected: RunningBot, slack: FakeSlack, two_spenders: dict[str, Any]
) -> None:
    theirs = two_spenders["theirs"]
    their_card = two_spenders["cards"][1]
    dm = slack.dm_channel(EMPLOYEE)
    # The receipt ask goes out through the outbox: wait for Slack to have it.
    [ask] = eventually(lambda: [m for m in slack.messages(dm) if "no_receipt" in json.dumps(m.get("blocks", []))])

    answered_in_time(
        crafted_click(connected, slack, EMPLOYEE, FINANCE_CHANNEL, their_card["ts"], "payment_sync_log", f"{theirs}:1")
    )
    answered_in_time(connected.sender.click(EMPLOYEE, dm, ask["ts"], "no_receipt", str(theirs)))
    eventually(lambda: len(shown(slack, EMPLOYEE, "only")) == 2)

    home = open_home(connected, slack, EMPLOYEE)
    assert SECRET_PAYEE not in home_text(slack, EMPLOYEE)
    for action in ("open", "log", "no_receipt"):
        before = slack.home_view(EMPLOYEE)["hash"]  # type: ignore[index]
        answered_in_time(
            connected.sender.select_in_view(
                EMPLOYEE, home["id"], "home_row_actions", row_option(f"{action}:{theirs}:1")
            )
        )
        eventually(lambda before=before: slack.home_view(EMPLOYEE)["hash"] != before)  # type: ignore[index]
        assert "You can only see payments you made" in home_text(slack, EMPLOYEE), action

    no_receipt_form = {
        "type": "view_submission",
        "user": {"id": EMPLOYEE, "username": "ana", "team_id": slack.team_id},
        "team": {"id": slack.team_id},
        "api_app_id": slack.app_id,
        "trigger_id": slack.issue_trigger(EMPLOYEE),
        "view": {
            "id": "V0CRAFTED",
            "type": "modal",
            "callback_id": "no_receipt_modal",
            "private_metadata": json.dumps({"payment_id": theirs}),
            "blocks": [{"type": "input", "block_id": "no_receipt_reason", "element": {"action_id": "value"}}],
            "state": {
                "values": {
                    "no_receipt_reason": {
                        "value": {"type": "radio_buttons", "selected_option": {"value": "lost", "text": {}}}
                    }
                }
            },
        },
    }
    refused = connected.sender.send_interaction(no_receipt_form)
    answered_in_time(refused)
    assert refused.json()["response_action"] == "errors"

    assert slack.modals(EMPLOYEE) == [], "no window of someone else's payment was opened"
    assert SECRET_PAYEE not in revealed_to_employee(slack) and "987.65" not in revealed_to_employee(slack)
    with connected.uow() as work:
        assert work.session.get(Payment, theirs).no_receipt_reason is None  # type: ignore[union-attr]


def test_an_employee_cannot_list_xero_accounts_or_contacts(
    connected: RunningBot, slack: FakeSlack, two_spenders: dict[str, Any]
) -> None:
    my_card = two_spenders["cards"][0]
    accounts = connected.sender.suggest(EMPLOYEE, "payment_account", "", channel=FINANCE_CHANNEL, ts=my_card["ts"])
    answered_in_time(accounts)
    [refusal] = accounts.json()["options"]
    assert refusal["text"]["text"].startswith("Only finance users and admins")
    contacts = connected.sender.send_interaction(
        {
            "type": "block_suggestion",
            "user": {"id": EMPLOYEE, "username": "ana", "team_id": slack.team_id},
            "team": {"id": slack.team_id},
            "api_app_id": slack.app_id,
            "container": {"type": "view", "view_id": "V0CRAFTED"},
            "view": {"id": "V0CRAFTED", "type": "modal", "callback_id": "payment_edit_modal"},
            "action_id": "value",
            "block_id": "edit_contact",
            "value": "",
        }
    )
    answered_in_time(contacts)
    [refusal] = contacts.json()["options"]
    assert refusal["text"]["text"].startswith("Only finance users and admins")

    finance = connected.sender.suggest(FINANCE, "payment_account", "", channel=FINANCE_CHANNEL, ts=my_card["ts"])
    assert len(finance.json()["options"]) > 1, "finance still gets the chart of accounts"


def test_an_employee_still_reaches_their_own_payment(
    connected: RunningBot, slack: FakeSlack, two_spenders: dict[str, Any]
) -> None:
    mine = two_spenders["mine"]
    home = open_home(connected, slack, EMPLOYEE)
    connected.sender.select_in_view(EMPLOYEE, home["id"], "home_row_actions", row_option(f"open:{mine}:1"))
    [window] = slack.wait_for(lambda: slack.modals(EMPLOYEE) or None)
    assert "Figma Inc" in FakeSlack.rendered_text(window)
    slack.close_modals(EMPLOYEE)
    connected.sender.select_in_view(EMPLOYEE, home["id"], "home_row_actions", row_option(f"no_receipt:{mine}:1"))
    [form] = slack.wait_for(lambda: slack.modals(EMPLOYEE) or None)
    assert form["callback_id"] == "no_receipt_modal"
