"""A 429 from Xero for one organisation holds back that organisation only (real xero-python calls to the
emulator, the in-process limiter with a clock of its own)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import SecretStr

from bot.clock import FrozenClock
from bot.xero.gateway import XeroGateway
from bot.xero.limiter import RateLimiter
from bot.xero.types import TenantRef
from sandbox.xero import XeroEmulator
from sandbox.xero.consent import connect
from storage.uow import UnitOfWorkFactory
from tests.services.test_xero_gateway import IssuedTokens


@pytest.fixture
def emulator() -> Iterator[XeroEmulator]:
    with XeroEmulator() as running:
        running.add_organisation("Second Ltd")
        running.consent_tenants = running.tenant_ids
        yield running


def test_retry_after_pauses_the_organisation_it_came_for_and_no_other(
    emulator: XeroEmulator, uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    now = [1000.0]
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        now[0] += seconds

    issued = connect(emulator.url, client_id=emulator.client_id, client_secret=emulator.client_secret)
    settings: Any = SimpleNamespace(
        xero_api_url=emulator.url,
        xero_client_id=emulator.client_id,
        xero_client_secret=SecretStr(emulator.client_secret),
    )
    tokens: Any = IssuedTokens(issued["access_token"])
    limiter = RateLimiter(monotonic=lambda: now[0], sleep=sleep)
    gateway = XeroGateway(settings=settings, tokens=tokens, uow=uow, clock=clock, limiter=limiter)
    first, second = (TenantRef(1, 1, tenant_id, "Org", 1) for tenant_id in emulator.tenant_ids)
    emulator.inject_rate_limit("minute", retry_after=30, count=1)

    assert gateway.contacts_named(first, "Figma Inc") == []
    assert waited == [30], "the refused call waited out Retry-After, then went through"
    assert emulator.stats.rate_limited == 1

    limiter.pause(first.tenant_id, 30)  # Xero said so again; the other organisation is not held back
    assert gateway.contacts_named(second, "Figma Inc") == []
    assert waited == [30]
