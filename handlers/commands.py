"""The `/xero` slash command: parse the subcommand and hand it to its handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from bot.services import Services
from handlers.blocks import help_message, mrkdwn_escape

Subcommand = Callable[..., None]


def register(app: App, services: Services) -> None:
    def show_help(ack: Ack, **_: Any) -> None:
        text, blocks = help_message()
        ack(text=text, blocks=blocks, response_type="ephemeral")

    subcommands: dict[str, Subcommand] = {"help": show_help, "": show_help}

    @app.command("/xero")
    def xero(ack: Ack, command: dict[str, Any], context: Any) -> None:
        name, _, argument = str(command.get("text", "")).strip().partition(" ")
        handler = subcommands.get(name.lower())
        if handler is None:
            text, _ = help_message()
            unknown = mrkdwn_escape(name[:40])
            ack(text=f"I don't know the subcommand “{unknown}”.\n\n{text}", response_type="ephemeral")
            return
        handler(ack=ack, command=command, argument=argument.strip(), context=context)
