"""The `/xero` slash command: parse the subcommand and hand it to its handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.connection.roles import Access
from bot.services import Services
from handlers import blocks
from handlers.common import actor_from
from handlers.settings_blocks import settings_modal

Subcommand = Callable[[Ack, Respond, Any, str], None]


def register(app: App, services: Services) -> None:
    def show_help(ack: Ack, respond: Respond, context: Any, argument: str) -> None:
        text, body = blocks.help_message()
        ack(text=text, blocks=body, response_type="ephemeral")

    def connect(ack: Ack, respond: Respond, context: Any, argument: str) -> None:
        url = services.connections.start(actor_from(context))
        text, body = blocks.connect_prompt(url)
        ack(text=text, blocks=body, response_type="ephemeral")

    def status(ack: Ack, respond: Respond, context: Any, argument: str) -> None:
        ack(text="Checking the connection with Xero…", response_type="ephemeral")
        actor = actor_from(context)
        result = services.connections.status(actor, refresh_reference=argument.lower() == "refresh")
        is_admin = services.roles.access_of(actor) >= Access.ADMIN
        text, body = blocks.status_message(result, is_admin=is_admin, now=services.clock.now())
        respond(text=text, blocks=body, response_type="ephemeral", replace_original=True)

    def disconnect(ack: Ack, respond: Respond, context: Any, argument: str) -> None:
        actor = actor_from(context)
        services.roles.require(actor, Access.ADMIN, "disconnect Xero")
        current = services.connections.describe(actor.workspace_id)
        if current.state in ("never", "disconnected") or not current.tenant_name:
            ack(text="No Xero organisation is connected, so there is nothing to disconnect.", response_type="ephemeral")
            return
        text, body = blocks.disconnect_confirmation(current.tenant_name)
        ack(text=text, blocks=body, response_type="ephemeral")

    def settings(ack: Ack, respond: Respond, context: Any, argument: str) -> None:
        actor = actor_from(context)
        view = services.workspace_settings.view(actor)
        ack()
        context.client.views_open(trigger_id=context["trigger_id"], view=settings_modal(view))

    def role(ack: Ack, respond: Respond, context: Any, argument: str) -> None:
        target, _, role_name = argument.partition(" ")
        user_id, granted = services.roles.grant(actor_from(context), target, role_name)
        what = f"now has the {granted.value} role" if granted else "no longer has a bot role"
        ack(text=f"<@{user_id}> {what}.", response_type="ephemeral")

    subcommands: dict[str, Subcommand] = {
        "help": show_help,
        "": show_help,
        "connect": connect,
        "status": status,
        "disconnect": disconnect,
        "role": role,
        "settings": settings,
    }

    @app.command("/xero")
    def xero(ack: Ack, respond: Respond, command: dict[str, Any], context: Any) -> None:
        name, _, argument = str(command.get("text", "")).strip().partition(" ")
        handler = subcommands.get(name.lower())
        if handler is None:
            text, _ = blocks.help_message()
            unknown = blocks.mrkdwn_escape(name[:40])
            ack(text=f"I don't know the subcommand “{unknown}”.\n\n{text}", response_type="ephemeral")
            return
        context["trigger_id"] = command.get("trigger_id")
        handler(ack, respond, context, argument.strip())
