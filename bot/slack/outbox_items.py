"""What the Slack outbox holds: the kinds of intent, an item as claimed, and the Slack calls that send one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.payments.coding import Changed

RECEIPT_ASK = "receipt_ask"
REMINDER = "receipt_reminder"
DIGEST = "receipt_digest"
REPLY = "thread_reply"
REACTION = "reaction"
EPHEMERAL = "ephemeral"
NOTICE = "notice"


@dataclass(frozen=True)
class Marker:
    """Put in a posted message's metadata, so the bot can recognise its own message for this intent."""

    event_type: str
    key: str

    def metadata(self) -> dict[str, Any]:
        return {"event_type": self.event_type, "event_payload": {"key": self.key}}


class OutboxSender(Protocol):
    """The Slack calls the outbox makes (implemented in handlers.outbox_sender). Each raises on failure."""

    def update_card(self, team_id: str, changed: Changed) -> None: ...

    def permalink(self, team_id: str, channel: str, ts: str) -> str | None: ...

    def find_own(self, team_id: str, channel: str, marker: Marker, thread_ts: str | None = None) -> str | None: ...

    def open_dm(self, team_id: str, user_id: str) -> str: ...

    def post_ask(self, team_id: str, channel: str, changed: Changed, marker: Marker) -> str: ...

    def post_reminder(
        self, team_id: str, channel: str, thread_ts: str, changed: Changed, number: int, marker: Marker
    ) -> str: ...

    def post_digest(self, team_id: str, channel: str, missing: dict[str, list[Changed]], marker: Marker) -> str: ...

    def post_reply(
        self,
        team_id: str,
        channel: str,
        thread_ts: str,
        text: str,
        marker: Marker,
        blocks: list[dict[str, Any]] | None = None,
    ) -> str: ...

    def post_notice(
        self, team_id: str, channel: str, text: str, blocks: list[dict[str, Any]] | None, marker: Marker
    ) -> str: ...

    def react(self, team_id: str, channel: str, ts: str, name: str) -> None: ...

    def tell(self, team_id: str, channel: str, user_id: str, text: str, thread_ts: str | None) -> None: ...


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    key: str
    workspace_id: int
    payment_id: int | None
    payload: dict[str, Any]
    generation: int
    attempts: int
    created_at: datetime
    failing_since: datetime | None = None

    @property
    def outcome_unknown(self) -> bool:
        """An earlier attempt may have reached Slack (it failed or its sender stopped mid-way)."""
        return self.attempts > 1


class Undeliverable(Exception):
    """This item can never be delivered; it is dropped, with the reason logged."""


def claimed(row: Any) -> Claimed:
    """An outbox row as claimed, detached from its session."""
    return Claimed(
        id=row.id,
        kind=row.kind,
        key=row.dedupe_key,
        workspace_id=row.workspace_id,
        payment_id=row.payment_id,
        payload=dict(row.payload or {}),
        generation=row.generation,
        attempts=row.attempts,
        created_at=row.created_at,
        failing_since=row.failing_since,
    )
