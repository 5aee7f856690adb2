"""A few threads with a bounded backlog, for slow or memory-heavy work kept off the threads that answer Slack."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from bot.slack.answers_first import in_background, wait_for_answers

logger = logging.getLogger(__name__)


class BoundedWorkers:
    """At most `workers` jobs run at once and `backlog` more wait; beyond that `offer` says no at once,
    so a burst can neither queue without end nor hold the caller. `background`: the workers run at background
    priority, for work spent mostly outside the interpreter lock (bot/slack/answers_first.py, `in_background`)."""

    def __init__(self, *, workers: int, backlog: int, name: str, background: bool = False) -> None:
        self._executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix=name, initializer=in_background if background else None
        )
        self._slots = threading.BoundedSemaphore(workers + backlog)

    def offer(self, job: Callable[[], None]) -> bool:
        """Run `job` on a worker thread; False, with nothing done, when the backlog is full or workers stopped."""
        if not self._slots.acquire(blocking=False):
            return False
        try:
            self._executor.submit(self._run, job)
        except RuntimeError:  # shut down
            self._slots.release()
            return False
        return True

    def _run(self, job: Callable[[], None]) -> None:
        wait_for_answers()  # a download or a conversion waits while Slack waits for answers
        try:
            job()
        except Exception:
            # A job tells its own people about its failures; this only keeps the executor from hiding one.
            logger.exception("a background job failed")
        finally:
            self._slots.release()

    def shutdown(self) -> None:
        """Finish the jobs already accepted, then stop."""
        self._executor.shutdown(wait=True)
