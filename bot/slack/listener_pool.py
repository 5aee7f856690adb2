"""Where Bolt runs the bot's listeners: Slack's answer never waits behind work that follows another answer.

Bolt (not in `process_before_response` mode) hands every listener to its `listener_executor` and the request
thread waits, polling every 10 ms, until that listener calls `ack()`. With one pool for everything, fifty clicks
whose listeners go on to write to the database and redraw a card hold every thread, and the next request's ack
queues behind them. So this executor has two lanes:

- **answers**: a request not yet answered (a slash command, a view submission, an options load, whose ack
  carries what Slack shows) runs at once on a thread of its own, `ANSWER_THREADS` of them; a request whose
  answer is all its listener does (an options load, `/xero help`) runs on the request thread itself;
- **work**: a request already answered (the ack-first middleware in bot/app.py acknowledges clicks, shortcuts
  and events before any listener runs) waits in its workspace's queue; `WORK_THREADS` threads take the queues
  in turn, one piece of work per workspace per turn, so one workspace's fifty clicks do not delay another's
  single click, and the work that follows acks never holds more than `WORK_THREADS` threads (nor, with
  CPython's one interpreter lock, more than that share of the CPU the acks need). A click that may open a
  window (a button, an overflow menu, a shortcut) is taken before the rest: Slack's trigger for opening it
  lasts 3 seconds, and fifty select changes queued ahead of an Edit click would outlast it. At most
  `FIRST_IN_A_ROW` such clicks go before the rest in a row, then one other piece: a stream of clicks on Edit never
  holds back the receipts, replies and changes queued behind it.

The middleware says which lane (and which workspace) a request belongs to through `for_request`, on the request
thread, just before Bolt calls `submit` on that same thread. For a request not yet answered it also hands over
the request's `Answer` (an `ack` that says when it was called): `submit` returns once the listener has acked, so
Bolt's request thread, which checks for the ack every 10 ms, finds it at its first look instead of sleeping.

Both lanes let answers go first (bot/slack/answers_first.py): a work thread waits its turn before it starts a piece
of work, and an answer-lane listener waits its turn right after its `ack()`, before what it does after answering.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack

from bot.slack.answers_first import AnswersFirst, answers

# Commands, submissions and options loads compute their answer here: as many at once as waitress (8) and
# Socket Mode (10) can deliver, so none waits for a thread, plus those that answered and wait for other answers
# before what they do next (at most answers_first.MAX_WAIT_SECONDS each). Rounds of fifty a few hundred
# milliseconds apart keep a few rounds' threads waiting: with 64 threads, a round's answers waited for threads
# that the round before held, and those waited for the answers to be given, until their 0.3 s ran out (the first
# round of fifty `/xero help`s took 90 to 100 ms, against 30 to 40 ms with room).
# A thread is started only when no idle one is free; a waiting thread costs memory, not CPU.
ANSWER_THREADS = 256
# Work that follows an ack: database writes, card redraws queued to the outbox, views.open/publish. Mostly
# waiting on the database and Slack, so a few threads overlap those waits; few enough that on 2 cores the
# request threads still get the interpreter within a few milliseconds.
WORK_THREADS = 4
# Clicks that may open a window taken before other queued work, at most this many in a row while other work waits.
FIRST_IN_A_ROW = 4

# What answer-lane listeners do after their ack (each having waited for the other answers first), this many at once:
# fifty `/xero help` replay records let through together would take fifty database connections and the interpreter
# just as the next requests arrive. A step waits for a turn as long as for the answers at most, then goes on: an
# answer thread held by slow steps (writes queued behind a bulk sync's) would leave the next request no thread.
AFTER_ANSWER_AT_ONCE = 4

ACK_WAIT_SECONDS = 3.0  # Slack's deadline; Bolt's own wait gives up then too

_current = threading.local()


class Answer(Ack):
    """Bolt's `ack`, which also tells whoever waits that it was called; the listener then goes on only when no
    other answer is pending (or after the longest wait `gate` allows), and when one of the listener pool's turns
    for what follows answers is free (`in_turns`)."""

    def __init__(self, gate: AnswersFirst = answers, *, goes_on: bool = True) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.given = threading.Event()
        self._gate = gate
        self._turns: threading.Semaphore | None = None
        self.goes_on = goes_on  # False: the answer is all the listener does, so it runs on the request thread
        self._went_on = not goes_on  # and waits for no turn after it
        self._holding = False

    def in_turns(self, turns: threading.Semaphore) -> None:
        self._turns = turns

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        finally:
            self.given.set()
            if not self._went_on:
                self._went_on = True
                self._gate.wait_turn()
                if self._turns is not None:  # bounded like the gate: a slow next step never holds the others long
                    self._holding = self._turns.acquire(timeout=self._gate.max_wait)

    def finished(self) -> None:
        """The listener returned: its turn is free for the next."""
        if self._holding and self._turns is not None:
            self._holding = False
            self._turns.release()


def _listener(answer: Answer, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    finally:
        answer.finished()


def _run_here(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_running_or_notify_cancel()
    try:
        future.set_result(fn(*args, **kwargs))
    except BaseException as error:  # handed to whoever holds the future, as ThreadPoolExecutor does
        future.set_exception(error)
    return future


@dataclass(frozen=True)
class Lane:
    workspace: str
    answer: Answer | None  # None: Slack already has its answer
    first: bool = False  # work that may open a window, taken before other work


def for_request(workspace: str, *, answer: Answer | None, first: bool = False) -> None:
    """The request this thread is dispatching: its workspace, its `Answer` unless Slack already has one, and
    whether its work goes before other work (it may open a window). A listener whose answer is all it does (an
    options load, `/xero help`: `Answer(goes_on=False)`) runs on this thread, which would only wait for it:
    handing it to another thread and waiting cost a fifth of an options load's time fifty at once."""
    _current.lane = Lane(workspace, answer, first)


def forget_request() -> None:
    _current.lane = None


Work = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class ListenerPool(Executor):
    def __init__(
        self, *, answer_threads: int = ANSWER_THREADS, work_threads: int = WORK_THREADS, gate: AnswersFirst = answers
    ) -> None:
        self._answers = ThreadPoolExecutor(answer_threads, thread_name_prefix="slack-answer")
        self._gate = gate
        self._after_answers = threading.Semaphore(AFTER_ANSWER_AT_ONCE)
        self._queues: OrderedDict[str, deque[Work]] = OrderedDict()  # workspaces in turn, next first
        self._first: OrderedDict[str, deque[Work]] = OrderedDict()  # the same, for work that goes first
        self._firsts_in_a_row = 0
        self._ready = threading.Condition()
        self._closing = False
        self._workers = [
            threading.Thread(target=self._work, name=f"slack-work-{n}", daemon=True) for n in range(work_threads)
        ]
        for worker in self._workers:
            worker.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        lane: Lane | None = getattr(_current, "lane", None)
        answer = lane.answer if lane is not None else None
        if lane is None:
            return self._answers.submit(fn, *args, **kwargs)
        if answer is not None and not answer.goes_on:
            return _run_here(fn, args, kwargs)
        if answer is not None:  # back to Bolt once the listener has acked (or has finished without)
            answer.in_turns(self._after_answers)
            started = self._answers.submit(_listener, answer, fn, *args, **kwargs)
            started.add_done_callback(lambda _: answer.given.set())
            answer.given.wait(ACK_WAIT_SECONDS)
            return started
        future: Future[Any] = Future()
        with self._ready:
            if self._closing:
                raise RuntimeError("cannot schedule new work after shutdown")
            queues = self._first if lane.first else self._queues
            queues.setdefault(lane.workspace, deque()).append((future, fn, args, kwargs))
            self._ready.notify()
        return future

    def waiting(self) -> int:
        """Pieces of work queued and not started (for tests and metrics)."""
        with self._ready:
            return sum(len(queue) for queues in (self._first, self._queues) for queue in queues.values())

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking work; queued work is still done (it follows answers Slack already has)."""
        with self._ready:
            self._closing = True
            self._ready.notify_all()
        self._answers.shutdown(wait=wait, cancel_futures=cancel_futures)
        if wait:
            for worker in self._workers:
                worker.join()

    def _next(self) -> Work | None:
        with self._ready:
            while not self._first and not self._queues:
                if self._closing:
                    return None
                self._ready.wait()
            first = bool(self._first) and (not self._queues or self._firsts_in_a_row < FIRST_IN_A_ROW)
            self._firsts_in_a_row = self._firsts_in_a_row + 1 if first else 0
            queues = self._first if first else self._queues
            workspace, queue = queues.popitem(last=False)
            work = queue.popleft()
            if queue:
                queues[workspace] = queue  # to the back of the line
            return work

    def _work(self) -> None:
        while (work := self._next()) is not None:
            future, fn, args, kwargs = work
            self._gate.wait_turn()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:  # handed to whoever holds the future, as ThreadPoolExecutor does
                future.set_exception(error)
            else:
                future.set_result(result)
