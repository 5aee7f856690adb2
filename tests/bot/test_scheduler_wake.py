"""Waking a job: at once when it is idle, and once more as soon as it ends when it was woken while running (the
scheduler itself would skip that run, and the work that woke it would wait for the next tick)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from bot.scheduler import SchedulerWake, new_scheduler

WAIT = 10.0  # seconds a test waits for something that happens at once; the job's own interval is an hour


@pytest.fixture
def scheduler() -> Iterator[BackgroundScheduler]:
    scheduler = new_scheduler()
    scheduler.start()
    yield scheduler
    if scheduler.running:
        scheduler.shutdown(wait=False)


def test_a_wake_while_the_job_runs_runs_it_again_when_it_ends(scheduler: BackgroundScheduler) -> None:
    wake = SchedulerWake(scheduler)
    runs: list[int] = []
    first_started, release, second_done = threading.Event(), threading.Event(), threading.Event()

    def job() -> None:
        runs.append(len(runs) + 1)
        if len(runs) == 1:
            first_started.set()
            assert release.wait(WAIT)
        else:
            second_done.set()

    scheduler.add_job(wake.rerunning("post", job), "interval", id="post", hours=1)
    wake("post")
    assert first_started.wait(WAIT)
    wake("post")  # a second webhook payment while the first is being posted
    handled = time.monotonic() + WAIT  # the scheduler has looked at that wake: the job is due in an hour again
    while scheduler.get_job("post").next_run_time < datetime.now(UTC) + timedelta(minutes=30):
        assert time.monotonic() < handled
        time.sleep(0.01)
    release.set()

    assert second_done.wait(WAIT), "the wake during the run was lost until the next tick"
    assert runs == [1, 2]


def test_an_idle_job_runs_at_once_and_only_once(scheduler: BackgroundScheduler) -> None:
    wake = SchedulerWake(scheduler)
    ran = threading.Event()
    runs: list[int] = []

    def job() -> None:
        runs.append(1)
        ran.set()

    scheduler.add_job(wake.rerunning("sync", job), "interval", id="sync", hours=1)
    wake("sync")
    assert ran.wait(WAIT)
    scheduler.shutdown(wait=True)
    assert runs == [1]
