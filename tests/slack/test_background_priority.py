"""Background pools run below the CPU priority of the threads that answer Slack (bot/slack/answers_first.py), so
a photo's conversion or a bulk sync never takes a core an answer needs."""

from __future__ import annotations

import os
import sys
import threading
from types import SimpleNamespace
from typing import Any

import pytest

from bot.scheduler import _guarded
from bot.slack.answers_first import BACKGROUND_NICENESS, AnswersFirst
from bot.slack.listener_pool import Answer, ListenerPool, for_request, forget_request
from bot.sync.rounds import take_in_turn
from bot.workers import BoundedWorkers

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is Linux's")


def niceness() -> int:
    """The calling thread's own nice value."""
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def lowered() -> int:
    return min(19, os.getpriority(os.PRIO_PROCESS, os.getpid()) + BACKGROUND_NICENESS)


def in_a_thread_of_its_own(run: Any) -> None:
    """Each test lowers threads of its own making, never the test runner's."""
    failure: list[BaseException] = []

    def guarded() -> None:
        try:
            run()
        except BaseException as error:  # handed to the test's thread
            failure.append(error)

    thread = threading.Thread(target=guarded)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    if failure:
        raise failure[0]


def test_a_receipt_workers_job_runs_below_the_priority_of_the_thread_that_offered_it() -> None:
    seen: list[int] = []
    done = threading.Event()
    workers = BoundedWorkers(workers=1, backlog=0, name="test-background")

    assert workers.offer(lambda: (seen.append(niceness()), done.set()))

    assert done.wait(10)
    workers.shutdown()
    assert seen == [lowered()]
    assert niceness() < lowered()  # the offering thread kept its priority


def test_each_organisations_turn_in_a_sync_runs_at_background_priority_and_its_upload_threads_inherit_it() -> None:
    seen: dict[str, int] = {}

    def step(key: str) -> bool:
        seen[key] = niceness()
        child = threading.Thread(target=lambda: seen.setdefault(f"{key} upload", niceness()))
        child.start()
        child.join()
        return False

    in_a_thread_of_its_own(lambda: take_in_turn(lambda: ["org-a", "org-b"], step, at_once=2, look_again=0.01))

    assert seen == {key: lowered() for key in ("org-a", "org-b", "org-a upload", "org-b upload")}


def test_a_scheduled_job_lowers_its_thread_once_however_often_it_runs() -> None:
    seen: list[int] = []
    metrics = SimpleNamespace(job_runs=SimpleNamespace(labels=lambda **_: SimpleNamespace(inc=lambda: None)))
    run = _guarded("test-job", SimpleNamespace(metrics=metrics), lambda _services: seen.append(niceness()))  # type: ignore[arg-type]

    in_a_thread_of_its_own(lambda: (run(), run()))

    assert seen == [lowered(), lowered()]


def test_a_clicks_work_runs_at_background_priority_and_a_commands_answer_at_the_processs() -> None:
    gate = AnswersFirst(max_wait=0)
    pool = ListenerPool(answer_threads=1, work_threads=1, gate=gate)
    seen: dict[str, int] = {}
    for_request("T1", answer=None)  # a click: Slack has its answer, the listener is work
    try:
        clicked = pool.submit(lambda: seen.setdefault("click", niceness()))
    finally:
        forget_request()
    answer = Answer(gate)
    for_request("T1", answer=answer)  # a slash command: its listener computes the answer
    try:
        commanded = pool.submit(lambda: (seen.setdefault("command", niceness()), answer()))
    finally:
        forget_request()

    clicked.result(10), commanded.result(10)
    pool.shutdown()

    assert seen == {"click": lowered(), "command": os.getpriority(os.PRIO_PROCESS, os.getpid())}
