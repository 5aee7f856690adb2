"""The receipt workers' bounds: a full backlog says no at once, and every finished job frees its place."""

from __future__ import annotations

import threading

import pytest

from bot.workers import BoundedWorkers


def test_offers_beyond_the_workers_and_the_backlog_are_refused_until_a_job_finishes() -> None:
    workers = BoundedWorkers(workers=1, backlog=1, name="test")
    release = threading.Event()
    ran: list[str] = []

    assert workers.offer(lambda: release.wait(10) and None)
    assert workers.offer(lambda: ran.append("queued"))
    assert not workers.offer(lambda: ran.append("refused"))

    release.set()
    workers.shutdown()
    assert ran == ["queued"]


def test_a_failing_job_is_logged_and_frees_its_place(caplog: pytest.LogCaptureFixture) -> None:
    workers = BoundedWorkers(workers=1, backlog=0, name="test")
    done = threading.Event()

    def fail() -> None:
        done.set()
        raise RuntimeError("boom")

    assert workers.offer(fail)
    done.wait(5)
    workers.shutdown()
    assert "a background job failed" in caplog.text


def test_after_shutdown_nothing_is_accepted() -> None:
    workers = BoundedWorkers(workers=1, backlog=5, name="test")
    workers.shutdown()

    assert not workers.offer(lambda: None)
