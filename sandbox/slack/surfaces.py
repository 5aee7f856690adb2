"""Where a user interacts: a message (possibly ephemeral) or a view, with the blocks shown there."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.slack.model import Json


@dataclass(frozen=True)
class Surface:
    key: str
    kind: str  # "message" | "view"
    blocks: list[Json]
    payload: Json
    channel_id: str | None = None
    ts: str | None = None
    is_ephemeral: bool = False
    view_id: str | None = None

    @property
    def is_modal(self) -> bool:
        return self.kind == "view" and self.payload.get("type") == "modal"


def message_key(channel_id: str, ts: str) -> str:
    return f"message:{channel_id}:{ts}"
