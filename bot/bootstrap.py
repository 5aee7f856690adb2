"""The one place the parts are built from settings and wired together."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.engine import Engine

from bot.clock import Clock, SystemClock
from bot.connection.connect import ConnectionService
from bot.connection.roles import Roles
from bot.connection.workspace_settings import WorkspaceSettingsService
from bot.connection.workspaces import WorkspaceService
from bot.home.service import HomeService
from bot.imports.importer import Importer
from bot.imports.uploads import EXPORT_MAX_BYTES, ExportUploads
from bot.metrics import Metrics
from bot.payments.approve import ApprovalService
from bot.payments.coding import CodingService
from bot.payments.ingest import IngestService
from bot.payments.posting import PostingService
from bot.receipts.service import ReceiptService
from bot.services import Services
from bot.settings import ConfigError, Settings
from bot.slack.clients import SlackClients
from bot.slack.directory import SlackDirectory
from bot.slack.files import SlackFiles
from bot.slack.outbox import SlackOutbox
from bot.sync.bulk import BulkSyncService
from bot.sync.engine import SyncEngine
from bot.xero.gateway import XeroGateway
from bot.xero.limiter import RateLimiter
from bot.xero.oauth import XeroOAuth
from bot.xero.reference import ReferenceDataSync
from bot.xero.tokens import TokenManager
from storage.crypto import KeyRing
from storage.db import create_engine, session_factory
from storage.outbox import watch_card_changes
from storage.slack_installations import EncryptedInstallationStore
from storage.uow import UnitOfWorkFactory

MAX_DOWNLOAD = 50 * 1024 * 1024  # a bigger "receipt" is not downloaded at all


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


def build_services(settings: Settings, deps: Deps) -> Services:
    installations = (
        EncryptedInstallationStore(
            client_id=settings.slack_client_id, engine=deps.engine, keyring=keyring_from(settings)
        )
        if settings.slack_client_id
        else None
    )
    slack = SlackClients(settings, installations)
    directory = SlackDirectory(slack.for_team)
    roles = Roles(uow=deps.uow, directory=directory)
    oauth = XeroOAuth(settings)
    tokens = TokenManager(uow=deps.uow, oauth=oauth, clock=deps.clock)
    gateway = XeroGateway(
        settings=settings,
        tokens=tokens,
        uow=deps.uow,
        clock=deps.clock,
        limiter=RateLimiter(per_minute=settings.xero_minute_limit),
    )
    reference = ReferenceDataSync(gateway=gateway, uow=deps.uow, clock=deps.clock)
    connections = ConnectionService(
        settings=settings,
        uow=deps.uow,
        clock=deps.clock,
        roles=roles,
        oauth=oauth,
        gateway=gateway,
        reference=reference,
    )
    coding = CodingService(uow=deps.uow, clock=deps.clock, roles=roles)
    watch_card_changes(deps.uow.sessions, deps.clock.now)
    outbox = SlackOutbox(uow=deps.uow, clock=deps.clock, coding=coding, directory=directory)
    posting = PostingService(settings=settings, uow=deps.uow, clock=deps.clock, coding=coding, directory=directory)
    receipts = ReceiptService(
        uow=deps.uow,
        clock=deps.clock,
        roles=roles,
        coding=coding,
        slack=slack,
        files=SlackFiles(settings.slack_api_base, max_download_bytes=max(MAX_DOWNLOAD, 3 * settings.receipt_max_bytes)),
        max_bytes=settings.receipt_max_bytes,
        outbox=outbox,
    )
    approvals = ApprovalService(uow=deps.uow, clock=deps.clock, roles=roles, coding=coding)
    sync = SyncEngine(
        uow=deps.uow,
        clock=deps.clock,
        gateway=gateway,
        cards=outbox,
        public_url=settings.base_url,
        lease=timedelta(seconds=settings.sync_lease_seconds),
    )
    home = HomeService(uow=deps.uow, roles=roles, coding=coding)
    bulk = BulkSyncService(uow=deps.uow, clock=deps.clock, roles=roles, calls_per_minute=settings.xero_minute_limit)
    ingest = IngestService(uow=deps.uow, clock=deps.clock)
    exports = ExportUploads(
        importer=Importer(uow=deps.uow, ingest=ingest),
        roles=roles,
        slack=slack,
        files=SlackFiles(settings.slack_api_base, max_download_bytes=EXPORT_MAX_BYTES),
    )
    return Services(
        settings=settings,
        uow=deps.uow,
        clock=deps.clock,
        metrics=deps.metrics,
        slack=slack,
        directory=directory,
        roles=roles,
        tokens=tokens,
        gateway=gateway,
        reference=reference,
        connections=connections,
        workspaces=WorkspaceService(uow=deps.uow, clock=deps.clock, slack=slack),
        ingest=ingest,
        coding=coding,
        posting=posting,
        receipts=receipts,
        outbox=outbox,
        approvals=approvals,
        sync=sync,
        home=home,
        bulk=bulk,
        workspace_settings=WorkspaceSettingsService(settings=settings, uow=deps.uow, clock=deps.clock, roles=roles),
        engine=deps.engine,
        installations=installations,
        exports=exports,
    )
