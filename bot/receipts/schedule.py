"""When receipts are chased: reminders in each workspace's working hours, the digest on Monday mornings."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.models import Payment, Workspace

WORK_STARTS, WORK_ENDS = time(9, 0), time(18, 0)


def zone(workspace: Workspace) -> ZoneInfo:
    try:
        return ZoneInfo(workspace.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def in_working_hours(now: datetime, workspace: Workspace) -> bool:
    local = now.astimezone(zone(workspace))
    return local.weekday() < 5 and WORK_STARTS <= local.time() < WORK_ENDS


def reminder_due(payment: Payment, workspace: Workspace, today: date) -> bool:
    if payment.receipt_asked_at is None or payment.reminders_sent >= workspace.reminder_max:
        return False
    if payment.last_reminded_on == today:
        return False
    asked_on = payment.receipt_asked_at.astimezone(zone(workspace)).date()
    waited = workspace.reminder_first_after_days + workspace.reminder_every_days * payment.reminders_sent
    due_on = asked_on + timedelta(days=waited)
    return today >= due_on


def digest_day(workspace: Workspace, now: datetime) -> date | None:
    """The workspace's local date when its weekly digest is due now (Monday, from 09:00, once), else None."""
    local = now.astimezone(zone(workspace))
    if local.weekday() != 0 or local.time() < WORK_STARTS or workspace.digest_sent_on == local.date():
        return None
    return local.date()
