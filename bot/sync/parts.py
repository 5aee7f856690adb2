"""What every role of the sync engine shares: its ports, the attempt log, and the run's report."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from bot.clock import Clock
from bot.sync.attempts import AttemptLog
from bot.sync.items import SyncItem
from bot.xero.types import ContactAnswer, FoundSpend, SpendAnswer, SpendMoney, TenantRef, XeroContact
from storage.uow import UnitOfWorkFactory

logger = logging.getLogger(__name__)


class SyncGateway(Protocol):
    """The Xero calls the engine makes (bot.xero.gateway.XeroGateway; a fake in service tests)."""

    def create_spend_money(self, tenant: TenantRef, spends: Sequence[SpendMoney], key: str) -> list[SpendAnswer]: ...

    def update_spend_money(self, tenant: TenantRef, spends: Sequence[SpendMoney], key: str) -> list[SpendAnswer]: ...

    def spends_with_reference(
        self, tenant: TenantRef, reference: str, *, page: int, page_size: int
    ) -> list[FoundSpend]: ...

    def attach_receipt(
        self, tenant: TenantRef, xero_id: str, file_name: str, content: bytes, key: str
    ) -> str | None: ...

    def history_note(self, tenant: TenantRef, xero_id: str, details: str, key: str) -> None: ...

    def history_details(self, tenant: TenantRef, xero_id: str) -> list[str]: ...

    def calls_left_today(self, tenant: TenantRef) -> int | None: ...

    def create_contacts(self, tenant: TenantRef, names: Sequence[str], key: str) -> list[ContactAnswer]: ...

    def contacts_named(self, tenant: TenantRef, name: str) -> list[XeroContact]: ...


class CardRedraw(Protocol):
    """Brings a payment's Slack message up to date after the engine changed the payment."""

    def redraw_card(self, workspace_id: int, payment_id: int) -> None: ...


@dataclass
class RunReport:
    synced: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    attached: int = 0
    requests: int = 0


@dataclass(frozen=True)
class SyncParts:
    uow: UnitOfWorkFactory
    clock: Clock
    gateway: SyncGateway
    cards: CardRedraw
    attempts: AttemptLog
    lease: timedelta

    def changed(self, items: Sequence[SyncItem]) -> None:
        for item in items:
            self.notify(item.workspace_id, item.payment_id)

    def notify(self, workspace_id: int, payment_id: int) -> None:
        try:
            self.cards.redraw_card(workspace_id, payment_id)
        except Exception:  # a message that cannot be redrawn must not stop the sync
            logger.exception("could not redraw the message of payment %s", payment_id)
