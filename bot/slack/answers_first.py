"""Answers first: work that follows an answer waits while Slack is still waiting for other answers.

Every thread of the process shares one interpreter lock. At fifty requests at once, a request's answer waits
roughly for the CPU the process spends meanwhile, and most of that is work Slack does not wait for: a click's
change and card redraw, a command's replay record, a scheduled job, a bulk sync's next batch, a receipt's
conversion. So the process counts the Slack requests it has received and not yet answered (waitress counts
them from the moment a request is queued for a thread, bot/server.py), and such work asks `wait_turn` before
it starts: it goes on once no answer is pending and none was given for `LINGER_SECONDS` (at once when the
process is quiet), and in any case after `MAX_WAIT_SECONDS`, so under a steady stream of requests work is
delayed, never stopped.

What is already running is not interrupted; the gate only decides when the next piece starts. Work that runs
before an answer (a submission's save, an options load's reads) never asks: it is the answer.

Nor does the gate reach the CPU time that running work takes from the cores, which a photo's conversion or a
receipt's reading spends outside the interpreter lock: so the receipt workers and the receipt reader lower their
own CPU priority (`in_background`), and the threads that answer Slack win the cores whenever both want them.
Background work still gets every cycle the answers leave. Threads that spend their time in Python (the sync, the
scheduler's jobs, a click's change) keep the process's priority: a thread of low priority that holds the
interpreter lock when the cores are busy waits long for one, and every answer waits for it (measured: with the
listener pool's work lane at low priority, a whole round of fifty tax selects 100 ms late in two runs of three).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)

# Longest a piece of work waits for answers: a round of fifty answers takes a few hundred milliseconds on two
# cores, and a click's redraw a little later is not noticed; under a steady stream work still starts this often.
MAX_WAIT_SECONDS = 0.3
# And how long after the last answer it still waits: requests come in bursts (fifty clicks, a search's keystrokes),
# and a click is answered in a millisecond or two, so without this work would start in each gap of the burst.
LINGER_SECONDS = 0.025
# How much less CPU priority a background thread takes (Linux nice steps: at 10, a thread gets about a tenth of
# what a thread of the default priority gets from a core both want).
BACKGROUND_NICENESS = 10


class AnswersFirst:
    def __init__(
        self,
        *,
        max_wait: float = MAX_WAIT_SECONDS,
        linger: float = LINGER_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_wait = max_wait
        self.linger = linger
        self._monotonic = monotonic
        self._pending = 0
        self._last_answer = float("-inf")
        self._changed = threading.Condition()

    @property
    def pending(self) -> int:
        """Requests received and not yet answered."""
        with self._changed:
            return self._pending

    def received(self) -> None:
        with self._changed:
            self._pending += 1

    def answered(self) -> None:
        with self._changed:
            self._pending = max(0, self._pending - 1)
            self._last_answer = self._monotonic()
            if not self._pending:
                self._changed.notify_all()

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Around one request, from when it is received until its answer has gone."""
        self.received()
        try:
            yield
        finally:
            self.answered()

    def wait_turn(self) -> bool:
        """Before a piece of work: True at once, or once no answer is pending and none was given for `linger`;
        False when it waited the most it may (the work then goes on anyway)."""
        with self._changed:
            deadline = self._monotonic() + self.max_wait
            while True:
                now = self._monotonic()
                if not self._pending and now >= self._last_answer + self.linger:
                    return True
                if now >= deadline:
                    return False
                until = deadline if self._pending else min(deadline, self._last_answer + self.linger)
                self._changed.wait(until - now)


# One per process: the interpreter lock the answers compete for is the process's.
answers = AnswersFirst()


def wait_for_answers() -> None:
    """`answers.wait_turn()`, for work that does not care whether it waited its longest."""
    answers.wait_turn()


def in_background() -> None:
    """Run the calling thread `BACKGROUND_NICENESS` steps below the process's CPU priority; for the threads of
    background pools only, since no thread can take its priority back. Threads they start inherit it, and a
    second call changes nothing. On Linux each thread has its own nice value; elsewhere (or where the system
    refuses) the thread keeps the process's priority and the answers-first gate alone holds its work back."""
    if not sys.platform.startswith("linux"):
        return
    thread = threading.get_native_id()
    try:
        lowered = min(19, os.getpriority(os.PRIO_PROCESS, os.getpid()) + BACKGROUND_NICENESS)
        if os.getpriority(os.PRIO_PROCESS, thread) < lowered:
            os.setpriority(os.PRIO_PROCESS, thread, lowered)
    except OSError as refused:
        logger.info("a background thread keeps its CPU priority: %s", refused)
