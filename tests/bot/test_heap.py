"""Garbage collections run between answers, from a thread of their own (bot/heap.py)."""

from __future__ import annotations

import gc
import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.heap import BetweenAnswers, due_generation
from bot.slack.answers_first import AnswersFirst

THRESHOLDS = (20_000, 10, 10)


@pytest.mark.parametrize(
    ("counts", "generation"),
    [
        ((19_999, 0, 0), None),
        ((20_000, 11, 11), None),  # the youngest not over its threshold: nothing is due, as in CPython
        ((20_001, 0, 0), 0),
        ((20_001, 10, 0), 0),
        ((20_001, 11, 0), 1),
        ((20_001, 11, 11), 2),
        ((20_001, 0, 11), 2),
    ],
)
def test_the_generation_due_is_the_oldest_over_its_threshold(
    counts: tuple[int, int, int], generation: int | None
) -> None:
    assert due_generation(counts, THRESHOLDS) == generation


@pytest.mark.parametrize(("counts", "generation"), [((20_001, 11, 11), 1), ((20_001, 0, 11), 0)])
def test_a_full_collection_waits_until_the_old_generation_has_grown(
    counts: tuple[int, int, int], generation: int
) -> None:
    assert due_generation(counts, THRESHOLDS, old_grown=lambda: False) == generation


def test_the_collector_starts_a_full_collection_once_the_old_generation_grew_by_a_quarter(collector_off: None) -> None:
    # asked before each full collection that may be due, and after one
    sizes = itertools.chain([100, 100, 110, 130, 130], itertools.repeat(130))
    collected: list[int] = []
    done = threading.Event()

    def collect(generation: int) -> int:
        collected.append(generation)
        if len(collected) == 3:
            done.set()
        return 0

    counts = (gc.get_threshold()[0] + 1, 11, 11)
    collector = BetweenAnswers(
        AnswersFirst(), poll=0.001, collect=collect, counts=lambda: counts, old_size=lambda: next(sizes)
    )
    collector.start()
    try:
        assert done.wait(10)
    finally:
        collector.stop()
    assert collected[:3] == [2, 1, 2]  # 100 after the first; 110 is not a quarter more; 130 is


@pytest.fixture
def collector_off() -> Iterator[None]:
    """Whatever a test does with the collector, the process gets CPython's own back."""
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    if enabled:
        gc.enable()


def test_no_collection_starts_while_an_answer_is_pending(collector_off: None) -> None:
    gate = AnswersFirst(max_wait=30.0, linger=0.0)
    collected: list[int] = []
    done = threading.Event()

    def collect(generation: int) -> int:
        collected.append(generation)
        done.set()
        return 0

    counts = (gc.get_threshold()[0] + 1, 0, 0)
    collector = BetweenAnswers(gate, poll=0.001, collect=collect, counts=lambda: counts)
    gate.received()  # a Slack request waiting for its answer
    collector.start()
    try:
        assert not done.wait(0.2)
        gate.answered()
        assert done.wait(10)
    finally:
        collector.stop()
    assert collected[0] == 0


def test_while_serving_only_the_collectors_thread_collects(collector_off: None) -> None:
    threads: list[str] = []

    def seen(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            threads.append(threading.current_thread().name)

    gc.set_threshold(200, 10, 10)
    collector = BetweenAnswers(AnswersFirst(), poll=0.001)
    gc.callbacks.append(seen)
    collector.start()
    try:
        assert not gc.isenabled()
        for _ in range(1000):
            garbage: list[Any] = []
            garbage.append([garbage] * 50)  # cycles: only the collector frees them
        deadline = time.monotonic() + 10
        while "collector" not in threads and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        collector.stop()
        gc.callbacks.remove(seen)
    assert "collector" in threads
    assert set(threads) == {"collector"}
    assert gc.isenabled()


def test_if_the_collectors_thread_fails_cpythons_own_collector_takes_over(collector_off: None) -> None:
    def broken() -> tuple[int, int, int]:
        raise RuntimeError("counts unavailable")

    collector = BetweenAnswers(AnswersFirst(), poll=0.001, counts=broken)
    collector.start()
    deadline = time.monotonic() + 10
    while not gc.isenabled() and time.monotonic() < deadline:
        time.sleep(0.01)
    enabled_while_serving = gc.isenabled()
    collector.stop()
    assert enabled_while_serving
