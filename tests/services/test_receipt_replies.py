"""Receipts replied in a payment's thread, at the service: who may add one, what is refused and said why, what is
stored (converted, shrunk, encrypted at rest), and the most a payment keeps. Slack's file download and the thread's
replies are fakes; the files are real bytes, checked and converted as the running bot does. (The journey itself, a
photo in the DM thread and a PDF in the channel's, over HTTP and Socket Mode: tests/e2e/test_receipts.py.)"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import text
from sqlalchemy.orm import undefer

from bot.clock import FrozenClock
from bot.connection.roles import Actor, Roles
from bot.errors import DomainError
from bot.payments.coding import Changed
from bot.receipts.ports import SharedFile
from bot.receipts.service import ReceiptService
from storage.models import Payment, Receipt
from storage.uow import UnitOfWorkFactory
from tests.services.coding_support import EMPLOYEE, Desk, FinanceIsAdmin
from tests.services.conftest import FINANCE, Books

MB = 1024 * 1024
STRANGER = "USTRANGE"
CHANNEL, CARD_TS = "C0FINANCE", "1700000000.000100"
DM, ASK_TS = "D0EMP", "1700000000.000200"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 400]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def jpeg(width: int = 800, height: int = 1000) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (240, 240, 230)).save(out, "JPEG", quality=90)
    return out.getvalue()


class SlackFilesFake:
    """Slack's files as the service downloads them: each shared file's id names its bytes."""

    def __init__(self) -> None:
        self.contents: dict[str, bytes] = {}

    def share(self, name: str, content: bytes) -> dict[str, Any]:
        file_id = f"F{len(self.contents) + 1:06d}"
        self.contents[file_id] = content
        return {"id": file_id, "name": name, "size": len(content), "url_private_download": f"https://files/{file_id}"}

    def full_file(self, client: Any, file: dict[str, Any]) -> dict[str, Any]:
        return file

    def download(self, client: Any, file: dict[str, Any]) -> bytes:
        return self.contents[str(file["id"])]


@dataclass
class Thread:
    """What the service says in Slack: replies in the thread, reactions, words to one person, card redraws."""

    replies: list[str] = field(default_factory=list)
    reactions: list[str] = field(default_factory=list)
    told: list[tuple[str, str]] = field(default_factory=list)
    redrawn: list[Changed] = field(default_factory=list)

    def reply(self, team_id: str, channel: str, thread_ts: str, text: str) -> None:
        self.replies.append(text)

    def react(self, team_id: str, channel: str, ts: str, name: str) -> None:
        self.reactions.append(name)

    def tell(self, team_id: str, channel: str, user_id: str, text: str, thread_ts: str | None) -> None:
        self.told.append((user_id, text))

    def update_card(self, team_id: str, changed: Changed) -> None:
        self.redrawn.append(changed)


class AtOnce:
    """The receipt workers, running each job on the caller's thread so a test reads its outcome right after;
    while `full`, they take nothing (every worker busy and the backlog full)."""

    def __init__(self) -> None:
        self.full = False

    def offer(self, job: Callable[[], None]) -> bool:
        if self.full:
            return False
        job()
        return True

    def shutdown(self) -> None:
        return None


@dataclass
class Replies:
    books: Books
    service: ReceiptService
    files: SlackFilesFake
    thread: Thread
    payment_id: int
    uow: UnitOfWorkFactory
    workers: AtOnce

    def send(self, user: str, *files: tuple[str, bytes], channel: str = DM, thread_ts: str = ASK_TS) -> bool:
        shared = [self.files.share(name, content) for name, content in files]
        message_ts = f"1700000001.{len(self.files.contents):06d}"
        return self.service.receive(
            SharedFile("T1", self.books.workspace_id, user, channel, thread_ts, message_ts, shared)
        )

    def receipts(self) -> list[Receipt]:
        with self.uow() as work:
            query = work.session.query(Receipt).options(undefer(Receipt.content)).order_by(Receipt.id)
            return list(query)


@pytest.fixture
def replies(books: Books, uow: UnitOfWorkFactory, clock: FrozenClock) -> Replies:
    """Ana's payment, posted in the finance channel and asked for in her DM."""
    desk = Desk.open(books, uow, clock)
    payment_id = books.payment("pay_1", approved=False)
    with uow() as work:
        row = work.session.get(Payment, payment_id)
        assert row is not None
        row.spender_user_id, row.channel_id, row.message_ts = EMPLOYEE, CHANNEL, CARD_TS
        row.dm_channel_id, row.dm_ts = DM, ASK_TS
        work.commit()
    files, thread, workers = SlackFilesFake(), Thread(), AtOnce()
    service = ReceiptService(
        uow=uow,
        clock=clock,
        roles=Roles(uow=uow, directory=FinanceIsAdmin()),  # type: ignore[arg-type]
        coding=desk.coding,
        slack=SlackClientsFake(),  # type: ignore[arg-type]
        files=files,  # type: ignore[arg-type]
        max_bytes=10 * MB,
        workers=workers,  # type: ignore[arg-type]
        outbox=None,  # type: ignore[arg-type]  # receiving says everything through the thread's messenger
        messenger=thread,
    )
    return Replies(books, service, files, thread, payment_id, uow, workers)


class SlackClientsFake:
    def for_team(self, team_id: str) -> object:
        return object()


def test_a_photo_from_the_spender_and_a_pdf_from_finance_are_stored_and_acknowledged(replies: Replies) -> None:
    assert replies.send(EMPLOYEE, ("IMG_2041.JPG", jpeg()))
    assert replies.send(FINANCE, ("invoice.pdf", PDF), channel=CHANNEL, thread_ts=CARD_TS)
    first, second = replies.receipts()
    assert (first.file_name, first.mime_type, first.sent_by_user_id) == ("IMG_2041.jpg", "image/jpeg", EMPLOYEE)
    assert (second.file_name, second.mime_type, second.content) == ("invoice.pdf", "application/pdf", PDF)
    assert replies.thread.replies == [
        "Got it, thank you: this payment now has 1 receipt.",
        "Got it, thank you: this payment now has 2 receipts.",
    ]
    assert replies.thread.reactions == ["white_check_mark"] * 2
    assert [changed.card.receipts for changed in replies.thread.redrawn] == [1, 2]


def test_a_reply_in_another_thread_is_not_taken(replies: Replies) -> None:
    assert not replies.send(EMPLOYEE, ("r.jpg", jpeg()), thread_ts="1700000000.999999")
    assert replies.receipts() == [] and replies.thread.replies == []


def test_what_is_not_a_receipt_is_refused_with_a_reason(replies: Replies) -> None:
    replies.send(EMPLOYEE, ("setup.jpg", b"MZ\x90\x00" + os.urandom(2000)))
    [program] = replies.thread.replies
    assert "isn't a photo or PDF" in program and "Windows program" in program

    replies.send(EMPLOYEE, ("scan.pdf", PDF + b"%" + b"0" * (20 * MB)))
    assert "Xero accepts receipts up to 10 MB" in replies.thread.replies[-1]
    assert replies.receipts() == [] and replies.thread.reactions == []


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        (b"MZ\x90\x00" + os.urandom(200) + PDF + os.urandom(2000), "a Windows program"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><!--' + PDF + b"--><script>alert(1)</script></svg>",
            "an SVG drawing",
        ),
    ],
)
def test_a_file_with_a_pdf_inside_named_pdf_is_not_a_pdf(replies: Replies, content: bytes, looks_like: str) -> None:
    replies.send(EMPLOYEE, ("receipt.pdf", content))
    [refusal] = replies.thread.replies
    assert refusal.startswith(f"That file isn't a photo or PDF (it looks like {looks_like}).")
    assert replies.receipts() == []


def test_a_crafted_person_in_who_made_this_payment_is_refused(replies: Replies) -> None:
    with pytest.raises(DomainError, match="Pick the person who made this payment from the list"):
        replies.service.set_spender(
            Actor(replies.books.workspace_id, "T1", FINANCE), replies.payment_id, "U" + "A\x00" * 100
        )
    assert replies.books.stored(replies.payment_id).spender_user_id == EMPLOYEE


def test_an_eleventh_receipt_is_refused(replies: Replies) -> None:
    for n in range(11):
        replies.send(EMPLOYEE, (f"r{n}.jpg", jpeg(600 + n, 800)))
    assert len(replies.receipts()) == 10
    assert replies.thread.replies[-1] == (
        "This payment already has 10 receipts, the most Xero keeps on one transaction."
    )
    assert replies.thread.replies[9] == "Got it, thank you: this payment now has 10 receipts."


def test_the_same_file_again_is_stored_once_and_acknowledged_once(replies: Replies) -> None:
    content = jpeg()
    replies.send(EMPLOYEE, ("receipt.jpg", content))
    replies.send(EMPLOYEE, ("receipt-copy.jpg", content))
    assert len(replies.receipts()) == 1
    assert [r for r in replies.thread.replies if r.startswith("Got it")] == [
        "Got it, thank you: this payment now has 1 receipt."
    ]


def test_a_15_mb_photo_is_downscaled_and_a_heic_photo_stored_as_jpeg(replies: Replies) -> None:
    import pillow_heif

    noisy = Image.frombytes("RGB", (3000, 2000), os.urandom(3000 * 2000 * 3))
    png = io.BytesIO()
    noisy.save(png, "PNG")
    assert len(png.getvalue()) > 15 * MB
    replies.send(EMPLOYEE, ("whiteboard.png", png.getvalue()))
    [photo] = replies.receipts()
    assert 1 * MB < photo.size_bytes <= 10 * MB, "downscaled to fit, not shrunk to a thumbnail"
    assert (photo.mime_type, photo.file_name) in (("image/png", "whiteboard.png"), ("image/jpeg", "whiteboard.jpg"))
    assert photo.content is not None and Image.open(io.BytesIO(photo.content)).size[0] >= 1000

    heic = pillow_heif.from_pillow(Image.new("RGB", (640, 480), (200, 10, 10)))
    out = io.BytesIO()
    heic.save(out, quality=70)
    replies.send(EMPLOYEE, ("IMG_0001.HEIC", out.getvalue()))
    converted = replies.receipts()[1]
    assert (converted.file_name, converted.mime_type) == ("IMG_0001.jpg", "image/jpeg")
    assert converted.content is not None and converted.content[:3] == b"\xff\xd8\xff"


def test_when_the_receipt_workers_are_full_the_sender_is_asked_to_send_again_and_nothing_is_lost(
    replies: Replies,
) -> None:
    replies.workers.full = True
    assert replies.send(EMPLOYEE, ("receipt.jpg", jpeg()))
    assert replies.thread.replies == [
        "I'm reading a lot of receipts right now and couldn't take this one. Please send it again in a few minutes."
    ]
    assert replies.receipts() == []

    replies.workers.full = False
    replies.send(EMPLOYEE, ("receipt.jpg", jpeg()))
    assert len(replies.receipts()) == 1
    assert replies.thread.replies[-1] == "Got it, thank you: this payment now has 1 receipt."


def test_a_strangers_reply_is_refused_politely(replies: Replies) -> None:
    assert replies.send(STRANGER, ("mine.jpg", jpeg()), channel=CHANNEL, thread_ts=CARD_TS)
    [(user, words)] = replies.thread.told
    assert user == STRANGER and "only the person who made this payment, or the finance team" in words
    assert replies.receipts() == [] and replies.thread.replies == []


def test_receipts_are_not_in_clear_in_the_database(replies: Replies) -> None:
    replies.send(EMPLOYEE, ("r.pdf", PDF))
    with replies.uow() as work:
        [raw] = work.session.execute(text("SELECT content FROM receipts")).one()
    assert b"%PDF" not in bytes(raw) and b"/Catalog" not in bytes(raw)
    assert replies.receipts()[0].content == PDF, "read back through the application, it is the file sent"
