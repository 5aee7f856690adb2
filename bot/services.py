"""What every Slack surface, route and job is handed, built once in `bot.bootstrap.build_services`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from slack_sdk.oauth.installation_store import InstallationStore
from sqlalchemy.engine import Engine

from bot.approve import ApprovalService
from bot.bulk import BulkSyncService
from bot.clock import Clock
from bot.coding import CodingService
from bot.connect import ConnectionService
from bot.export_uploads import ExportUploads
from bot.home_service import HomeService
from bot.ingest import IngestService
from bot.metrics import Metrics
from bot.outbox import SlackOutbox
from bot.posting import PostingService
from bot.receipts import ReceiptService
from bot.roles import Roles
from bot.settings import Settings
from bot.slack_clients import SlackClients
from bot.slack_directory import SlackDirectory
from bot.sync import SyncEngine
from bot.workspace_settings import WorkspaceSettingsService
from bot.workspaces import WorkspaceService
from bot.xero.gateway import XeroGateway
from bot.xero.reference import ReferenceDataSync
from bot.xero.tokens import TokenManager
from storage.uow import UnitOfWorkFactory


class Notices(Protocol):
    """Messages the bot sends on its own initiative (implemented on the Slack side, in handlers.notices)."""

    def connected(
        self, *, team_id: str, user_id: str, workspace_id: int, tenant_name: str, reconnected: bool
    ) -> None: ...

    def choose_tenant(
        self, *, team_id: str, user_id: str, token_set_id: int, tenants: list[tuple[str, str]]
    ) -> None: ...

    def reconnect_needed(self, connection_ids: list[int]) -> None: ...


@dataclass
class Services:
    settings: Settings
    uow: UnitOfWorkFactory
    clock: Clock
    metrics: Metrics
    slack: SlackClients
    directory: SlackDirectory
    roles: Roles
    tokens: TokenManager
    gateway: XeroGateway
    reference: ReferenceDataSync
    connections: ConnectionService
    workspaces: WorkspaceService
    ingest: IngestService
    coding: CodingService
    posting: PostingService
    receipts: ReceiptService
    outbox: SlackOutbox
    approvals: ApprovalService
    sync: SyncEngine
    home: HomeService
    bulk: BulkSyncService
    workspace_settings: WorkspaceSettingsService
    engine: Engine
    installations: InstallationStore | None = None
    notices: Notices | None = None
    exports: ExportUploads | None = None
    wake: Callable[[str], None] = lambda _job: None  # run a background job now rather than on its schedule
