"""Xero's limits held by every instance together: two limiters on two engines over one database stand for two
instances. The ledger is PostgreSQL's (on SQLite, one instance, the limiter is in-process: those tests skip)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from bot.bootstrap import Deps, build_services, call_limiter
from bot.clock import FrozenClock
from bot.pacing import SharedPace
from bot.settings import load_settings
from bot.xero.errors import XeroRateLimited
from bot.xero.limiter import RateLimiter
from bot.xero.shared_limiter import SharedRateLimiter
from storage.call_ledger import CallLedger
from storage.crypto import KeyRing
from storage.db import create_engine
from storage.uow import UnitOfWorkFactory

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class WouldWait(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def would_wait(seconds: float) -> None:
    raise WouldWait(seconds)


@pytest.fixture
def other_engine(database_url: str, keyring: KeyRing) -> Iterator[Engine]:
    """The second instance's own engine on the same database."""
    engine = create_engine(database_url, keyring)
    yield engine
    engine.dispose()


@pytest.fixture
def instances(engine: Engine, other_engine: Engine) -> list[SharedRateLimiter]:
    if engine.dialect.name != "postgresql":
        pytest.skip("the shared call ledger is PostgreSQL's: on SQLite one instance keeps its limits in process")
    return [
        SharedRateLimiter(CallLedger(e), per_minute=3, concurrent=2, day_limit=10, sleep=would_wait, today=lambda: NOON)
        for e in (engine, other_engine)
    ]


def test_calls_a_minute_are_counted_across_instances(instances: list[SharedRateLimiter]) -> None:
    first, second = instances
    for limiter in (first, second, first):
        with limiter.slot("tenant-a"):
            pass

    with pytest.raises(WouldWait) as waited, second.slot("tenant-a"):
        pass
    assert waited.value.seconds > 55, "the fourth call of the minute waits until the first leaves the window"
    with second.slot("tenant-b"):
        pass  # another organisation's minute is its own


def test_calls_at_once_are_counted_across_instances(instances: list[SharedRateLimiter]) -> None:
    first, second = instances
    with ExitStack() as running:
        running.enter_context(first.slot("tenant-a"))
        running.enter_context(second.slot("tenant-a"))
        with pytest.raises(WouldWait), first.slot("tenant-a"):
            pass
    with second.slot("tenant-a"):
        pass  # a finished call gives its place back


def test_the_days_budget_is_counted_across_instances(
    engine: Engine, other_engine: Engine, instances: list[SharedRateLimiter]
) -> None:
    first, second = (
        SharedRateLimiter(CallLedger(e), per_minute=60, day_limit=2, sleep=would_wait, today=lambda: NOON)
        for e in (engine, other_engine)
    )
    with first.slot("tenant-a"):
        pass
    assert (second.left_today("tenant-a"), second.left_today("tenant-b")) == (1, 2)  # what receipts may spend
    with second.slot("tenant-a"):
        pass
    assert first.left_today("tenant-a") == 0

    with pytest.raises(XeroRateLimited) as limited, first.slot("tenant-a"):
        pass
    assert limited.value.problem == "day"
    assert limited.value.retry_after == 12 * 3600, "it resumes at midnight UTC"


def test_a_429_pauses_that_organisation_on_every_instance_and_no_other(instances: list[SharedRateLimiter]) -> None:
    first, second = instances
    first.pause("tenant-a", 30)

    with pytest.raises(WouldWait) as waited, second.slot("tenant-a"):
        pass
    assert 25 < waited.value.seconds <= 30
    with second.slot("tenant-b"):
        pass


def test_a_429_in_one_process_pauses_that_organisation_only() -> None:
    """The in-process limiter (one instance on SQLite): Retry-After holds back only the organisation it was for."""
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(monotonic=lambda: now[0], sleep=sleep)
    limiter.pause("tenant-a", 20)

    with limiter.slot("tenant-b"):
        pass
    assert waits == []
    with limiter.slot("tenant-a"):
        pass
    assert waits == [20]


def test_instances_on_postgresql_share_the_ledger_and_one_on_sqlite_keeps_its_own(engine: Engine) -> None:
    settings = load_settings(_env_file=None, slack_signing_secret="s", slack_bot_token="xoxb-1")
    limiter = call_limiter(settings, engine)
    expected = SharedRateLimiter if engine.dialect.name == "postgresql" else RateLimiter
    assert isinstance(limiter, expected)


def test_a_channels_posting_pace_is_kept_across_instances(engine: Engine, other_engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the shared call ledger is PostgreSQL's: on SQLite one instance paces posts in process")
    first, second = SharedPace(CallLedger(engine), burst=3), SharedPace(CallLedger(other_engine), burst=3)

    assert [first.ready(1, "C1"), second.ready(1, "C1"), first.ready(1, "C1")] == [0.0, 0.0, 0.0]
    assert second.ready(1, "C1") > 2.5, "the fourth post to the channel in three seconds waits, whoever sends it"
    assert second.ready(1, "C2") == 0.0


def test_new_payments_and_the_outbox_keep_to_one_pace_per_channel(
    engine: Engine, uow: UnitOfWorkFactory, database_url: str, encryption_key: str
) -> None:
    """Cards and thread replies go to the same finance channel: one pace counts both, on SQLite as on PostgreSQL."""
    settings = load_settings(
        database_url=database_url,
        encryption_key=encryption_key,
        slack_signing_secret="s",
        slack_bot_token="xoxb-1",
        finance_channel="C0123456789",
        _env_file=None,
    )
    services = build_services(settings, Deps(engine=engine, uow=uow, clock=FrozenClock()))
    assert services.posting._pace is services.outbox._pace
