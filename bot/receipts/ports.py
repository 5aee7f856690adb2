"""What the receipt service is handed (a file shared in a thread) and how it answers there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bot.payments.coding import Changed


class ReceiptMessenger(Protocol):
    """What receiving a receipt says back in Slack (the outbox, bot.slack.outbox.SlackOutbox, in the running bot)."""

    def reply(self, team_id: str, channel: str, thread_ts: str, text: str) -> None: ...

    def react(self, team_id: str, channel: str, ts: str, name: str) -> None: ...

    def tell(self, team_id: str, channel: str, user_id: str, text: str, thread_ts: str | None) -> None: ...

    def update_card(self, team_id: str, changed: Changed) -> None: ...


@dataclass(frozen=True)
class SharedFile:
    """A file shared in a thread, as the Events API describes it."""

    team_id: str
    workspace_id: int
    user_id: str
    channel: str
    thread_ts: str
    message_ts: str
    files: list[dict[str, Any]]
