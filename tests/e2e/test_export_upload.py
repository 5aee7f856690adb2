"""A bank export uploaded to the bot's direct messages: preview, the form to confirm the mapping, the import."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

from bot.workers import BoundedWorkers
from handlers.exports import IMPORTS_BUSY
from sandbox.slack import FakeSlack
from storage.models import Payment
from tests.e2e.conftest import ADMIN, EMPLOYEE, FINANCE, RunningBot, eventually

# Every date reads both ways (a choice only a person can make), and nothing says the currency.
EXPORT = (
    b"Datum;Tegenrekeninghouder;Bedrag\n05-03-2021;Albert Heijn;-12,50\n06-03-2021;Bol.com;-3,00\n"
    b"07-03-2021;Rente;0,40\n"
)


def upload(bot: RunningBot, slack: FakeSlack, user: str, name: str, content: bytes, mimetype: str) -> dict[str, Any]:
    channel = slack.dm_channel(user)
    file = slack.add_file(user, name, content, mimetype, channel=channel)
    event = bot.sender.file_share_message(user, channel, None, [file])
    assert bot.sender.event(event).status == 200
    return event


def thread_replies(slack: FakeSlack, event: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in slack.replies(event["channel"], event["ts"]) if m.get("ts") != event["ts"]]


def payments(bot: RunningBot) -> list[Payment]:
    with bot.uow() as work:
        return list(work.session.query(Payment).order_by(Payment.id))


def test_finance_uploads_an_export_confirms_the_mapping_and_it_is_imported(bot: RunningBot, slack: FakeSlack) -> None:
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, slack.dm_channel(ADMIN))
    event = upload(bot, slack, FINANCE, "knab-march.csv", EXPORT, "text/csv")

    [preview] = eventually(lambda: thread_replies(slack, event) or None)
    assert "knab-march.csv" in preview["text"] and "--date-format DMY or MDY" in preview["text"]
    assert payments(bot) == []
    bot.sender.click(FINANCE, event["channel"], preview["ts"], "export_review")
    [form] = eventually(lambda: slack.modals(FINANCE) or None)
    labels = [block.get("label", {}).get("text") for block in form["blocks"]]
    assert {"Bank account id", "Currency", "Dates are written", "Date column", "Amount column", "Payee column"} <= set(
        labels
    )

    answer = bot.sender.submit_view(
        FINANCE,
        form["id"],
        {
            "export_account": {"value": "knab-eur"},
            "export_currency": {"value": "EUR"},
            "export_date_format": {"value": "DMY"},
        },
    )

    assert answer.status == 200
    summary = eventually(
        lambda: next((m for m in thread_replies(slack, event) if m["text"].startswith("knab-march.csv: 3 lines")), None)
    )
    assert summary["text"] == (
        "knab-march.csv: 3 lines: 2 new, 0 already imported, 1 credits (money in) skipped, 0 skipped, 0 invalid"
    )
    stored = payments(bot)
    assert [(p.payee, p.amount, p.date.isoformat(), p.currency) for p in stored] == [
        ("Albert Heijn", Decimal("12.50"), "2021-03-05", "EUR"),
        ("Bol.com", Decimal("3.00"), "2021-03-06", "EUR"),
    ]


def test_an_employee_cannot_import_and_nothing_is_stored(bot: RunningBot, slack: FakeSlack) -> None:
    event = upload(bot, slack, EMPLOYEE, "statement.csv", EXPORT, "text/csv")

    [reply] = eventually(lambda: thread_replies(slack, event) or None)

    assert reply["text"].startswith("Only finance users and admins can import bank exports.")
    assert payments(bot) == []


def test_only_the_uploader_can_import_their_file(bot: RunningBot, slack: FakeSlack) -> None:
    event = upload(bot, slack, ADMIN, "ada.csv", EXPORT, "text/csv")
    [preview] = eventually(lambda: thread_replies(slack, event) or None)
    file_id = preview["blocks"][-1]["elements"][0]["value"]
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> admin", ADMIN, slack.dm_channel(ADMIN))
    own = upload(bot, slack, FINANCE, "fiona.csv", EXPORT, "text/csv")
    [own_preview] = eventually(lambda: thread_replies(slack, own) or None)

    response = bot.sender.click(FINANCE, own["channel"], own_preview["ts"], "export_review", value=file_id)

    assert response.status == 200
    assert slack.modals(FINANCE) == []
    refusal = eventually(lambda: slack.ephemerals(user=FINANCE) or None)
    assert "Only the person who uploaded this export can import it" in refusal[-1]["text"]


def test_a_photo_at_the_top_of_the_dm_is_not_taken_for_an_export(bot: RunningBot, slack: FakeSlack) -> None:
    event = upload(bot, slack, ADMIN, "receipt.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg")

    assert bot.sender.event(bot.sender.user_message(ADMIN, event["channel"], "hello")).status == 200
    # A photo sent on its own is taken for a receipt (tests/e2e/test_receipt_checks.py), and this one cannot be read:
    # the bot says so in its thread, once the receipt workers have looked at it. That is its only answer.
    [answer] = eventually(lambda: thread_replies(slack, event) or None)
    assert answer["text"].startswith("That JPEG file seems to be damaged or incomplete")
    assert [b for b in answer.get("blocks", []) if b.get("type") == "actions"] == [], "no export preview to review"


def test_an_import_runs_off_slacks_threads_and_a_full_queue_is_said_not_dropped(
    bot: RunningBot, slack: FakeSlack
) -> None:
    """The confirmation is answered at once while the import waits for a worker; with every worker and place in the
    queue taken, the person is told in the thread and nothing is imported behind their back."""
    release = threading.Event()
    busy = BoundedWorkers(workers=1, backlog=0, name="test-imports")
    assert busy.offer(lambda: release.wait(10))
    bot.server.services.exports._workers = busy
    try:
        bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, slack.dm_channel(ADMIN))
        event = upload(bot, slack, FINANCE, "knab-march.csv", EXPORT, "text/csv")
        [preview] = eventually(lambda: thread_replies(slack, event) or None)
        bot.sender.click(FINANCE, event["channel"], preview["ts"], "export_review")
        [form] = eventually(lambda: slack.modals(FINANCE) or None)
        answer = bot.sender.submit_view(
            FINANCE,
            form["id"],
            {
                "export_account": {"value": "knab-eur"},
                "export_currency": {"value": "EUR"},
                "export_date_format": {"value": "DMY"},
            },
        )
        assert answer.status == 200
        busy_note = eventually(
            lambda: next((m for m in thread_replies(slack, event) if m["text"] == IMPORTS_BUSY), None)
        )
        assert "nothing was imported" in busy_note["text"]
        assert payments(bot) == []
    finally:
        release.set()
