"""Building the receipt checks: the reading pool, and the service for receipts sent on their own."""

from __future__ import annotations

from bot.clock import Clock
from bot.connection.roles import Roles
from bot.payments.coding import CodingService
from bot.receipts.matching_service import ReceiptChecks
from bot.receipts.reading import ReadingPool
from bot.receipts.receipt_first import ReceiptFirst
from bot.receipts.receipt_first_matching import ReceiptFirstMessenger
from bot.settings import Settings
from bot.slack.clients import SlackClients
from bot.slack.directory import SlackDirectory
from bot.slack.files import SlackFiles
from bot.slack.outbox import SlackOutbox
from bot.workers import BoundedWorkers
from storage.uow import UnitOfWorkFactory

MAX_DOWNLOAD = 50 * 1024 * 1024  # a bigger "receipt" is not downloaded at all


def receipt_download_max(settings: Settings) -> int:
    return max(MAX_DOWNLOAD, 3 * settings.receipt_max_bytes)


def receipt_checks(
    settings: Settings,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
    slack: tuple[SlackClients, SlackDirectory, Roles, CodingService, SlackOutbox],
    workers: BoundedWorkers,
    messenger: ReceiptFirstMessenger,
) -> tuple[ReceiptChecks, ReceiptFirst]:
    clients, directory, roles, coding, outbox = slack
    checks = ReceiptChecks(
        uow=uow,
        clock=clock,
        roles=roles,
        coding=coding,
        pool=ReadingPool(),
        redraw=outbox.redraw_card,
    )
    first = ReceiptFirst(
        uow=uow,
        clock=clock,
        roles=roles,
        directory=directory,
        slack=clients,
        files=SlackFiles(settings.slack_api_base, max_download_bytes=receipt_download_max(settings)),
        max_bytes=settings.receipt_max_bytes,
        workers=workers,
        checks=checks,
        messenger=messenger,
        finance_channel=settings.finance_channel,
    )
    return checks, first
