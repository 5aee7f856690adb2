"""The serving process's heap and its cyclic garbage collector.

Left at CPython's defaults, the collector took over half the interpreter's time at fifty requests at once (a
profile of the account search): every request allocates thousands of objects, each 700 start a collection, and
every few of those walk the whole heap the bot built at start (Bolt, SQLAlchemy's mappers, the listeners), which
never becomes garbage. So once built, that heap is frozen out of collections (`settle_heap`), and the youngest
generation is collected every `GC_YOUNG_OBJECTS` instead of every 700.

A collection holds the interpreter lock from start to end, and every answer in the process waits for it: during a
bulk sync a young collection took 10-25 ms and a middle one 180 ms, and whichever round of answers was in flight
took the whole pause. So while the bot serves, the collector does not start on its own in whichever thread
allocates: `BetweenAnswers` starts each collection from a thread of its own once the answers-first gate gives it
its turn (no answer pending, bot/slack/answers_first.py), or after the gate's longest wait under a steady stream
of requests, so garbage waits at most that long. Stopping gives both back (a test process starts many bots).
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable

from bot.slack.answers_first import AnswersFirst

logger = logging.getLogger(__name__)

GC_YOUNG_OBJECTS = 20_000
# How often the collector's thread looks at the allocation counts: a few thousand objects at most in between.
POLL_SECONDS = 0.01


def settle_heap() -> tuple[int, int, int]:
    """What the process built to start is kept for its life: leave it out of collections. Returns the collector's
    thresholds before. Only the young generations are collected first (a full collection of a test process's
    heap, before each of the hundreds of bots its tests start, took a quarter of the suite's time)."""
    before: tuple[int, int, int] = gc.get_threshold()
    gc.collect(1)
    gc.freeze()
    gc.set_threshold(GC_YOUNG_OBJECTS, *before[1:])
    return before


def unsettle_heap(thresholds: tuple[int, int, int]) -> None:
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def due_generation(
    counts: tuple[int, int, int], thresholds: tuple[int, int, int], old_grown: Callable[[], bool] = lambda: True
) -> int | None:
    """The generation CPython would collect at these counts, or None: the oldest one over its threshold, but the
    oldest (a full collection) only if `old_grown()`, asked only then. CPython's rule for that: its objects have
    grown by more than a quarter since the last full collection (else, in a large heap, collections go quadratic)."""
    if counts[0] <= thresholds[0]:
        return None
    if counts[2] > thresholds[2] and old_grown():
        return 2
    return 1 if counts[1] > thresholds[1] else 0


def old_objects() -> int:
    return len(gc.get_objects(generation=2))


class BetweenAnswers:
    """Runs the process's garbage collections in a thread of its own, between answers (module docstring)."""

    def __init__(
        self,
        gate: AnswersFirst,
        *,
        poll: float = POLL_SECONDS,
        collect: Callable[[int], int] = gc.collect,
        counts: Callable[[], tuple[int, int, int]] = gc.get_count,
        old_size: Callable[[], int] = old_objects,
    ) -> None:
        self._gate = gate
        self._poll = poll
        self._collect = collect
        self._counts = counts
        self._old_size = old_size
        self._old_after_full = 0  # the old generation's size after the last full collection
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._was_enabled = True

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._thread = threading.Thread(target=self._run, name="collector", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        if self._was_enabled:
            gc.enable()

    def _run(self) -> None:
        try:
            while not self._stopping.wait(self._poll):
                if self._counts()[0] <= gc.get_threshold()[0]:
                    continue
                self._gate.wait_turn()
                generation = due_generation(self._counts(), gc.get_threshold(), self._old_grown)
                if generation is None:
                    continue
                self._collect(generation)
                if generation == 2:
                    self._old_after_full = self._old_size()
        except Exception:
            logger.exception("the collector's thread failed; CPython's own collector takes over")
            gc.enable()

    def _old_grown(self) -> bool:
        return self._old_size() - self._old_after_full > self._old_after_full / 4
