"""The receipt workers and the receipt reader run below the CPU priority of the threads that answer Slack
(bot/slack/answers_first.py), so a photo's conversion or a receipt's reading never takes a core an answer needs;
threads that spend their time in Python keep the process's priority, since one of low priority holding the
interpreter lock would hold every answer."""

from __future__ import annotations

import os
import sys
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.bootstrap import Deps, build_services
from bot.receipts.reading.pool import ReadingPool
from bot.scheduler import _guarded
from bot.settings import load_settings
from bot.slack.answers_first import BACKGROUND_NICENESS, AnswersFirst
from bot.slack.listener_pool import ListenerPool, for_request, forget_request
from bot.sync.rounds import take_in_turn
from bot.workers import BoundedWorkers
from storage.uow import UnitOfWorkFactory

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is Linux's")


def niceness() -> int:
    """The calling thread's own nice value."""
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def the_processs() -> int:
    return os.getpriority(os.PRIO_PROCESS, os.getpid())


def lowered() -> int:
    return min(19, the_processs() + BACKGROUND_NICENESS)


def in_a_thread_of_its_own(run: Any) -> None:
    """A test's code that might lower its thread runs on a thread of its own, never the test runner's."""
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


def test_a_receipt_workers_job_and_the_threads_it_starts_run_below_the_priority_of_the_thread_that_offered_it() -> None:
    seen: dict[str, int] = {}
    done = threading.Event()
    receipts = BoundedWorkers(workers=1, backlog=0, name="test-receipts", background=True)

    def job() -> None:
        seen["job"] = niceness()
        child = threading.Thread(target=lambda: seen.setdefault("started by it", niceness()))
        child.start()
        child.join()
        done.set()

    assert receipts.offer(job)

    assert done.wait(10)
    receipts.shutdown()
    assert seen == {"job": lowered(), "started by it": lowered()}
    assert niceness() == the_processs()  # the offering thread kept its priority


def test_a_receipts_reading_runs_at_background_priority() -> None:
    seen: list[int] = []
    read = threading.Event()
    pool = ReadingPool(workers=1, backlog=0, reader=lambda _data, _type: seen.append(niceness()))  # type: ignore[arg-type,return-value]

    assert pool.submit(1, b"%PDF", "application/pdf", lambda _id, _reading: read.set())

    assert read.wait(10)
    pool.shutdown()

    assert seen == [lowered()]


def test_workers_for_work_in_python_keep_the_processs_priority() -> None:
    seen: list[int] = []
    done = threading.Event()
    imports = BoundedWorkers(workers=1, backlog=0, name="test-imports")

    def job() -> None:
        seen.append(niceness())
        done.set()

    assert imports.offer(job)

    assert done.wait(10)
    imports.shutdown()
    assert seen == [the_processs()]


def test_the_sync_the_scheduler_and_a_clicks_work_keep_the_processs_priority() -> None:
    seen: dict[str, int] = {}
    metrics = SimpleNamespace(job_runs=SimpleNamespace(labels=lambda **_: SimpleNamespace(inc=lambda: None)))
    job = _guarded("test-job", SimpleNamespace(metrics=metrics), lambda _: seen.setdefault("job", niceness()))  # type: ignore[arg-type]
    pool = ListenerPool(answer_threads=1, work_threads=1, gate=AnswersFirst(max_wait=0))
    for_request("T1", answer=None)  # a click: Slack has its answer, the listener is work
    try:
        clicked = pool.submit(lambda: seen.setdefault("click", niceness()))
    finally:
        forget_request()

    in_a_thread_of_its_own(job)
    in_a_thread_of_its_own(
        lambda: take_in_turn(lambda: ["org"], lambda key: bool(seen.setdefault(key, niceness())) and False, at_once=1)
    )
    clicked.result(10)
    pool.shutdown()

    assert seen == {"job": the_processs(), "org": the_processs(), "click": the_processs()}


def test_the_bot_as_built_downloads_and_converts_receipts_at_background_priority(
    engine: Engine, uow: UnitOfWorkFactory
) -> None:
    settings = load_settings(_env_file=None, slack_signing_secret="s", slack_bot_token="xoxb-1")
    receipts = build_services(settings, Deps(engine=engine, uow=uow)).receipts
    seen: list[int] = []
    done = threading.Event()

    def job() -> None:
        seen.append(niceness())
        done.set()

    assert receipts.workers.offer(job)

    assert done.wait(10)
    receipts.workers.shutdown()
    assert seen == [lowered()]
