"""Batches of an import stored on a second thread while the next batch is parsed."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from bot.payments.input import PaymentIn

Progress = Callable[[int, int], None]


class BatchWriter:
    """Stores batches on a second thread while the next batch is parsed; at most two batches wait, so memory stays
    bounded, and a failure to store stops the import with that failure."""

    def __init__(self, store: Callable[[list[PaymentIn]], None]) -> None:
        self._store = store
        self._queue: queue.Queue[tuple[list[PaymentIn], int, int, Progress | None] | None] = queue.Queue(maxsize=2)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="import-writer", daemon=True)

    def __enter__(self) -> BatchWriter:
        self._thread.start()
        return self

    def put(self, batch: list[PaymentIn], done: int, total: int, progress: Progress | None) -> None:
        self._raise_failure()
        self._queue.put((batch, done, total, progress))

    def __exit__(self, *exc: object) -> None:
        self._queue.put(None)
        self._thread.join()
        if exc[0] is None:
            self._raise_failure()

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._failure is not None:
                continue
            batch, done, total, progress = item
            try:
                self._store(batch)
            except BaseException as failure:  # handed to the parsing thread, which raises it
                self._failure = failure
                continue
            if progress is not None:
                progress(done, total)

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure
