"""Workspaces, who holds which role, the audit log, and the deliveries already handled (models/workspace.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.exc import IntegrityError

from storage.models import AuditEntry, ProcessedEvent, Role, SeenSlackRequest, UserRole, Workspace
from storage.repositories.base import SessionRepository, skip_locked

AUDIT_LOG: Table = AuditEntry.__table__  # type: ignore[assignment]


class WorkspaceRepository(SessionRepository):
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

    def lock(self, workspace_id: int) -> Workspace | None:
        """The workspace row, held until commit (jobs that must run once per workspace and day)."""
        query = select(Workspace).where(Workspace.id == workspace_id).with_for_update(**skip_locked(self.session))
        return self.session.scalars(query.execution_options(populate_existing=True)).first()

    def all_active(self) -> Sequence[Workspace]:
        return self.session.scalars(select(Workspace).where(Workspace.uninstalled_at.is_(None))).all()


class RoleRepository(SessionRepository):
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


class AuditLog(SessionRepository):
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

    def payment_event(
        self, *, workspace_id: int, actor_user_id: str | None, action: str, payment_id: int, **details: Any
    ) -> None:
        """An entry about one payment (approved, excluded, no receipt …)."""
        self.record(
            workspace_id=workspace_id,
            actor_user_id=actor_user_id,
            action=action,
            subject_type="payment",
            subject_id=str(payment_id),
            **details,
        )

    def payment_events(
        self,
        *,
        workspace_id: int,
        actor_user_id: str | None,
        action: str,
        details: Sequence[tuple[int, dict[str, Any]]],
    ) -> None:
        """One entry about each of many payments, (payment id, details) each, in one statement (an import's batch)."""
        if details:
            rows = [
                {
                    "workspace_id": workspace_id,
                    "actor_user_id": actor_user_id,
                    "action": action,
                    "subject_type": "payment",
                    "subject_id": str(payment_id),
                    "details": extra,
                }
                for payment_id, extra in details
            ]
            self.session.execute(insert(AUDIT_LOG), rows)

    def recent(self, workspace_id: int, limit: int = 50) -> Sequence[AuditEntry]:
        return self.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.workspace_id == workspace_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        ).all()


class ProcessedEvents(SessionRepository):
    def first_time(self, event_id: str, team_id: str | None) -> bool:
        """Record `event_id`; False when it was already recorded (a retried delivery)."""
        return self._first(ProcessedEvent(event_id=event_id, team_id=team_id))

    def forget_before(self, cutoff: datetime) -> int:
        old = self.session.scalars(select(ProcessedEvent).where(ProcessedEvent.received_at < cutoff)).all()
        for row in old:
            self.session.delete(row)
        return len(old)

    def first_request(self, signature: str, now: datetime) -> bool:
        """Record a signed Slack request (one insert); False when the same signature was seen before (a replay)."""
        digest = hashlib.sha256(signature.encode()).hexdigest()
        return self._first(SeenSlackRequest(signature_sha256=digest, seen_at=now))

    def _first(self, row: ProcessedEvent | SeenSlackRequest) -> bool:
        """Insert `row` in a savepoint; False, and the transaction intact, when its key was recorded before."""
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            return False
        return True

    def forget_requests_before(self, cutoff: datetime) -> int:
        result = self.session.execute(delete(SeenSlackRequest).where(SeenSlackRequest.seen_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)
