"""Repositories, one module per group of models (`storage/models/`). They flush at most; they never commit."""

from storage.repositories.accounts import category_key
from storage.repositories.connections import ConnectionRepository
from storage.repositories.import_profiles import ImportProfiles
from storage.repositories.outbox import OutboxRepository, Waiting
from storage.repositories.payments import PaymentRepository
from storage.repositories.reference import ReferenceData
from storage.repositories.rules import RuleRepository
from storage.repositories.workspace import AuditLog, ProcessedEvents, RoleRepository, WorkspaceRepository

__all__ = [
    "AuditLog",
    "ConnectionRepository",
    "ImportProfiles",
    "OutboxRepository",
    "PaymentRepository",
    "ProcessedEvents",
    "ReferenceData",
    "RoleRepository",
    "RuleRepository",
    "Waiting",
    "WorkspaceRepository",
    "category_key",
]
