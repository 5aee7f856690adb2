"""What every Slack surface, route and job is handed, built once in `bot.bootstrap.build_services`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk.oauth.installation_store import InstallationStore
from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.coding.duplicates import DuplicateService
from bot.coding.rule_service import RuleService
from bot.connection.connect import ConnectionService
from bot.connection.notices import Notices
from bot.connection.roles import Roles
from bot.connection.workspace_settings import WorkspaceSettingsService
from bot.connection.workspaces import WorkspaceService
from bot.home.service import HomeService
from bot.imports.uploads import ExportUploads
from bot.metrics import Metrics
from bot.payments.approve import ApprovalService
from bot.payments.coding import CodingService
from bot.payments.ingest import IngestService
from bot.payments.posting import PostingService
from bot.payments.splits_service import SplitService
from bot.receipts.matching_service import ReceiptChecks
from bot.receipts.receipt_first import ReceiptFirst
from bot.receipts.service import ReceiptService
from bot.settings import Settings
from bot.slack.clients import SlackClients
from bot.slack.directory import SlackDirectory
from bot.slack.outbox import SlackOutbox
from bot.sync.bulk import BulkSyncService
from bot.sync.engine import SyncEngine
from bot.xero.gateway import XeroGateway
from bot.xero.reference import ReferenceDataSync
from bot.xero.tokens import TokenManager
from storage.uow import UnitOfWorkFactory


class Wake(Protocol):
    """Runs a background job now rather than on its schedule (bot.scheduler.SchedulerWake)."""

    def __call__(self, job_id: str) -> None: ...

    def rerunning(self, job_id: str, run: Callable[[], None]) -> Callable[[], None]:
        """`run`, run once more whenever the job is woken while it runs."""
        ...


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
    receipt_checks: ReceiptChecks
    receipt_first: ReceiptFirst
    outbox: SlackOutbox
    approvals: ApprovalService
    splits: SplitService
    duplicates: DuplicateService
    sync: SyncEngine
    home: HomeService
    bulk: BulkSyncService
    workspace_settings: WorkspaceSettingsService
    rules: RuleService
    exports: ExportUploads
    notices: Notices
    wake: Wake
    scheduler: BackgroundScheduler  # its jobs are handed these services; `serve` starts it
    engine: Engine
    installations: InstallationStore | None  # None with a single workspace's bot token
