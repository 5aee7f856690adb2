"""Receipts from the people who spent the money: the DM ask, thread replies, checks, reminders, digest.

What a reply in the thread is refused for (not a photo or PDF, too large, an eleventh, a stranger's), how a photo
is converted or shrunk, and that receipts are encrypted at rest: service tests, tests/services/test_receipt_replies.py.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from PIL import Image
from sqlalchemy.orm import undefer

from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import Payment, Receipt
from tests.e2e.conftest import (
    ADMIN,
    EMPLOYEE,
    FINANCE,
    FINANCE_CHANNEL,
    RunningBot,
    both_transports,
    eventually,
)
from tests.e2e.payments_flow import cards, payment, send, wait_for_cards
from tests.e2e.xero_flow import connect

MB = 1024 * 1024


@pytest.fixture
def posted(bot: RunningBot, slack: FakeSlack, xero: XeroEmulator) -> dict[str, Any]:
    """A connected workspace with one posted payment whose spender (Ana) has been asked for the receipt."""
    connect(bot, slack)
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL)
    bot.server.scheduler.pause()
    send(bot, payment())
    bot.server.run_job("post_new_payments")
    [card] = cards(slack)
    return card


def ask(slack: FakeSlack) -> dict[str, Any]:
    asks = [m for m in slack.messages(slack.dm_channel(EMPLOYEE)) if "receipt" in m.get("text", "")]
    assert len(asks) == 1
    return asks[0]


def jpeg(width: int = 800, height: int = 1000) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (240, 240, 230)).save(out, "JPEG", quality=90)
    return out.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 400]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def reply_with_file(
    bot: RunningBot, slack: FakeSlack, user: str, channel: str, thread_ts: str, name: str, content: bytes, mimetype: str
) -> dict[str, Any]:
    file = slack.add_file(user, name, content, mimetype, channel=channel)
    event = bot.sender.file_share_message(user, channel, thread_ts, [file])
    assert bot.sender.event(event).status == 200
    return event


def receipts(bot: RunningBot) -> list[Receipt]:
    with bot.uow() as work:
        return list(work.session.query(Receipt).options(undefer(Receipt.content)).order_by(Receipt.id))


def thread_text(slack: FakeSlack, channel: str, ts: str) -> str:
    return "\n".join(m.get("text", "") for m in slack.replies(channel, ts))


def test_the_spender_is_asked_once_in_a_direct_message(
    bot: RunningBot, slack: FakeSlack, posted: dict[str, Any]
) -> None:
    request = ask(slack)
    assert "reply in this thread with a photo or PDF of the receipt" in request["text"]
    assert "Figma Inc" in request["text"] and "SGD 123.45" in request["text"]
    buttons = [e["text"]["text"] for b in request["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["No receipt"]
    bot.server.run_job("post_new_payments")
    ask(slack)


@both_transports
def test_a_jpeg_in_the_dm_thread_and_a_pdf_in_the_channel_thread_both_attach(
    bot: RunningBot, slack: FakeSlack, posted: dict[str, Any]
) -> None:
    request = ask(slack)
    dm = slack.dm_channel(EMPLOYEE)
    photo = reply_with_file(bot, slack, EMPLOYEE, dm, request["ts"], "IMG_2041.JPG", jpeg(), "image/jpeg")
    eventually(lambda: len(receipts(bot)) == 1)
    eventually(lambda: "1 receipt" in thread_text(slack, dm, request["ts"]))
    assert "white_check_mark" in slack.reactions(dm, photo["ts"])
    eventually(lambda: "1 receipt" in FakeSlack.rendered_text(slack.message(FINANCE_CHANNEL, posted["ts"])))

    reply_with_file(bot, slack, FINANCE, FINANCE_CHANNEL, posted["ts"], "invoice.pdf", PDF, "application/pdf")
    eventually(lambda: len(receipts(bot)) == 2)
    eventually(lambda: "2 receipts" in FakeSlack.rendered_text(slack.message(FINANCE_CHANNEL, posted["ts"])))
    first, second = receipts(bot)
    assert (first.file_name, first.mime_type, first.sent_by_user_id) == ("IMG_2041.jpg", "image/jpeg", EMPLOYEE)
    assert (second.file_name, second.mime_type, second.content) == ("invoice.pdf", "application/pdf", PDF)


def test_the_html_sign_in_page_slack_serves_without_files_read_is_refused(
    bot: RunningBot, slack: FakeSlack, posted: dict[str, Any]
) -> None:
    request = ask(slack)
    dm = slack.dm_channel(EMPLOYEE)
    slack.remove_scope("files:read")
    reply_with_file(bot, slack, EMPLOYEE, dm, request["ts"], "receipt.jpg", jpeg(), "image/jpeg")
    eventually(lambda: "sign-in page" in thread_text(slack, dm, request["ts"]))
    assert receipts(bot) == []


@both_transports
def test_a_retried_event_and_the_same_file_again_attach_once(
    bot: RunningBot, slack: FakeSlack, posted: dict[str, Any]
) -> None:
    request = ask(slack)
    dm = slack.dm_channel(EMPLOYEE)
    content = jpeg()
    file = slack.add_file(EMPLOYEE, "receipt.jpg", content, "image/jpeg", channel=dm)
    event = bot.sender.file_share_message(EMPLOYEE, dm, request["ts"], [file])
    bot.sender.event(event, event_id="EvFILE1")
    bot.sender.event(event, event_id="EvFILE1", retry_num=1)
    eventually(lambda: len(receipts(bot)) == 1)
    again = slack.add_file(EMPLOYEE, "receipt-copy.jpg", content, "image/jpeg", channel=dm)
    bot.sender.event(bot.sender.file_share_message(EMPLOYEE, dm, request["ts"], [again]))
    eventually(lambda: thread_text(slack, dm, request["ts"]).count("Got it") == 1)
    bot.sender.event(bot.sender.file_share_message(EMPLOYEE, dm, request["ts"], [again]))
    assert len(receipts(bot)) == 1


def test_no_receipt_with_a_reason_shows_on_the_card(bot: RunningBot, slack: FakeSlack, posted: dict[str, Any]) -> None:
    request = ask(slack)
    bot.sender.click(EMPLOYEE, slack.dm_channel(EMPLOYEE), request["ts"], "no_receipt")
    [modal] = slack.wait_for(lambda: slack.modals(EMPLOYEE) or None)
    bot.sender.submit_view(
        EMPLOYEE,
        modal["id"],
        {"no_receipt_reason": {"value": {"text": {"type": "plain_text", "text": "Lost"}, "value": "lost"}}},
    )
    eventually(lambda: "No receipt: lost" in FakeSlack.rendered_text(slack.message(FINANCE_CHANNEL, posted["ts"])))


def test_who_made_this_payment_asks_the_chosen_person(
    bot: RunningBot, slack: FakeSlack, posted: dict[str, Any]
) -> None:
    send(bot, payment("pay_nospender", spender_email=None))
    bot.server.run_job("post_new_payments")
    card = wait_for_cards(slack, 2)[-1]
    assert "Who made this payment?" in FakeSlack.rendered_text(card)
    bot.sender.select_user(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_spender", EMPLOYEE)
    eventually(lambda: (p := by_external_id(bot, "pay_nospender")) is not None and p.spender_user_id == EMPLOYEE)
    bot.server.run_job("post_new_payments")
    asks = [m for m in slack.messages(slack.dm_channel(EMPLOYEE)) if "receipt" in m.get("text", "")]
    assert len(asks) == 2


def by_external_id(bot: RunningBot, external_id: str) -> Payment | None:
    with bot.uow() as work:
        return work.session.query(Payment).filter_by(external_id=external_id).one_or_none()


def test_reminders_go_out_on_days_1_4_and_7_in_working_hours_then_stop(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    monday_9_30 = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
    bot.clock.advance(seconds=(monday_9_30 - bot.clock.now()).total_seconds())
    connect(bot, slack)
    bot.server.scheduler.pause()
    send(bot, payment())
    bot.server.run_job("post_new_payments")
    request = ask(slack)
    dm = slack.dm_channel(EMPLOYEE)
    sent_on: list[int] = []
    for day in range(0, 12):
        for hour in (7, 10, 15, 20):  # before, during and after working hours
            moment = monday_9_30.replace(hour=hour, minute=0)
            bot.clock.advance(seconds=(moment.replace(day=16 + day) - bot.clock.now()).total_seconds())
            before = reminder_count(slack, dm, request["ts"])
            bot.server.run_job("remind_missing_receipts")
            if reminder_count(slack, dm, request["ts"]) > before:
                sent_on.append(day)
    # Day 4 is a Friday and day 7 a Monday; the weekend days in between get nothing.
    assert sent_on == [1, 4, 7]


def reminder_count(slack: FakeSlack, channel: str, ts: str) -> int:
    return sum("gentle reminder" in m.get("text", "") for m in slack.replies(channel, ts))


def test_the_weekly_digest_lists_missing_receipts_by_person(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    connect(bot, slack)
    bot.server.scheduler.pause()
    send(bot, [payment("p1"), payment("p2", payee="Grab", amount="18.40"), payment("p3", spender_email=None)])
    bot.server.run_job("post_new_payments")
    monday = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
    bot.clock.advance(seconds=(monday - bot.clock.now()).total_seconds())
    bot.server.run_job("weekly_receipt_digest")
    bot.server.run_job("weekly_receipt_digest")
    digests = [m for m in slack.messages(FINANCE_CHANNEL) if m.get("text", "").startswith("Weekly receipts digest")]
    assert len(digests) == 1
    shown = FakeSlack.rendered_text(digests[0])
    assert "3 payments still missing a receipt" in digests[0]["text"]
    assert f"<@{EMPLOYEE}>" in shown and "Grab" in shown and "Figma Inc" in shown


def test_admins_set_the_reminder_schedule_and_time_zone(bot: RunningBot, slack: FakeSlack, xero: XeroEmulator) -> None:
    bot.sender.slash_command("settings", ADMIN, FINANCE_CHANNEL)
    [modal] = slack.wait_for(lambda: slack.modals(ADMIN) or None)
    refused = bot.sender.submit_view(
        ADMIN, modal["id"], {"settings_reminder_every": {"value": "0"}, "settings_timezone": {"value": "Mars/Base"}}
    ).json()
    assert refused["response_action"] == "errors"
    assert set(refused["errors"]) == {"settings_reminder_every", "settings_timezone"}
    accepted = bot.sender.submit_view(
        ADMIN,
        modal["id"],
        {
            "settings_reminder_first": {"value": "2"},
            "settings_reminder_every": {"value": "5"},
            "settings_reminder_max": {"value": "2"},
            "settings_timezone": {"value": "Asia/Singapore"},
        },
    )
    assert accepted.status == 200
    with bot.uow() as work:
        workspace = work.workspaces.by_team(slack.team_id)
        assert workspace is not None
        assert (workspace.reminder_first_after_days, workspace.reminder_every_days, workspace.reminder_max) == (2, 5, 2)
        assert workspace.timezone == "Asia/Singapore"
