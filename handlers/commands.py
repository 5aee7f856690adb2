"""The `/xero` slash command: parse the subcommand and hand it to its handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.connection.roles import Actor
from bot.services import Services
from handlers import blocks
from handlers.common import ActorAccess
from handlers.replay_marks import only_answers
from handlers.rules_blocks import rules_modal
from handlers.settings_blocks import settings_modal

# Subcommands that only answer and change nothing: no replay record is written for them (handlers/replay_marks.py).
# The others record it first, so that with the database down their answer is the apology (test_refusals.py).
ONLY_ANSWER = frozenset({"", "help"})


# Subcommands whose answer is all they do (no message sent and no window opened after it): the request thread runs
# them itself instead of handing them to a thread of the listener pool and waiting (bot/slack/listener_pool.py).
ANSWER_IS_ALL = frozenset({"", "help", "connect", "disconnect", "role"})
COMMAND = "/xero"


def subcommand(command: dict[str, Any]) -> str:
    return str(command.get("text", "")).strip().partition(" ")[0].lower()


def changes_nothing(command: dict[str, Any]) -> bool:
    return subcommand(command) in ONLY_ANSWER


def answer_is_all(body: dict[str, Any]) -> bool:
    return body.get("command") == COMMAND and subcommand(body) in ANSWER_IS_ALL


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


def show_help(run: Invocation) -> None:
    text, body = blocks.help_message()
    run.ack(text=text, blocks=body, response_type="ephemeral")


def unknown_subcommand(name: str) -> str:
    text, _ = blocks.help_message()
    return f"I don't know the subcommand “{blocks.mrkdwn_escape(name[:40])}”.\n\n{text}"


class XeroCommand:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._subcommands: dict[str, Callable[[Invocation], None]] = {
            "help": show_help,
            "": show_help,
            "connect": self.connect,
            "status": self.status,
            "disconnect": self.disconnect,
            "role": self.role,
            "settings": self.settings,
            "rules": self.rules,
        }

    @only_answers(changes_nothing)
    def xero(
        self, ack: Ack, respond: Respond, command: dict[str, Any], actor: Actor, access: ActorAccess, client: WebClient
    ) -> None:
        name, _, argument = str(command.get("text", "")).strip().partition(" ")
        handler = self._subcommands.get(name.lower())
        if handler is None:
            ack(text=unknown_subcommand(name), response_type="ephemeral")
            return
        trigger_id = str(command.get("trigger_id") or "")
        handler(Invocation(ack, respond, actor, access, client, trigger_id, argument.strip()))

    def connect(self, run: Invocation) -> None:
        text, body = blocks.connect_prompt(self._services.connections.start(run.actor))
        run.ack(text=text, blocks=body, response_type="ephemeral")

    def status(self, run: Invocation) -> None:
        run.ack(text="Checking the connection with Xero…", response_type="ephemeral")
        refresh = run.argument.lower() == "refresh"
        result = self._services.connections.status(run.actor, refresh_reference=refresh)
        text, body = blocks.status_message(result, is_admin=run.access.is_admin, now=self._services.clock.now())
        run.respond(text=text, blocks=body, response_type="ephemeral", replace_original=True)

    def disconnect(self, run: Invocation) -> None:
        text, body = blocks.disconnect_confirmation(self._services.connections.tenant_to_disconnect(run.actor))
        run.ack(text=text, blocks=body, response_type="ephemeral")

    def settings(self, run: Invocation) -> None:
        view = self._services.workspace_settings.view(run.actor)
        run.ack()
        run.client.views_open(trigger_id=run.trigger_id, view=settings_modal(view))

    def rules(self, run: Invocation) -> None:
        view = self._services.rules.view(run.actor)
        run.ack()
        run.client.views_open(trigger_id=run.trigger_id, view=rules_modal(view))

    def role(self, run: Invocation) -> None:
        target, _, role_name = run.argument.partition(" ")
        user_id, granted = self._services.roles.grant(run.actor, target, role_name)
        what = f"now has the {granted.value} role" if granted else "no longer has a bot role"
        run.ack(text=f"<@{user_id}> {what}.", response_type="ephemeral")


def register(app: App, services: Services) -> None:
    app.command(COMMAND)(XeroCommand(services).xero)
