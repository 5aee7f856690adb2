"""The one place the parts are built from settings and wired together, the Slack side's ports included."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from slack_sdk.oauth.installation_store import InstallationStore
from sqlalchemy.engine import Engine

from bot.clock import Clock, SystemClock
from bot.coding.duplicates import DuplicateService
from bot.coding.rule_service import RuleService
from bot.connection.connect import ConnectionService
from bot.connection.notices import NoticeRecipients
from bot.connection.roles import Roles
from bot.connection.workspace_settings import WorkspaceSettingsService
from bot.connection.workspaces import WorkspaceService
from bot.home.service import HomeService
from bot.imports.importer import Importer
from bot.imports.uploads import EXPORT_MAX_BYTES, ExportUploads
from bot.metrics import Metrics
from bot.pacing import ChannelPace, channel_pace
from bot.payments.approve import ApprovalService
from bot.payments.coding import CodingService
from bot.payments.ingest import IngestService
from bot.payments.posting import PostingService
from bot.payments.splits_service import SplitService
from bot.receipts.matching_service import ReceiptChecks
from bot.receipts.receipt_first import ReceiptFirst
from bot.receipts.service import RECEIPT_BACKLOG, RECEIPT_WORKERS, ReceiptService
from bot.receipts.wiring import receipt_checks, receipt_download_max
from bot.scheduler import SchedulerWake, new_scheduler, schedule_jobs
from bot.services import Services
from bot.settings import ConfigError, Settings
from bot.slack.clients import SlackClients
from bot.slack.deliveries import Deliveries
from bot.slack.directory import SlackDirectory
from bot.slack.files import SlackFiles
from bot.slack.outbox import SlackOutbox
from bot.sync.bulk import BulkSyncService
from bot.sync.engine import SyncEngine
from bot.workers import BoundedWorkers
from bot.xero.gateway import XeroGateway
from bot.xero.limiter import CallLimiter, RateLimiter
from bot.xero.oauth import XeroOAuth
from bot.xero.reference import ReferenceDataSync
from bot.xero.shared_limiter import SharedRateLimiter
from bot.xero.tokens import TokenManager
from handlers.bulk_messages import SlackProgressMessenger
from handlers.cards import SlackCardPublisher
from handlers.notices import SlackNotices
from handlers.outbox_sender import SlackOutboxSender
from handlers.receipt_first_messages import SlackReceiptFirstMessages
from storage.call_ledger import CallLedger
from storage.crypto import KeyRing
from storage.db import create_engine, session_factory
from storage.outbox import watch_card_changes
from storage.slack_installations import EncryptedInstallationStore
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


@dataclass(frozen=True)
class _SlackSide:
    """Slack's clients, and what reaches Slack on the services' behalf: the outbox and the notices."""

    installations: InstallationStore | None
    clients: SlackClients
    directory: SlackDirectory
    roles: Roles
    coding: CodingService
    outbox: SlackOutbox
    notices: SlackNotices
    pace: ChannelPace  # one per process: the outbox and new payments' posts share a channel's pace
    # One receipt worker per process: receipts in a payment's thread and receipts sent on their own take turns.
    receipt_workers: BoundedWorkers


@dataclass(frozen=True)
class _XeroSide:
    tokens: TokenManager
    gateway: XeroGateway
    reference: ReferenceDataSync
    connections: ConnectionService


@dataclass(frozen=True)
class _PaymentWork:
    """What happens to a payment after it arrives: posted, its receipt collected, synced, alone or in bulk."""

    posting: PostingService
    receipts: ReceiptService
    sync: SyncEngine
    bulk: BulkSyncService
    exports: ExportUploads


def build_services(settings: Settings, deps: Deps) -> Services:
    """Every part, each handed what it uses when it is built; nothing is attached afterwards."""
    slack = _slack_side(settings, deps)
    xero = _xero_side(settings, deps, slack)
    checks, first = _receipt_checks(settings, deps, slack)
    ingest = IngestService(uow=deps.uow, clock=deps.clock, arrivals=first)
    work = _payment_work(settings, deps, slack, xero, ingest, checks)
    uow, clock, roles, coding = deps.uow, deps.clock, slack.roles, slack.coding
    scheduler = new_scheduler()
    services = Services(
        settings=settings,
        uow=uow,
        clock=clock,
        metrics=deps.metrics,
        slack=slack.clients,
        directory=slack.directory,
        roles=roles,
        tokens=xero.tokens,
        gateway=xero.gateway,
        reference=xero.reference,
        connections=xero.connections,
        workspaces=WorkspaceService(uow=uow, clock=clock, slack=slack.clients),
        ingest=ingest,
        coding=coding,
        posting=work.posting,
        receipts=work.receipts,
        receipt_checks=checks,
        receipt_first=first,
        outbox=slack.outbox,
        approvals=ApprovalService(uow=uow, clock=clock, roles=roles, coding=coding),
        splits=SplitService(uow=uow, roles=roles, coding=coding),
        duplicates=DuplicateService(uow=uow, clock=clock, roles=roles, coding=coding),
        sync=work.sync,
        home=HomeService(uow=uow, roles=roles, coding=coding, clock=clock),
        bulk=work.bulk,
        workspace_settings=WorkspaceSettingsService(settings=settings, uow=uow, clock=clock, roles=roles),
        rules=RuleService(uow=uow, roles=roles),
        exports=work.exports,
        notices=slack.notices,
        wake=SchedulerWake(scheduler),
        scheduler=scheduler,
        engine=deps.engine,
        installations=slack.installations,
    )
    schedule_jobs(scheduler, services)
    return services


def _slack_side(settings: Settings, deps: Deps) -> _SlackSide:
    installations = (
        EncryptedInstallationStore(
            client_id=settings.slack_client_id, engine=deps.engine, keyring=keyring_from(settings)
        )
        if settings.slack_client_id
        else None
    )
    clients = SlackClients(settings, installations)
    directory = SlackDirectory(clients.for_team)
    roles = Roles(uow=deps.uow, directory=directory)
    coding = CodingService(uow=deps.uow, clock=deps.clock, roles=roles)
    watch_card_changes(deps.uow.sessions, deps.clock.now)
    deliveries = Deliveries(
        uow=deps.uow, clock=deps.clock, coding=coding, directory=directory, sender=SlackOutboxSender(clients)
    )
    pace = channel_pace(deps.engine)
    outbox = SlackOutbox(uow=deps.uow, clock=deps.clock, deliveries=deliveries, pace=pace)
    notices = SlackNotices(
        recipients=NoticeRecipients(uow=deps.uow, clock=deps.clock, roles=roles, settings=settings), outbox=outbox
    )
    workers = BoundedWorkers(workers=RECEIPT_WORKERS, backlog=RECEIPT_BACKLOG, name="receipts", background=True)
    return _SlackSide(installations, clients, directory, roles, coding, outbox, notices, pace, workers)


def call_limiter(settings: Settings, engine: Engine) -> CallLimiter:
    """Xero's limits for all instances together on PostgreSQL; in this process alone on SQLite (one instance)."""
    if engine.dialect.name == "postgresql":
        return SharedRateLimiter(
            CallLedger(engine), per_minute=settings.xero_minute_limit, day_limit=settings.xero_day_limit
        )
    return RateLimiter(per_minute=settings.xero_minute_limit)


def _xero_side(settings: Settings, deps: Deps, slack: _SlackSide) -> _XeroSide:
    oauth = XeroOAuth(settings)
    tokens = TokenManager(uow=deps.uow, oauth=oauth, clock=deps.clock, on_auth_lost=slack.notices.reconnect_needed)
    gateway = XeroGateway(
        settings=settings,
        tokens=tokens,
        uow=deps.uow,
        clock=deps.clock,
        limiter=call_limiter(settings, deps.engine),
    )
    reference = ReferenceDataSync(gateway=gateway, uow=deps.uow, clock=deps.clock)
    connections = ConnectionService(
        settings=settings,
        uow=deps.uow,
        clock=deps.clock,
        roles=slack.roles,
        oauth=oauth,
        gateway=gateway,
        reference=reference,
    )
    return _XeroSide(tokens, gateway, reference, connections)


def _receipt_checks(settings: Settings, deps: Deps, slack: _SlackSide) -> tuple[ReceiptChecks, ReceiptFirst]:
    return receipt_checks(
        settings,
        uow=deps.uow,
        clock=deps.clock,
        slack=(slack.clients, slack.directory, slack.roles, slack.coding, slack.outbox),
        workers=slack.receipt_workers,
        messenger=SlackReceiptFirstMessages(slack.outbox),
    )


def _payment_work(
    settings: Settings, deps: Deps, slack: _SlackSide, xero: _XeroSide, ingest: IngestService, checks: ReceiptChecks
) -> _PaymentWork:
    uow, clock = deps.uow, deps.clock
    return _PaymentWork(
        posting=PostingService(
            settings=settings,
            uow=uow,
            clock=clock,
            coding=slack.coding,
            directory=slack.directory,
            publisher=SlackCardPublisher(slack.clients),
            pace=slack.pace,
        ),
        receipts=_receipt_service(settings, deps, slack, checks),
        sync=SyncEngine(
            uow=uow,
            clock=clock,
            gateway=xero.gateway,
            cards=slack.outbox,
            public_url=settings.base_url,
            lease=timedelta(seconds=settings.sync_lease_seconds),
            names=slack.directory.name_of,
        ),
        bulk=BulkSyncService(
            uow=uow,
            clock=clock,
            roles=slack.roles,
            messenger=SlackProgressMessenger(slack.clients),
            calls_per_minute=settings.xero_minute_limit,
            day_limit=settings.xero_day_limit,
        ),
        exports=ExportUploads(
            importer=Importer(uow=uow, ingest=ingest),
            roles=slack.roles,
            slack=slack.clients,
            files=SlackFiles(settings.slack_api_base, max_download_bytes=EXPORT_MAX_BYTES),
        ),
    )


def _receipt_service(settings: Settings, deps: Deps, slack: _SlackSide, checks: ReceiptChecks) -> ReceiptService:
    return ReceiptService(
        uow=deps.uow,
        clock=deps.clock,
        roles=slack.roles,
        coding=slack.coding,
        slack=slack.clients,
        files=SlackFiles(settings.slack_api_base, max_download_bytes=receipt_download_max(settings)),
        max_bytes=settings.receipt_max_bytes,
        outbox=slack.outbox,
        messenger=slack.outbox,
        workers=slack.receipt_workers,
        checks=checks,
    )
