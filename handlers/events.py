"""Events API: uninstalls and token revocations, and a quiet 200 for events nothing else wants."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App
from slack_bolt.listener.builtins import TokenRevocationListeners
from slack_sdk import WebClient

from bot.receipts.ports import SharedFile
from bot.services import Services
from handlers.common import actor_from
from handlers.exports import export_shared
from handlers.receipt_first_messages import receipt_shared


class EventListeners:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._revocations = TokenRevocationListeners(services.installations) if services.installations else None

    def uninstalled(self, context: Any) -> None:
        if self._revocations is not None:
            self._revocations.handle_app_uninstalled_events(context)
        workspace_id = context.get("workspace_id")
        if workspace_id is not None:
            self._services.workspaces.mark_uninstalled(int(workspace_id))

    def message(self, event: dict[str, Any], context: Any, client: WebClient) -> None:
        """A photo or PDF replied in the thread of a payment or of its receipt request; a bank export posted at the
        top of the bot's direct messages; any other photo or PDF sent to the bot or to the finance channel is a
        receipt sent on its own, matched to its payment (bot/receipts/receipt_first.py)."""
        if not event.get("files") or event.get("bot_id"):
            return
        if not event.get("thread_ts"):
            if event.get("channel_type") == "im":
                export_shared(self._services, event, context, client)
            receipt_shared(self._services, event, context)
            return
        actor = actor_from(context)
        taken = self._services.receipts.receive(
            SharedFile(
                team_id=actor.team_id,
                workspace_id=actor.workspace_id,
                user_id=str(event.get("user")),
                channel=str(event.get("channel")),
                thread_ts=str(event["thread_ts"]),
                message_ts=str(event.get("ts")),
                files=list(event["files"]),
            )
        )
        if not taken:  # a thread that is not a payment's: a receipt sent on its own
            receipt_shared(self._services, event, context)

    def tokens_revoked(self, event: dict[str, Any], context: Any) -> None:
        if self._revocations is not None:
            self._revocations.handle_tokens_revoked_events(event, context)
        workspace_id = context.get("workspace_id")
        if workspace_id is not None and event.get("tokens", {}).get("bot"):
            self._services.workspaces.mark_uninstalled(int(workspace_id))


def register(app: App, services: Services) -> None:
    events = EventListeners(services)
    app.event("app_uninstalled")(events.uninstalled)
    app.event("message")(events.message)
    app.event("tokens_revoked")(events.tokens_revoked)


def acknowledge_other_events(app: App) -> None:
    """Answer 200 to subscribed events no listener wants (say, a channel message that is not a reply),
    so Slack does not retry them or turn the subscription off. Registered after every other listener."""

    @app.event(re.compile(".*"))
    def ignore() -> None:
        return None
