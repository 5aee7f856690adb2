"""slack-sdk's SQLAlchemy installation store, with every token encrypted at rest."""

from __future__ import annotations

import base64
import copy
from collections.abc import Mapping
from typing import Any, TypeVar

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy.engine import Engine

from storage.crypto import KeyRing
from storage.models import SLACK_BOTS_TABLE, SLACK_INSTALLATIONS_TABLE, SLACK_TOKEN_COLUMNS

PREFIX = "enc1:"
T = TypeVar("T", Installation, Bot)


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    def __init__(self, *, client_id: str, engine: Engine, keyring: KeyRing) -> None:
        super().__init__(
            client_id=client_id,
            engine=engine,
            bots_table_name=SLACK_BOTS_TABLE,
            installations_table_name=SLACK_INSTALLATIONS_TABLE,
        )
        self._keyring = keyring

    def save(self, installation: Installation) -> None:
        super().save(self._sealed(installation))

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(self._sealed(bot))

    def build_installation_entity(self, row: Mapping[str, Any]) -> Installation:  # type: ignore[override]
        return self._opened(SQLAlchemyInstallationStore.build_installation_entity(row))

    def build_bot_entity(self, row: Mapping[str, Any]) -> Bot:  # type: ignore[override]
        return self._opened(SQLAlchemyInstallationStore.build_bot_entity(row))

    def _sealed(self, entity: T) -> T:
        sealed = copy.copy(entity)
        for name in SLACK_TOKEN_COLUMNS:
            value = getattr(sealed, name, None)
            if value and not value.startswith(PREFIX):
                setattr(sealed, name, PREFIX + base64.b64encode(self._keyring.encrypt(value.encode())).decode())
        return sealed

    def _opened(self, entity: T) -> T:
        for name in SLACK_TOKEN_COLUMNS:
            value = getattr(entity, name, None)
            if value and value.startswith(PREFIX):
                setattr(entity, name, self._keyring.decrypt(base64.b64decode(value[len(PREFIX) :])).decode())
        return entity
