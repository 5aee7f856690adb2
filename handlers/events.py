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


def register(app: App, services: Services) -> None:
    revocations = TokenRevocationListeners(services.installations) if services.installations else None

    @app.event("app_uninstalled")
    def uninstalled(context: Any) -> None:
        if revocations is not None:
            revocations.handle_app_uninstalled_events(context)
        workspace_id = context.get("workspace_id")
        if workspace_id is not None:
            services.workspaces.mark_uninstalled(int(workspace_id))

    @app.event("message")
    def message(event: dict[str, Any], context: Any, client: WebClient) -> None:
        """A photo or PDF replied in the thread of a payment or of its receipt request; a bank export posted at the
        top of the bot's direct messages (receipts there are replies in a receipt ask's thread, never top level)."""
        if not event.get("files") or event.get("bot_id"):
            return
        if not event.get("thread_ts"):
            if event.get("channel_type") == "im":
                export_shared(services, event, context, client)
            return
        actor = actor_from(context)
        services.receipts.receive(
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

    @app.event("tokens_revoked")
    def tokens_revoked(event: dict[str, Any], context: Any) -> None:
        if revocations is not None:
            revocations.handle_tokens_revoked_events(event, context)
        workspace_id = context.get("workspace_id")
        if workspace_id is not None and event.get("tokens", {}).get("bot"):
            services.workspaces.mark_uninstalled(int(workspace_id))


def acknowledge_other_events(app: App) -> None:
    """Answer 200 to subscribed events no listener wants (say, a channel message that is not a reply),
    so Slack does not retry them or turn the subscription off. Registered after every other listener."""

    @app.event(re.compile(".*"))
    def ignore() -> None:
        return None
