"""Repositories: queries and additions scoped to one session. They flush at most; they never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import (
    AuditEntry,
    ConnectionState,
    Payment,
    PaymentState,
    ProcessedEvent,
    Role,
    UserRole,
    Workspace,
    XeroConnection,
    XeroOAuthState,
)


def _skip_locked(session: Session) -> dict[str, Any]:
    """Row-claiming options: SKIP LOCKED where the database has it (PostgreSQL), nothing on SQLite,
    where BEGIN IMMEDIATE already serialises writers."""
    if session.get_bind().dialect.name == "postgresql":
        return {"skip_locked": True}
    return {}


class WorkspaceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, workspace_id: int) -> Workspace | None:
        return self.session.get(Workspace, workspace_id)

    def by_team(self, team_id: str) -> Workspace | None:
        return self.session.scalar(select(Workspace).where(Workspace.team_id == team_id))

    def ensure(self, team_id: str, *, enterprise_id: str | None = None) -> Workspace:
        """The workspace for `team_id`, created on first sight (safe against a concurrent creator)."""
        existing = self.by_team(team_id)
        if existing is not None:
            return existing
        workspace = Workspace(team_id=team_id, enterprise_id=enterprise_id)
        try:
            with self.session.begin_nested():
                self.session.add(workspace)
        except IntegrityError:
            found = self.by_team(team_id)
            assert found is not None
            return found
        return workspace

    def all_active(self) -> Sequence[Workspace]:
        return self.session.scalars(select(Workspace).where(Workspace.uninstalled_at.is_(None))).all()


class RoleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def role_of(self, workspace_id: int, user_id: str) -> Role | None:
        return self.session.scalar(
            select(UserRole.role).where(UserRole.workspace_id == workspace_id, UserRole.user_id == user_id)
        )

    def set_role(self, workspace_id: int, user_id: str, role: Role | None, *, granted_by: str) -> None:
        current = self.session.scalar(
            select(UserRole).where(UserRole.workspace_id == workspace_id, UserRole.user_id == user_id)
        )
        if role is None:
            if current is not None:
                self.session.delete(current)
        elif current is None:
            self.session.add(UserRole(workspace_id=workspace_id, user_id=user_id, role=role, granted_by=granted_by))
        else:
            current.role = role
            current.granted_by = granted_by
        self.session.flush()

    def holders(self, workspace_id: int, role: Role) -> Sequence[str]:
        return self.session.scalars(
            select(UserRole.user_id).where(UserRole.workspace_id == workspace_id, UserRole.role == role)
        ).all()


class AuditLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(
        self,
        *,
        workspace_id: int | None,
        actor_user_id: str | None,
        action: str,
        subject_type: str | None = None,
        subject_id: str | None = None,
        **details: Any,
    ) -> None:
        self.session.add(
            AuditEntry(
                workspace_id=workspace_id,
                actor_user_id=actor_user_id,
                action=action,
                subject_type=subject_type,
                subject_id=subject_id,
                details=details,
            )
        )

    def recent(self, workspace_id: int, limit: int = 50) -> Sequence[AuditEntry]:
        return self.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.workspace_id == workspace_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        ).all()


class ProcessedEvents:
    def __init__(self, session: Session) -> None:
        self.session = session

    def first_time(self, event_id: str, team_id: str | None) -> bool:
        """Record `event_id`; False when it was already recorded (a retried delivery)."""
        try:
            with self.session.begin_nested():
                self.session.add(ProcessedEvent(event_id=event_id, team_id=team_id))
        except IntegrityError:
            return False
        return True

    def forget_before(self, cutoff: datetime) -> int:
        old = self.session.scalars(select(ProcessedEvent).where(ProcessedEvent.received_at < cutoff)).all()
        for row in old:
            self.session.delete(row)
        return len(old)


class ConnectionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def active_for(self, workspace_id: int) -> XeroConnection | None:
        """The workspace's current Xero organisation (connected or waiting for a reconnect)."""
        return self.session.scalar(
            select(XeroConnection)
            .where(
                XeroConnection.workspace_id == workspace_id,
                XeroConnection.state != ConnectionState.DISCONNECTED,
            )
            .order_by(XeroConnection.connected_at.desc())
            .limit(1)
        )

    def purge_expired_states(self, now: datetime) -> int:
        result = self.session.execute(delete(XeroOAuthState).where(XeroOAuthState.expires_at < now))
        return int(getattr(result, "rowcount", 0) or 0)


class PaymentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, payment: Payment) -> Payment:
        self.session.add(payment)
        self.session.flush()
        return payment

    def get(self, workspace_id: int, payment_id: int) -> Payment | None:
        """A payment of this workspace only: ids from Slack payloads are never trusted across workspaces."""
        return self.session.scalar(
            select(Payment).where(Payment.workspace_id == workspace_id, Payment.id == payment_id)
        )

    def count_by_state(self, workspace_id: int) -> dict[PaymentState, int]:
        rows = self.session.execute(
            select(Payment.state, func.count()).where(Payment.workspace_id == workspace_id).group_by(Payment.state)
        ).all()
        return {state: count for state, count in rows}
