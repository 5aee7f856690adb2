"""Taking organisations in turn, so one organisation's thousand payments never hold up another's one.

Work is cut into small steps (one batch of transactions, or a few receipts) and the organisations with work
take a step each in turn, a few at once on a small pool of threads, never two steps of one organisation at
once. After each step the organisations that got work meanwhile join the queue ahead of the one whose turn
just ended, so a new approval is served next, however much the others have left. A step held up by its
organisation's Xero limit holds up only that organisation: the others' steps run on the other threads.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

logger = logging.getLogger(__name__)

Key = TypeVar("Key", bound=Hashable)

LOOK_AGAIN = 1.0  # seconds between looks for organisations that got work since the run started


def take_in_turn(
    with_work: Callable[[], Iterable[Key]],
    step: Callable[[Key], bool],
    *,
    at_once: int,
    look_again: float = LOOK_AGAIN,
    name: str = "in-turn",
    stopping: Callable[[], bool] = lambda: False,
) -> int:
    """Run `step(key)` for each key with work, round after round, until no step has anything left to do.

    `step` does one small piece of its key's work and says whether it did any; `with_work` names the keys
    that may have work now (asked at the start, after each step, every `look_again` seconds while steps run,
    and when all is done). A key whose last step did nothing is asked again only on the timer, and not at the
    end, so the run ends.
    Returns the steps taken."""
    queue: deque[Key] = deque(dict.fromkeys(with_work()))
    running: dict[Future[bool], Key] = {}
    idle: set[Key] = set()  # keys whose last step found nothing it could do (a day's budget spent, say)
    steps = 0
    looked = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, at_once), thread_name_prefix=name) as pool:
        while queue or running:
            if stopping():
                queue.clear()  # the steps running finish; what is left stays due in the database
            while queue and len(running) < max(1, at_once):
                key = queue.popleft()
                running[pool.submit(step, key)] = key
            done, _ = wait(list(running), timeout=look_again, return_when=FIRST_COMPLETED)
            had_a_turn = []
            for future in done:
                key = running.pop(future)
                steps += 1
                if _did_something(future, key):
                    had_a_turn.append(key)
                    idle.discard(key)
                else:
                    idle.add(key)
            last_look = not (queue or running or had_a_turn)
            if last_look and stopping():
                break
            timer = time.monotonic() - looked >= look_again
            if done or last_look or timer:
                looked = time.monotonic()
                # A key that found nothing to do is asked again only on the timer, and not at all at the end.
                resting = idle if last_look or not timer else set()
                busy = set(queue) | set(running.values()) | set(had_a_turn) | resting
                queue.extend(key for key in dict.fromkeys(with_work()) if key not in busy)
            queue.extend(had_a_turn)  # behind any that came since: they have not had this round's turn
    return steps


def _did_something(future: Future[bool], key: Hashable) -> bool:
    try:
        return bool(future.result())
    except Exception:  # one organisation's failure must not stop the others'; its work stays due in the database
        logger.exception("a sync step for %s failed", key)
        return False
