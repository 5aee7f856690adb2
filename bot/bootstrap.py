"""The one place the parts are built from settings and wired together."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from bot.clock import Clock, SystemClock
from bot.metrics import Metrics
from bot.settings import ConfigError, Settings
from storage.crypto import KeyRing
from storage.db import create_engine, session_factory
from storage.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class Deps:
    engine: Engine
    uow: UnitOfWorkFactory
    clock: Clock = field(default_factory=SystemClock)
    metrics: Metrics = field(default_factory=Metrics)


def keyring_from(settings: Settings) -> KeyRing:
    if settings.encryption_key is None:
        raise ConfigError(
            "ENCRYPTION_KEY is not set: run `xero-expense-bot keygen` and set ENCRYPTION_KEY to its output"
        )
    return KeyRing.from_setting(settings.encryption_key.get_secret_value())


def build_deps(settings: Settings, *, clock: Clock | None = None) -> Deps:
    engine = create_engine(settings.database_url, keyring_from(settings))
    return Deps(engine=engine, uow=UnitOfWorkFactory(session_factory(engine)), clock=clock or SystemClock())
