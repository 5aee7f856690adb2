"""Receipts that read themselves (issue 17), over HTTP: the card says "Receipt matches" or exactly what differs, a
receipt DM'd before its payment is attached when the payment arrives, two fitting payments are offered to choose
from, and reading never holds up the reply to the person. (A tax the rate does not give, and a rule that waits for a
person when the receipt differs, are service tests: tests/services/test_receipt_checks.py; the card's tax line is
tests/handlers/test_receipt_check_blocks.py.)

The reading pool is the bot's own (bot.receipts.reading.ReadingPool) with a reader of canned readings: each test
file names its reading in a PDF comment, so no OCR runs here."""

from __future__ import annotations

import io
import random
import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.receipts.reading import ReadingPool, ReceiptReading
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from tests.e2e.conftest import EMPLOYEE, FINANCE, FINANCE_CHANNEL, RunningBot, eventually
from tests.e2e.payments_flow import cards, element, payment, send
from tests.e2e.test_sync import GBP, post_coded, posted_card, settled, stored
from tests.e2e.test_sync import ready as ready  # the fixture
from tests.receipt_rendering import render
from tests.receipt_samples import LOCALES, content

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"


class CannedReader:
    """Reads the `%reading total=… tax=… date=… merchant=…` comment a test wrote into its PDF; `hold` keeps every
    reading waiting until the test releases it."""

    def __init__(self) -> None:
        self.hold = threading.Event()
        self.hold.set()
        self.started = threading.Event()

    def __call__(self, data: bytes, content_type: str | None) -> ReceiptReading:
        self.started.set()
        assert self.hold.wait(timeout=30), "the test never released the reading"
        line = data.split(b"%reading ", 1)[1].split(b"\n", 1)[0].decode()
        fields = dict(part.split("=", 1) for part in line.split(";"))
        return ReceiptReading(
            total=Decimal(fields["total"]) if "total" in fields else None,
            currency=fields.get("currency", "GBP"),
            date=date.fromisoformat(fields.get("date", "2026-11-20")),
            merchant=fields.get("merchant", "Figma Inc"),
            tax=Decimal(fields["tax"]) if "tax" in fields else None,
            engine="text layer",
        )


def receipt_pdf(**fields: str) -> bytes:
    return PDF + b"%reading " + ";".join(f"{k}={v}" for k, v in fields.items()).encode() + b"\n%%EOF\n"


@pytest.fixture
def reader(ready: RunningBot) -> Iterator[CannedReader]:
    canned = CannedReader()
    pool = ReadingPool(workers=1, backlog=5, reader=canned)
    ready.server.services.receipt_checks.pool = pool
    yield canned
    canned.hold.set()
    pool.shutdown()


def share(bot: RunningBot, slack: FakeSlack, user: str, channel: str, thread_ts: str | None, content: bytes) -> str:
    file = slack.add_file(user, "receipt.pdf", content, "application/pdf", channel=channel)
    event = bot.sender.file_share_message(user, channel, thread_ts, [file])
    assert bot.sender.event(event).status == 200
    return str(event["event"]["ts"]) if "event" in event else str(event["ts"])


def card_text(slack: FakeSlack, card: dict[str, Any]) -> str:
    return FakeSlack.rendered_text(slack.message(FINANCE_CHANNEL, card["ts"]))


def thread_text(slack: FakeSlack, channel: str, ts: str) -> str:
    return "\n".join(m.get("text", "") for m in slack.replies(channel, ts))


def test_the_reply_comes_before_the_reading_and_the_card_then_says_receipt_matches(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator, reader: CannedReader
) -> None:
    card = post_coded(ready, slack, xero, "pay_1", spender_email="ana@example.com")
    reader.hold.clear()  # the reader is slow: it finishes only when the test says

    share(ready, slack, FINANCE, FINANCE_CHANNEL, card["ts"], receipt_pdf(total="120.00", merchant="FIGMA, INC."))

    eventually(lambda: "this payment now has 1 receipt" in thread_text(slack, FINANCE_CHANNEL, card["ts"]))
    eventually(lambda: "1 receipt" in card_text(slack, card))
    assert reader.started.wait(timeout=15)
    assert "Receipt matches" not in card_text(slack, card)  # answered while the reading is still under way
    reader.hold.set()
    eventually(lambda: "Receipt matches" in card_text(slack, card))


def test_a_receipt_with_another_total_is_flagged_with_both_amounts_and_finance_keeps_it(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator, reader: CannedReader
) -> None:
    card = post_coded(ready, slack, xero, "pay_1")

    share(ready, slack, FINANCE, FINANCE_CHANNEL, card["ts"], receipt_pdf(total="45.00"))

    eventually(lambda: "Receipt total GBP 45.00, payment GBP 120.00" in card_text(slack, card))
    message = settled(ready, slack, card["ts"])
    assert element(message, "receipt_keep")["text"]["text"] == "Keep anyway"
    assert element(message, "receipt_remove")["text"]["text"] == "Remove receipt"
    block_id = next(b["block_id"] for b in message["blocks"] if b.get("block_id", "").startswith("receipt_check:"))
    ready.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "receipt_keep", block_id=block_id)
    eventually(lambda: "Receipt kept anyway by" in card_text(slack, card))


def test_a_receipt_dmd_before_its_payment_is_attached_when_the_payment_arrives(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator, reader: CannedReader
) -> None:
    dm = slack.dm_channel(EMPLOYEE)
    sent = share(ready, slack, EMPLOYEE, dm, None, receipt_pdf(total="64.20", merchant="Blue Bottle Coffee"))
    eventually(lambda: "I'll keep it, attach it when the payment arrives" in thread_text(slack, dm, sent))

    send(ready, payment("pay_9", account=GBP, currency="GBP", amount="64.20", payee="BLUE BOTTLE COFFEE LDN"))

    eventually(lambda: "Attached to the payment of GBP 64.20 to BLUE BOTTLE COFFEE LDN" in thread_text(slack, dm, sent))
    card = posted_card(ready, slack, "pay_9")
    assert "1 receipt" in card_text(slack, card) and "Receipt matches" in card_text(slack, card)


def test_two_fitting_payments_are_offered_and_the_sender_chooses(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator, reader: CannedReader
) -> None:
    for external_id, day in (("pay_a", "2026-11-19"), ("pay_b", "2026-11-21")):
        send(ready, payment(external_id, account=GBP, currency="GBP", amount="30.00", payee="Uber", date=day))
    dm = slack.dm_channel(EMPLOYEE)

    sent = share(ready, slack, EMPLOYEE, dm, None, receipt_pdf(total="30.00", merchant="Uber"))

    choice = eventually(lambda: next((m for m in slack.replies(dm, sent) if "Which one" in m.get("text", "")), None))
    second = element(choice, "receipt_choose_payment_1")
    assert second["text"]["text"] == "GBP 30.00 to Uber on 21 Nov 2026"
    ready.sender.click(EMPLOYEE, dm, choice["ts"], "receipt_choose_payment_1")
    eventually(lambda: "Attached to the payment of GBP 30.00 to Uber on 21 Nov 2026" in thread_text(slack, dm, sent))
    ids = {external_id: stored(ready, external_id).id for external_id in ("pay_a", "pay_b")}
    with ready.uow() as work:
        assert {p: work.payments.receipt_count(i) for p, i in ids.items()} == {"pay_a": 0, "pay_b": 1}


def test_a_photographed_till_receipt_read_by_the_real_engine_matches_its_payment(
    ready: RunningBot, slack: FakeSlack
) -> None:
    """The one journey on the bot's own reader (local OCR): a generated till receipt, printed clean."""
    printed = content(random.Random(0), "till", next(locale for locale in LOCALES if locale.currency == "GBP"))
    photo = io.BytesIO()
    render(printed, random.Random(0)).convert("RGB").save(photo, "JPEG", quality=90)
    truth = printed.truth
    body = payment("pay_1", account=GBP, currency="GBP", amount=str(truth.total), date=truth.date.isoformat())
    send(ready, body | {"payee": f"{truth.merchant.upper()} LTD"})
    ready.server.run_job("post_new_payments")
    [card] = cards(slack)

    file = slack.add_file(FINANCE, "till.jpg", photo.getvalue(), "image/jpeg", channel=FINANCE_CHANNEL)
    ready.sender.event(ready.sender.file_share_message(FINANCE, FINANCE_CHANNEL, card["ts"], [file]))

    eventually(lambda: "Receipt matches" in card_text(slack, card), timeout=120)


def test_a_receipt_posted_in_the_finance_channel_outside_any_thread_finds_its_payment(
    ready: RunningBot, slack: FakeSlack, reader: CannedReader
) -> None:
    send(ready, payment("pay_1", account=GBP, currency="GBP", amount="18.40", payee="PRET A MANGER"))
    ready.server.run_job("post_new_payments")
    [card] = cards(slack)

    posted = share(ready, slack, FINANCE, FINANCE_CHANNEL, None, receipt_pdf(total="18.40", merchant="Pret A Manger"))

    link = stored(ready, "pay_1").message_url
    said = f"Attached to the payment of <{link}|GBP 18.40 to PRET A MANGER on 20 Nov 2026>"
    eventually(lambda: said in thread_text(slack, FINANCE_CHANNEL, posted))
    eventually(lambda: "Receipt matches" in card_text(slack, card))
