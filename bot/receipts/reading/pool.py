"""Readings run on a few worker threads of their own, never on the threads that answer Slack: the person's receipt
is acknowledged at once and its reading follows when a worker is free."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from bot.receipts.reading.model import ReceiptReading
from bot.slack.answers_first import in_background

logger = logging.getLogger(__name__)

ReceiptId = TypeVar("ReceiptId")
Reader = Callable[[bytes, str | None], ReceiptReading]


def read_receipt(data: bytes, content_type: str | None = None) -> ReceiptReading:
    """`bot.receipts.reading.engine.read_receipt`, imported with the first receipt read: numpy, PDFium and the OCR
    (some 20 MB) stay out of a bot that has read nothing yet."""
    from bot.receipts.reading.engine import read_receipt as read

    return read(data, content_type)


class ReadingPool:
    """At most `workers` readings at once (OCR takes one core and ~150 MB each), at background priority, and
    `backlog` more waiting with their bytes; `submit` says no at once beyond that, and after `shutdown`.
    `on_read(receipt_id, reading)` is called on the worker thread; its exceptions are logged, never lost silently."""

    def __init__(self, *, workers: int = 2, backlog: int = 20, reader: Reader = read_receipt) -> None:
        self._executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="receipt-reading", initializer=in_background
        )
        self._slots = threading.BoundedSemaphore(workers + backlog)
        self._reader = reader
        self._stopping = threading.Event()

    def submit(
        self,
        receipt_id: ReceiptId,
        data: bytes,
        content_type: str | None,
        on_read: Callable[[ReceiptId, ReceiptReading], None],
    ) -> bool:
        """Queue the receipt for reading; False, with nothing queued, when the pool is full or stopping."""
        if self._stopping.is_set() or not self._slots.acquire(blocking=False):
            return False
        try:
            self._executor.submit(self._run, receipt_id, data, content_type, on_read)
        except RuntimeError:  # shut down meanwhile
            self._slots.release()
            return False
        return True

    def _run(
        self,
        receipt_id: ReceiptId,
        data: bytes,
        content_type: str | None,
        on_read: Callable[[ReceiptId, ReceiptReading], None],
    ) -> None:
        try:
            if self._stopping.is_set():
                return  # not read: the caller's records still say so, and it may submit it again after a restart
            reading = self._reader(data, content_type)
            on_read(receipt_id, reading)
        except Exception:
            logger.exception("a receipt reading's result could not be handled")
        finally:
            self._slots.release()

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop taking receipts; the readings under way finish (and are handed over), those waiting are dropped."""
        self._stopping.set()
        self._executor.shutdown(wait=wait, cancel_futures=True)
