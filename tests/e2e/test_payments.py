"""Payments in: the signed webhook, and the interactive payment message in the finance channel."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import pytest

from bot.payments.webhook import sign
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import CategoryMapping, Payment, PaymentState
from tests.e2e.conftest import ADMIN, EMPLOYEE, FINANCE, FINANCE_CHANNEL, RunningBot, both_transports, eventually
from tests.e2e.payments_flow import cards, element, option_value, payment, post_raw, send, wait_for_cards
from tests.e2e.xero_flow import connect


@pytest.fixture
def connected(bot: RunningBot, slack: FakeSlack, xero: XeroEmulator) -> RunningBot:
    connect(bot, slack)
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL)
    return bot


def stored(bot: RunningBot) -> list[Payment]:
    with bot.uow() as work:
        return list(work.session.query(Payment).order_by(Payment.id))


def latest(slack: FakeSlack, ts: str) -> dict[str, object]:
    return slack.message(FINANCE_CHANNEL, ts)


def test_a_signed_payment_is_posted_once_with_its_selects_and_buttons(connected: RunningBot, slack: FakeSlack) -> None:
    status, body = send(connected, payment())
    assert (status, body) == (201, {"created": ["pay_0001"], "duplicates": []})
    [card] = wait_for_cards(slack, 1)
    shown = FakeSlack.rendered_text(card)
    assert "SGD" in shown and "123.45" in shown and "Figma Inc" in shown and "Operating SGD" in shown
    assert f"<@{EMPLOYEE}>" in shown, "the spender is matched by email and mentioned"
    assert element(card, "payment_account")["type"] == "external_select", "more than 100 usable accounts"
    assert element(card, "payment_tax")["type"] == "static_select"
    assert {element(card, f"payment_tracking_{i}")["type"] for i in (0, 1)} == {"static_select"}
    assert element(card, "payment_edit")["text"]["text"] == "Edit"
    assert element(card, "payment_exclude")["text"]["text"] == "Exclude"

    again, answer = send(connected, payment())
    assert (again, answer) == (200, {"created": [], "duplicates": ["pay_0001"]})
    batch_status, batch = send(connected, [payment(), payment("pay_0002")])
    assert (batch_status, batch) == (201, {"created": ["pay_0002"], "duplicates": ["pay_0001"]})
    resent, _ = send(connected, [payment(), payment("pay_0002")])
    assert resent == 200
    # The webhook wakes the posting job; one already running then skips that run and the card waits for the next
    # tick (5 s). Run it here instead: whichever run claims pay_0002 posts it, and only once.
    connected.server.run_job("post_new_payments")
    wait_for_cards(slack, 2)
    connected.server.run_job("post_new_payments")
    assert len(cards(slack)) == 2
    assert len(stored(connected)) == 2


# The webhook refuses what it is sent before anything else, connected to Xero or not (an unconnected workspace
# stores a valid payment too, test_payments_wait_until_xero_is_connected...): these refusals need no connection.
FORGED: list[tuple[str, Callable[[bytes], dict[str, str]]]] = [
    ("bad signature", lambda b: {"signature": "t=1,v1=00"}),
    ("stale", lambda b: {"signature": sign("test-webhook-secret", b, int(time.time()) - 301)}),
    ("wrong secret", lambda b: {"secret": "not-the-secret"}),
]


def test_a_forged_or_stale_signature_is_refused_and_nothing_stored(bot: RunningBot) -> None:
    body = json.dumps(payment()).encode()
    for case, make in FORGED:  # one bot for every case: each refusal leaves nothing behind
        got, answer = post_raw(bot, body, **make(body))
        assert got == 401 and "error" in answer, case
        assert stored(bot) == [], case


INVALID: list[tuple[dict[str, object], str, str]] = [
    (payment(amount="-12.00"), "amount", "must be positive"),
    (payment(amount="10.005"), "amount", "more decimal places than SGD allows"),
    (payment(amount=10.1), "amount", "decimal string"),
    (payment(currency="ABC"), "currency", "ISO 4217"),
    (payment(date="20/11/2026"), "date", "ISO date"),
    ({k: v for k, v in payment().items() if k != "payee"}, "payee", "is required"),
    (payment(payee="x" * 256), "payee", "at most 255"),
]


def test_an_invalid_payment_is_refused_with_the_field_and_why(bot: RunningBot) -> None:
    for document, field, words in INVALID:  # one bot for every case: each refusal leaves nothing behind
        status, answer = send(bot, [payment("pay_ok"), document])
        assert status == 400, field
        assert [(e["index"], e["field"]) for e in answer["errors"]] == [(1, field)]
        assert words in answer["errors"][0]["message"]
        assert stored(bot) == [], "all or nothing: the valid payment of the batch is not stored either"


def test_malformed_json_a_1001_batch_and_a_6_mb_body_are_refused(bot: RunningBot) -> None:
    status, answer = post_raw(bot, b'{"id": "pay_1", ')
    assert status == 400 and "not valid JSON" in answer["errors"][0]["message"]
    status, answer = send(bot, [payment(f"pay_{i}") for i in range(1001)])
    assert status == 400 and "at most 1000" in answer["errors"][0]["message"]
    big = json.dumps(payment(description="x" * 4000) | {"padding": "y" * (6 * 1024 * 1024)}).encode()
    status, answer = post_raw(bot, big)
    assert status == 413 and "5 MB" in answer["errors"][0]["message"]
    assert stored(bot) == []


def test_without_a_secret_the_webhook_answers_503(bot: RunningBot) -> None:
    bot.server.services.settings.payments_webhook_secret = None
    status, answer = send(bot, payment())
    assert status == 503 and "PAYMENTS_WEBHOOK_SECRET" in answer["errors"][0]["message"]


def test_payments_wait_until_xero_is_connected_and_status_says_why(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    assert send(bot, payment())[0] == 201
    bot.server.run_job("post_new_payments")
    assert cards(slack) == []
    bot.sender.slash_command("status", EMPLOYEE, FINANCE_CHANNEL)
    status = slack.wait_for(lambda: [r for r in slack.responses() if "Xero:" in r.get("text", "")] or None)
    assert "1 pending" in status[-1]["text"] and "Payments wait until Xero is connected" in status[-1]["text"]
    connect(bot, slack)
    bot.server.run_job("post_new_payments")
    assert len(cards(slack)) == 1


@both_transports
def test_the_account_search_offers_matching_usable_accounts_only(connected: RunningBot, slack: FakeSlack) -> None:
    send(connected, payment())
    [card] = wait_for_cards(slack, 1)
    options = connected.sender.suggest(
        FINANCE, "payment_account", "travel", channel=FINANCE_CHANNEL, ts=card["ts"]
    ).json()
    texts = [o["text"]["text"] for o in options["options"]]
    assert texts and all("travel" in t.lower() for t in texts)
    by_code = connected.sender.suggest(FINANCE, "payment_account", "09", channel=FINANCE_CHANNEL, ts=card["ts"]).json()
    offered = {o["value"] for o in by_code["options"]}
    assert offered and not offered & {"090", "091", "092"}, "bank accounts are not offered for spending"


def test_choosing_account_tax_and_tracking_updates_the_message(connected: RunningBot, slack: FakeSlack) -> None:
    send(connected, payment(category=None))
    [card] = wait_for_cards(slack, 1)
    sender = connected.sender
    sender.select(
        FINANCE,
        FINANCE_CHANNEL,
        card["ts"],
        "payment_account",
        {"text": {"type": "plain_text", "text": "463 IT Software and Consumables"}, "value": "463"},
    )
    updated = eventually(
        lambda: (m := latest(slack, card["ts"])) and element(m, "payment_account").get("initial_option") and m
    )
    assert element(updated, "payment_account")["initial_option"]["value"] == "463"
    assert element(updated, "payment_tax")["initial_option"]["value"] == "INPUT2", "the account's default tax type"
    sender.select(
        FINANCE, FINANCE_CHANNEL, card["ts"], "payment_tax", option_value(element(updated, "payment_tax"), "No VAT")
    )
    eventually(lambda: element(latest(slack, card["ts"]), "payment_tax")["initial_option"]["value"] == "NONE")
    tracking = element(latest(slack, card["ts"]), "payment_tracking_0")
    north = (
        option_value(tracking, "North")
        if any(o["text"]["text"] == "North" for o in tracking["options"])
        else option_value(tracking, "Engineering")
    )
    sender.select(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_tracking_0", north)
    eventually(
        lambda: element(latest(slack, card["ts"]), "payment_tracking_0").get("initial_option", {}).get("value") == north
    )
    [saved] = stored(connected)
    assert (saved.account_code, saved.tax_type) == ("463", "NONE")
    assert saved.tracking == [{"category_id": north.split(":")[0], "option_id": north.split(":")[1]}]


def test_a_change_from_a_stale_message_is_refused_with_a_friendly_message(
    connected: RunningBot, slack: FakeSlack
) -> None:
    send(connected, payment(category=None))
    [card] = wait_for_cards(slack, 1)
    connected.sender.select(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_account", "463")
    eventually(lambda: stored(connected)[0].account_code == "463")
    stale = dict(card)
    connected.sender.send_interaction(
        {
            "type": "block_actions",
            "user": {"id": ADMIN, "username": "ada", "team_id": slack.team_id},
            "team": {"id": slack.team_id},
            "api_app_id": slack.app_id,
            "container": {"type": "message", "channel_id": FINANCE_CHANNEL, "message_ts": card["ts"]},
            "channel": {"id": FINANCE_CHANNEL},
            "message": stale,
            "response_url": slack.issue_response_url(ADMIN, FINANCE_CHANNEL, card["ts"]),
            "trigger_id": slack.issue_trigger(ADMIN),
            "actions": [
                {
                    "type": "static_select",
                    "action_id": "payment_tax",
                    "block_id": element_block_id(card, "payment_tax"),
                    "selected_option": {"text": {"type": "plain_text", "text": "No VAT"}, "value": "NONE"},
                }
            ],
        }
    )
    refusal = slack.wait_for(lambda: [r for r in slack.responses() if "Someone else" in r.get("text", "")] or None)
    assert "your change was not saved" in refusal[-1]["text"]
    assert stored(connected)[0].tax_type == "INPUT2"


def element_block_id(message: dict[str, object], action_id: str) -> str:
    for block in message["blocks"]:  # type: ignore[union-attr]
        if any(e.get("action_id") == action_id for e in block.get("elements", [])):  # type: ignore[union-attr]
            return str(block["block_id"])  # type: ignore[index]
    raise AssertionError(action_id)


def test_outside_text_renders_literally_and_pings_no_one(connected: RunningBot, slack: FakeSlack) -> None:
    send(connected, payment(payee="<!channel> *x*", description="<@U0BOT> & <https://evil.example|click>"))
    [card] = wait_for_cards(slack, 1)
    raw = json.dumps(card)
    assert "<!channel>" not in raw and "<@U0BOT>" not in raw and "<https://evil" not in raw
    assert "&lt;!channel&gt;" in raw


def test_the_category_mapping_prefills_a_later_payment(connected: RunningBot, slack: FakeSlack) -> None:
    send(connected, payment())
    [card] = wait_for_cards(slack, 1)
    connected.sender.select(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_account", "463")
    offer = slack.wait_for(
        lambda: [e for e in slack.ephemerals(user=FINANCE) if "Software" in e.get("text", "")] or None
    )
    assert "Use 463 IT Software and Consumables for all" in offer[-1]["text"]
    connected.sender.click(FINANCE, FINANCE_CHANNEL, offer[-1]["ts"], "use_for_category")
    eventually(lambda: len(mappings(connected)) == 1)
    send(connected, payment("pay_0002", category="software "))
    connected.server.run_job("post_new_payments")  # not left to a wake-up the running job may skip (5-second tick)
    second = wait_for_cards(slack, 2)[-1]
    assert element(second, "payment_account")["initial_option"]["value"] == "463"
    assert element(second, "payment_tax")["initial_option"]["value"] == "INPUT2"


def mappings(bot: RunningBot) -> list[CategoryMapping]:
    with bot.uow() as work:
        return list(work.session.query(CategoryMapping))


def test_edit_changes_the_description_contact_and_reference(connected: RunningBot, slack: FakeSlack) -> None:
    send(connected, payment())
    [card] = wait_for_cards(slack, 1)
    connected.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_edit")
    [modal] = slack.wait_for(lambda: slack.modals(FINANCE) or None)
    assert "can't be changed" in FakeSlack.rendered_text(modal)
    response = connected.sender.submit_view(
        FINANCE,
        modal["id"],
        {
            "edit_description": {"value": "Design seats for Q4"},
            "edit_contact": {"value": {"text": {"type": "plain_text", "text": "Create “Figma”"}, "value": "new:Figma"}},
            "edit_reference": {"value": "INV-9"},
        },
    )
    assert response.status == 200
    eventually(lambda: "Design seats for Q4" in FakeSlack.rendered_text(latest(slack, card["ts"])))
    [saved] = stored(connected)
    assert (saved.description, saved.contact_name, saved.reference) == ("Design seats for Q4", "Figma", "INV-9")


def test_an_employee_edits_only_the_description_of_their_own_payment(connected: RunningBot, slack: FakeSlack) -> None:
    send(connected, payment())
    [card] = wait_for_cards(slack, 1)
    connected.sender.click(EMPLOYEE, FINANCE_CHANNEL, card["ts"], "payment_edit")
    [modal] = slack.wait_for(lambda: slack.modals(EMPLOYEE) or None)
    assert {b.get("block_id") for b in modal["blocks"] if b["type"] == "input"} == {"edit_description"}
    connected.sender.submit_view(EMPLOYEE, modal["id"], {"edit_description": {"value": "Team design tool"}})
    eventually(lambda: stored(connected)[0].description == "Team design tool")
    send(connected, payment("pay_0002", spender_email="someone-else@example.com"))
    connected.server.run_job("post_new_payments")  # not left to a wake-up the running job may skip (5-second tick)
    second = wait_for_cards(slack, 2)[-1]
    connected.sender.click(EMPLOYEE, FINANCE_CHANNEL, second["ts"], "payment_edit")
    refusal = slack.wait_for(
        lambda: [r for r in slack.responses() if "only edit payments you made" in r.get("text", "")] or None
    )
    assert refusal


def test_exclude_with_a_reason_then_undo(connected: RunningBot, slack: FakeSlack) -> None:
    send(connected, payment())
    [card] = wait_for_cards(slack, 1)
    connected.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_exclude")
    [modal] = slack.wait_for(lambda: slack.modals(FINANCE) or None)
    connected.sender.submit_view(
        FINANCE,
        modal["id"],
        {
            "exclude_reason": {
                "value": {"text": {"type": "plain_text", "text": "Personal expense"}, "value": "personal"}
            }
        },
    )
    excluded = eventually(lambda: (m := latest(slack, card["ts"])) and "Excluded" in FakeSlack.rendered_text(m) and m)
    assert "personal" in FakeSlack.rendered_text(excluded).lower()
    assert stored(connected)[0].state is PaymentState.EXCLUDED
    connected.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_undo_exclude")
    eventually(lambda: stored(connected)[0].state is PaymentState.PENDING)


def test_a_burst_of_more_than_twenty_payments_posts_one_summary(connected: RunningBot, slack: FakeSlack) -> None:
    connected.server.scheduler.pause()
    status, answer = send(connected, [payment(f"pay_{i:04d}", amount="10.00") for i in range(25)])
    assert status == 201 and len(answer["created"]) == 25
    connected.server.run_job("post_new_payments")
    messages = slack.messages(FINANCE_CHANNEL)
    summaries = [m for m in messages if "25 new payments arrived" in m.get("text", "")]
    assert len(summaries) == 1 and "SGD" in summaries[0]["text"] and "250.00" in summaries[0]["text"]
    assert cards(slack) == []


def open_settings(bot: RunningBot, slack: FakeSlack, user: str = ADMIN) -> dict[str, object]:
    bot.sender.slash_command("settings", user, FINANCE_CHANNEL)
    return slack.wait_for(lambda: slack.modals(user) or None)[-1]


def bank_block(modal: dict[str, object], source_external_id: str) -> dict[str, object]:
    for block in modal["blocks"]:  # type: ignore[union-attr]
        if block.get("type") == "input" and source_external_id in block["label"]["text"]:  # type: ignore[union-attr,index]
            return block  # type: ignore[no-any-return]
    raise AssertionError(source_external_id)


def test_settings_map_each_bank_account_to_a_xero_bank_account_of_its_currency(
    connected: RunningBot, slack: FakeSlack
) -> None:
    gbp = {"currency": "GBP", "amount": "12.00"}
    send(
        connected,
        [
            payment("p1", account={"id": "acc-gbp-1", "name": "Operating GBP", "currency": "GBP"}, **gbp),
            payment("p2", account={"id": "acc-gbp-2", "name": "Cards GBP", "currency": "GBP"}, **gbp),
            payment("p3"),
        ],
    )
    employee_answer = connected.sender.slash_command("settings", EMPLOYEE, FINANCE_CHANNEL).json()
    assert employee_answer["text"].startswith("Only workspace admins")
    modal = open_settings(connected, slack)
    first, second = bank_block(modal, "acc-gbp-1"), bank_block(modal, "acc-gbp-2")
    offered = [o["text"]["text"] for o in first["element"]["options"]]  # type: ignore[index]
    assert offered[0] == "Not mapped" and len(offered) == 4, "only Xero BANK accounts (card included) in GBP"
    assert not any("USD" in text for text in offered)
    assert "no Xero bank account in SGD" in FakeSlack.rendered_text(modal)
    account = first["element"]["options"][1]  # type: ignore[index]
    values = {
        first["block_id"]: {"value": account},
        second["block_id"]: {"value": account},
    }
    refused = connected.sender.submit_view(ADMIN, modal["id"], values).json()  # type: ignore[arg-type]
    assert refused["response_action"] == "errors"
    assert "already connected to another bank account" in next(iter(refused["errors"].values()))
    with connected.uow() as work:
        assert all(s.xero_bank_account_id is None for s in work.payments.source_accounts(1))

    not_mapped = second["element"]["options"][0]  # type: ignore[index]
    accepted = connected.sender.submit_view(
        ADMIN,
        modal["id"],  # type: ignore[arg-type]
        {first["block_id"]: {"value": account}, second["block_id"]: {"value": not_mapped}},
    )
    assert accepted.status == 200 and not accepted.body.strip()
    with connected.uow() as work:
        mapped = {s.external_id: s.xero_bank_account_id for s in work.payments.source_accounts(1)}
    assert mapped == {"acc-gbp-1": account["value"], "acc-gbp-2": None, "acc-sgd-1": None}  # type: ignore[index]


def test_settings_add_a_category_mapping_that_prefills_new_payments(connected: RunningBot, slack: FakeSlack) -> None:
    modal = open_settings(connected, slack)
    connected.sender.submit_view(
        ADMIN,
        modal["id"],  # type: ignore[arg-type]
        {
            "settings_new_category": {"value": "Travel"},
            "settings_new_category_account": {
                "payment_account": {"text": {"type": "plain_text", "text": "493"}, "value": "493"}
            },
        },
    )
    eventually(lambda: len(mappings(connected)) == 1)
    send(connected, payment("p9", category="TRAVEL"))
    [card] = wait_for_cards(slack, 1)
    assert element(card, "payment_account")["initial_option"]["value"] == "493"


def test_two_posters_at_once_post_each_payment_once(connected: RunningBot, slack: FakeSlack) -> None:
    connected.server.scheduler.pause()
    send(connected, [payment(f"pay_{i}") for i in range(6)])
    threads = [threading.Thread(target=connected.server.run_job, args=("post_new_payments",)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(cards(slack)) == 6
    assert len({p.message_ts for p in stored(connected)}) == 6
