"""The domain's tables. Importing this package registers every table on `Base.metadata`."""

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import String

from storage.models.base import Base, utcnow
from storage.models.calls import XeroCallDay, XeroCallSlot
from storage.models.history import NoteState, XeroNote
from storage.models.imports import ImportProfile
from storage.models.outbox import OutboxItem
from storage.models.payments import (
    BulkRun,
    CategoryMapping,
    Payment,
    PaymentState,
    Receipt,
    ReceiptState,
    SourceAccount,
    SyncAttempt,
)
from storage.models.receipt_checks import ReceiptReading, WaitingReceipt
from storage.models.rules import CodingRule
from storage.models.workspace import AuditEntry, ProcessedEvent, Role, SeenSlackRequest, UserRole, Workspace
from storage.models.xero import (
    ConnectionState,
    XeroAccount,
    XeroConnection,
    XeroContact,
    XeroOAuthState,
    XeroTaxRate,
    XeroTokenSet,
    XeroTrackingCategory,
    XeroTrackingOption,
)

# slack-sdk's installation and OAuth-state stores, on our metadata so Alembic migrates them too.
SLACK_INSTALLATIONS_TABLE = "slack_installations"
SLACK_BOTS_TABLE = "slack_bots"
SLACK_OAUTH_STATES_TABLE = "slack_oauth_states"
SLACK_TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
_installations = SQLAlchemyInstallationStore.build_installations_table(Base.metadata, SLACK_INSTALLATIONS_TABLE)
_bots = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, SLACK_BOTS_TABLE)
SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, SLACK_OAUTH_STATES_TABLE)
# Tokens are stored encrypted (storage.slack_installations), which makes them longer than slack-sdk allows.
for _table, _columns in ((_installations, SLACK_TOKEN_COLUMNS), (_bots, SLACK_TOKEN_COLUMNS[:2])):
    for _name in _columns:
        _table.c[_name].type = String(1000)

__all__ = [
    "SLACK_BOTS_TABLE",
    "SLACK_INSTALLATIONS_TABLE",
    "SLACK_OAUTH_STATES_TABLE",
    "AuditEntry",
    "Base",
    "BulkRun",
    "CategoryMapping",
    "CodingRule",
    "ConnectionState",
    "ImportProfile",
    "NoteState",
    "OutboxItem",
    "Payment",
    "PaymentState",
    "ProcessedEvent",
    "Receipt",
    "ReceiptReading",
    "ReceiptState",
    "Role",
    "SeenSlackRequest",
    "SourceAccount",
    "SyncAttempt",
    "UserRole",
    "WaitingReceipt",
    "Workspace",
    "XeroAccount",
    "XeroCallDay",
    "XeroCallSlot",
    "XeroConnection",
    "XeroContact",
    "XeroNote",
    "XeroOAuthState",
    "XeroTaxRate",
    "XeroTokenSet",
    "XeroTrackingCategory",
    "XeroTrackingOption",
    "utcnow",
]
