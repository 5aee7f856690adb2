"""Receipts under attack and under load: file URLs that are not Slack's, huge photos several at a time. (A receipt
sent while every receipt worker is busy: tests/services/test_receipt_replies.py.)"""

from __future__ import annotations

import gc
import io
import os
import socket
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy.engine import Engine

from bot.receipts.reading import read_receipt
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import Receipt
from storage.uow import UnitOfWorkFactory
from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import ADMIN, EMPLOYEE, FINANCE, FINANCE_CHANNEL, RunningBot, eventually, running_bot
from tests.e2e.payments_flow import cards, payment, send
from tests.e2e.xero_flow import connect

MB = 1024 * 1024
PHOTO_SIZE = (6000, 4500)  # 27 megapixels


def posted_payment(bot: RunningBot, slack: FakeSlack) -> tuple[dict[str, Any], str, str]:
    """A posted payment whose spender was asked for the receipt: (card, DM channel, ask ts)."""
    connect(bot, slack)
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL)
    bot.server.scheduler.pause()
    send(bot, payment())
    bot.server.run_job("post_new_payments")
    [card] = cards(slack)
    dm = slack.dm_channel(EMPLOYEE)
    [ask] = eventually(lambda: [m for m in slack.messages(dm) if "receipt" in m.get("text", "")])
    return card, dm, ask["ts"]


def stored_receipts(bot: RunningBot) -> list[Receipt]:
    with bot.uow() as work:
        return list(work.session.query(Receipt).order_by(Receipt.id))


def thread_text(slack: FakeSlack, channel: str, ts: str) -> str:
    return "\n".join(m.get("text", "") for m in slack.replies(channel, ts))


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 1000), (240, 240, 230)).save(out, "JPEG")
    return out.getvalue()


class Listener:
    """A TCP port that records every connection made to it and what was sent (a host the token must never reach)."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port = int(self._socket.getsockname()[1])
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.received.append(connection.recv(65536))
                except OSError:
                    self.received.append(b"")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    other = Listener()
    yield other
    other.close()


def test_a_file_url_that_is_not_slacks_gets_no_request_and_never_the_token(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator, listener: Listener
) -> None:
    _, dm, ask_ts = posted_payment(bot, slack)
    genuine = slack.add_file(EMPLOYEE, "receipt.jpg", jpeg(), "image/jpeg", channel=dm)
    slack_origin = urlsplit(genuine["url_private_download"])
    crafted = [
        # urlsplit reads the fake Slack's host here; urllib3 (which connects) reads the listener's port.
        f"http://127.0.0.1:{listener.port}\\@{slack_origin.netloc}{slack_origin.path}",
        # Slack's host name, another port.
        f"http://127.0.0.1:{listener.port}{slack_origin.path}",
    ]
    for number, url in enumerate(crafted, start=1):
        file = dict(genuine, url_private=url, url_private_download=url)
        assert bot.sender.event(bot.sender.file_share_message(EMPLOYEE, dm, ask_ts, [file])).status == 200
        eventually(lambda n=number: thread_text(slack, dm, ask_ts).count("not stored in Slack") == n)

    assert listener.received == [], "no connection was made, so the bot token went nowhere"
    assert stored_receipts(bot) == []


def png(width: int, height: int, variants: int) -> list[bytes]:
    """RGB PNGs, white but for a distinct band of noise at the bottom (1.5 MB each): built by compressing the
    shared white rows once and only the band per variant, so the test pays well under a second for all of them."""
    row_bytes = width * 3
    white_rows = height - 80
    compressor = zlib.compressobj(1)
    shared = compressor.compress((b"\x00" + b"\xff" * row_bytes) * white_rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    made = []
    for _ in range(variants):
        band = compressor.copy()
        noise = b"".join(b"\x00" + os.urandom(row_bytes) for _ in range(80))
        data = shared + band.compress(noise) + band.flush()
        made.append(header + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    return made


@pytest.fixture(scope="session")
def big_photos() -> list[bytes]:
    return png(*PHOTO_SIZE, variants=5)


def small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(out, format="PNG")
    return out.getvalue()


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


READING_BUDGET_MB = 500


class PeakMemory:
    """The highest resident size of this process (the bot runs in it) while the block runs."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.002)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads this process's memory from /proc")
@pytest.mark.skipif(
    bool(POSTGRES_URL),
    reason="what five photos cost in memory does not depend on the database: measured once, in the SQLite run",
)
def test_five_27_megapixel_photos_at_once_stay_within_memory_and_every_click_is_answered(
    slack: FakeSlack,
    xero: XeroEmulator,
    database_url: str,
    encryption_key: str,
    engine: Engine,
    uow: UnitOfWorkFactory,
    big_photos: list[bytes],
) -> None:
    with running_bot(slack, xero, database_url, encryption_key, engine, uow, receipt_max_mb=1) as bot:
        card, dm, ask_ts = posted_payment(bot, slack)
        files = [
            slack.add_file(EMPLOYEE, f"whiteboard-{n}.png", content, "image/png", channel=dm)
            for n, content in enumerate(big_photos)
        ]
        assert all(len(content) > MB for content in big_photos), "each must be shrunk: the full work, not a check"
        events = [bot.sender.file_share_message(EMPLOYEE, dm, ask_ts, [file]) for file in files]
        read_receipt(small_png())  # the reader's libraries and OCR models, loaded once per process (120 to 170 MB here)
        gc.collect()
        before = rss_mb()
        clicks: list[tuple[int, float]] = []
        with PeakMemory() as memory:
            senders = [threading.Thread(target=bot.sender.event, args=(event,)) for event in events]
            for sender in senders:
                sender.start()
            while len(stored_receipts(bot)) < 5 or len(clicks) < 5:
                started = time.monotonic()
                status = bot.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_edit").status
                clicks.append((status, time.monotonic() - started))
                assert len(clicks) < 2000, "the five photos were never stored"
                # A person's pace, not a loop's: flat out it queued some 1,800 Edit modals, which the bot's
                # graceful stop then opened one by one (10 s of this test) after the point was made.
                time.sleep(0.02)
            for sender in senders:
                sender.join()

        grew = memory.peak - before
        # Converting the five and reading them (one inference ~250 MB, one at a time with the decoding) share one
        # budget: the +500 MB receipts may cost with five read at once. The models, loaded once per process, are
        # outside it here (benchmarks/receipt_memory.py measures them too): with them the margin was too thin for a
        # test (418 to 544 MB when this test was the process's first reading; 302 to 321 MB after).
        assert grew < READING_BUDGET_MB, f"the bot grew by {grew:.0f} MB"
        assert [status for status, _ in clicks] == [200] * len(clicks)
        assert max(seconds for _, seconds in clicks) < 2.5, "each click acknowledged well within Slack's 3 seconds"
        shrunk = [r for r in stored_receipts(bot) if r.size_bytes <= MB]
        assert len(shrunk) == 5
        eventually(lambda: thread_text(slack, dm, ask_ts).count("Got it") == 5)
