"""Answers first: work after an answer waits while Slack requests are unanswered, and goes on once they are
(or after the longest wait allowed)."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

from bot.server import SLACK_EVENTS_PATH, SlackRequestsCounted
from bot.slack.answers_first import AnswersFirst
from bot.slack.listener_pool import AFTER_ANSWER_AT_ONCE, Answer, ListenerPool, for_request, forget_request

NOT_YET = 0.2  # how long a test watches for something that must not happen


def queued_work(pool: ListenerPool, started: threading.Event) -> None:
    for_request("T1", answer=None)  # a click: Slack has its answer, the listener is work
    try:
        pool.submit(started.set)
    finally:
        forget_request()


def test_work_waits_while_an_answer_is_pending_and_starts_once_it_is_given() -> None:
    gate = AnswersFirst(max_wait=60)
    pool = ListenerPool(answer_threads=1, work_threads=1, gate=gate)
    started = threading.Event()
    gate.received()

    queued_work(pool, started)

    assert not started.wait(NOT_YET)
    gate.answered()
    assert started.wait(10)
    pool.shutdown()


def test_work_starts_at_once_when_no_answer_is_pending() -> None:
    gate = AnswersFirst(max_wait=60)
    pool = ListenerPool(answer_threads=1, work_threads=1, gate=gate)
    started = threading.Event()

    queued_work(pool, started)

    assert started.wait(10)
    pool.shutdown()


def test_under_a_steady_stream_of_requests_work_still_starts_after_the_longest_wait() -> None:
    gate = AnswersFirst(max_wait=0.05)
    pool = ListenerPool(answer_threads=1, work_threads=1, gate=gate)
    started = threading.Event()
    gate.received()  # never answered

    queued_work(pool, started)

    assert started.wait(10)
    assert gate.wait_turn() is False  # it waited its longest, and was let through
    pool.shutdown()


def test_a_listener_goes_on_after_its_ack_only_once_the_other_answers_are_given() -> None:
    gate = AnswersFirst(max_wait=60)
    answer = Answer(gate)
    went_on = threading.Event()
    gate.received()  # another request, not yet answered

    def listener() -> None:
        answer(text="Here is what /xero can do.")
        went_on.set()

    threading.Thread(target=listener, daemon=True).start()

    assert answer.given.wait(10)
    assert answer.response is not None and answer.response.status == 200
    assert not went_on.wait(NOT_YET)
    gate.answered()
    assert went_on.wait(10)


class Channel:
    """What waitress queues for a thread: a connection whose first request is the one to serve."""

    def __init__(self, path: str) -> None:
        self.requests = [SimpleNamespace(path=path)]
        self.served = self.cancelled = False

    def service(self) -> None:
        self.served = True

    def cancel(self) -> None:
        self.cancelled = True


def queue_of(path: str) -> tuple[AnswersFirst, SlackRequestsCounted, Channel]:
    gate = AnswersFirst()
    dispatcher = SlackRequestsCounted(gate, threads=0)  # no threads: the test serves the queue itself
    channel = Channel(path)
    dispatcher.add_task(channel)
    return gate, dispatcher, channel


def test_a_slack_request_is_pending_from_when_it_is_queued_until_it_is_served() -> None:
    gate, dispatcher, channel = queue_of(SLACK_EVENTS_PATH)

    assert gate.pending == 1
    task: Any = dispatcher.queue.popleft()
    task.service()
    assert channel.served
    assert gate.pending == 0


def test_a_slack_request_dropped_at_shutdown_is_no_longer_pending() -> None:
    gate, dispatcher, channel = queue_of(SLACK_EVENTS_PATH)

    dispatcher.shutdown(timeout=1)

    assert channel.cancelled
    assert gate.pending == 0


def test_other_requests_are_not_counted() -> None:
    gate, dispatcher, channel = queue_of("/payments/webhook")

    assert gate.pending == 0
    task: Any = dispatcher.queue.popleft()
    assert task is channel


def test_what_listeners_do_after_answering_runs_a_few_at_a_time_and_every_answer_is_given_at_once() -> None:
    gate = AnswersFirst(max_wait=60)
    pool = ListenerPool(answer_threads=AFTER_ANSWER_AT_ONCE + 2, work_threads=1, gate=gate)
    release = threading.Event()
    going_on: list[int] = []
    answers = [Answer(gate) for _ in range(AFTER_ANSWER_AT_ONCE + 1)]

    def listener(n: int) -> None:
        answers[n](text="saved")
        going_on.append(n)
        release.wait(10)

    for n, answer in enumerate(answers):
        for_request("T1", answer=answer)  # a submission: its listener answers
        try:
            pool.submit(listener, n)  # returns once the listener has answered
        finally:
            forget_request()

    assert all(answer.given.is_set() for answer in answers)
    assert not pool_done(going_on, AFTER_ANSWER_AT_ONCE + 1)
    assert len(going_on) == AFTER_ANSWER_AT_ONCE
    release.set()
    assert pool_done(going_on, AFTER_ANSWER_AT_ONCE + 1, wait=10)
    pool.shutdown()


def pool_done(going_on: list[int], count: int, wait: float = NOT_YET) -> bool:
    finished = threading.Event()

    def watch() -> None:
        while len(going_on) < count:
            if finished.wait(0.01):
                return
        finished.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    watcher.join(wait)
    done = len(going_on) >= count
    finished.set()
    return done
