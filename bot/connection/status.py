"""What `/xero status` reports: the connection, its sign-in and API budget, payments by state, and Slack's backlog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.models import PaymentState, XeroConnection
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class ConnectionStatus:
    state: str  # connected | needs_reconnect | disconnected | never
    tenant_name: str | None = None
    connected_by: str | None = None
    connected_at: datetime | None = None
    reference_synced_at: datetime | None = None
    last_sync_at: datetime | None = None
    access_expires_at: datetime | None = None
    refresh_token_issued_at: datetime | None = None
    day_limit_remaining: int | None = None
    minute_limit_remaining: int | None = None
    limits_seen_at: datetime | None = None
    last_error: str | None = None
    pending: int = 0
    synced: int = 0
    errors: int = 0
    finance_channel: str | None = None
    check_failed: str | None = None
    slack_waiting: int = 0  # messages, redraws and replies Slack has not taken yet (the bot keeps trying)
    slack_failing_since: datetime | None = None
    slack_last_error: str | None = None


def _tallies(work: UnitOfWork, workspace_id: int, channel: str | None, check_failed: str | None) -> dict[str, Any]:
    """The fields of a status that do not depend on the connection: payments, channel, Slack's backlog."""
    counts = work.payments.count_by_state(workspace_id)
    slack = work.outbox.waiting(workspace_id)
    unposted = work.payments.failed_posts(workspace_id)
    return {
        "pending": counts.get(PaymentState.PENDING, 0)
        + counts.get(PaymentState.APPROVED, 0)
        + counts.get(PaymentState.SYNCING, 0)
        + counts.get(PaymentState.UPDATED, 0),
        "synced": counts.get(PaymentState.SYNCED, 0),
        "errors": counts.get(PaymentState.SYNC_ERROR, 0),
        "finance_channel": channel,
        "check_failed": check_failed,
        "slack_waiting": slack.count + unposted.count,
        "slack_failing_since": min(
            (t for t in (slack.failing_since, unposted.failing_since) if t is not None), default=None
        ),
        "slack_last_error": slack.last_error or unposted.last_error,
    }


def _described(connection: XeroConnection, tallies: dict[str, Any]) -> ConnectionStatus:
    token_set = connection.token_set
    signed_in = token_set is not None and bool(token_set.token)
    return ConnectionStatus(
        state=connection.state.value,
        tenant_name=connection.tenant_name,
        connected_by=connection.connected_by_user_id,
        connected_at=connection.connected_at,
        reference_synced_at=connection.reference_synced_at,
        last_sync_at=connection.last_sync_at,
        access_expires_at=token_set.access_expires_at if token_set and signed_in else None,
        refresh_token_issued_at=token_set.refresh_token_issued_at if token_set and signed_in else None,
        day_limit_remaining=connection.day_limit_remaining,
        minute_limit_remaining=connection.minute_limit_remaining,
        limits_seen_at=connection.limits_seen_at,
        last_error=connection.last_error,
        **tallies,
    )


def connection_status(
    work: UnitOfWork, workspace_id: int, *, default_channel: str | None, check_failed: str | None
) -> ConnectionStatus:
    """The workspace's status as loaded in `work` (its active connection, else the latest one)."""
    workspace = work.workspaces.get(workspace_id)
    channel = (workspace.finance_channel_id if workspace else None) or default_channel
    tallies = _tallies(work, workspace_id, channel, check_failed)
    connection = work.connections.active_for(workspace_id) or work.connections.latest_for(workspace_id)
    if connection is None:
        return ConnectionStatus(state="never", **tallies)
    return _described(connection, tallies)
