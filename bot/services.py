"""What every Slack surface and job is handed: settings and the shared parts, built once in bootstrap."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.metrics import Metrics
from bot.settings import Settings
from storage.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class Services:
    settings: Settings
    uow: UnitOfWorkFactory
    clock: Clock
    metrics: Metrics
