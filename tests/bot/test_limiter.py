"""The per-organisation rate limiter keeps under Xero's minute limit, and follows what Xero reports."""

from __future__ import annotations

from bot.xero.limiter import RateLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_calls_past_the_minute_limit_wait_for_the_window() -> None:
    time = FakeTime()
    limiter = RateLimiter(per_minute=3, window_seconds=60, monotonic=time.monotonic, sleep=time.sleep)
    for _ in range(3):
        with limiter.slot("t1"):
            time.now += 1
    assert time.slept == []
    with limiter.slot("t1"):
        pass
    assert time.slept == [57.0], "the fourth call waits until the first leaves the 60 s window"
    assert limiter.calls("t1") == 4


def test_organisations_have_separate_budgets() -> None:
    time = FakeTime()
    limiter = RateLimiter(per_minute=1, monotonic=time.monotonic, sleep=time.sleep)
    with limiter.slot("t1"):
        pass
    with limiter.slot("t2"):
        pass
    assert time.slept == []


def test_when_xero_says_the_minute_is_spent_it_waits_once_then_goes_on() -> None:
    time = FakeTime()
    limiter = RateLimiter(per_minute=60, monotonic=time.monotonic, sleep=time.sleep)
    with limiter.slot("t1"):
        pass
    limiter.observe("t1", minute_remaining=0, day_remaining=4000)  # another instance used the rest
    time.now += 10
    with limiter.slot("t1"):
        pass
    assert time.slept == [50.0]
    with limiter.slot("t1"):
        pass
    assert time.slept == [50.0], "no further waiting once the window has passed"
    assert limiter.day_remaining("t1") == 4000


def test_after_a_429_no_call_starts_before_retry_after() -> None:
    time = FakeTime()
    limiter = RateLimiter(monotonic=time.monotonic, sleep=time.sleep)
    limiter.pause("t1", 7)
    with limiter.slot("t1"):
        pass
    assert sum(time.slept) == 7
