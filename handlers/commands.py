"""The `/xero` slash command: parse the subcommand and hand it to its handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.connection.roles import Access, Actor
from bot.services import Services
from handlers import blocks
from handlers.common import ActorAccess
from handlers.refusals import acks_before_writing
from handlers.settings_blocks import settings_modal

# Subcommands whose answer needs nothing but the words typed: their replay record is written after the answer.
# The others record it first, so that with the database down their answer is the apology (test_refusals.py).
ACK_BEFORE_WRITING = frozenset({"", "help"})


def answers_before_writing(command: dict[str, Any]) -> bool:
    return str(command.get("text", "")).strip().partition(" ")[0].lower() in ACK_BEFORE_WRITING


@dataclass(frozen=True)
class Invocation:
    """One `/xero …`: who ran it, the words after the subcommand, and how to answer."""

    ack: Ack
    respond: Respond
    actor: Actor
    access: ActorAccess
    client: WebClient
    trigger_id: str
    argument: str


def register(app: App, services: Services) -> None:
    def show_help(run: Invocation) -> None:
        text, body = blocks.help_message()
        run.ack(text=text, blocks=body, response_type="ephemeral")

    def connect(run: Invocation) -> None:
        text, body = blocks.connect_prompt(services.connections.start(run.actor))
        run.ack(text=text, blocks=body, response_type="ephemeral")

    def status(run: Invocation) -> None:
        run.ack(text="Checking the connection with Xero…", response_type="ephemeral")
        result = services.connections.status(run.actor, refresh_reference=run.argument.lower() == "refresh")
        text, body = blocks.status_message(result, is_admin=run.access.is_admin, now=services.clock.now())
        run.respond(text=text, blocks=body, response_type="ephemeral", replace_original=True)

    def disconnect(run: Invocation) -> None:
        services.roles.require(run.actor, Access.ADMIN, "disconnect Xero")
        current = services.connections.describe(run.actor.workspace_id)
        if current.state in ("never", "disconnected") or not current.tenant_name:
            run.ack(
                text="No Xero organisation is connected, so there is nothing to disconnect.", response_type="ephemeral"
            )
            return
        text, body = blocks.disconnect_confirmation(current.tenant_name)
        run.ack(text=text, blocks=body, response_type="ephemeral")

    def settings(run: Invocation) -> None:
        view = services.workspace_settings.view(run.actor)
        run.ack()
        run.client.views_open(trigger_id=run.trigger_id, view=settings_modal(view))

    def role(run: Invocation) -> None:
        target, _, role_name = run.argument.partition(" ")
        user_id, granted = services.roles.grant(run.actor, target, role_name)
        what = f"now has the {granted.value} role" if granted else "no longer has a bot role"
        run.ack(text=f"<@{user_id}> {what}.", response_type="ephemeral")

    subcommands: dict[str, Callable[[Invocation], None]] = {
        "help": show_help,
        "": show_help,
        "connect": connect,
        "status": status,
        "disconnect": disconnect,
        "role": role,
        "settings": settings,
    }

    @app.command("/xero")
    @acks_before_writing(answers_before_writing)
    def xero(
        ack: Ack, respond: Respond, command: dict[str, Any], actor: Actor, access: ActorAccess, client: WebClient
    ) -> None:
        name, _, argument = str(command.get("text", "")).strip().partition(" ")
        handler = subcommands.get(name.lower())
        if handler is None:
            text, _ = blocks.help_message()
            unknown = blocks.mrkdwn_escape(name[:40])
            ack(text=f"I don't know the subcommand “{unknown}”.\n\n{text}", response_type="ephemeral")
            return
        trigger_id = str(command.get("trigger_id") or "")
        handler(Invocation(ack, respond, actor, access, client, trigger_id, argument.strip()))
