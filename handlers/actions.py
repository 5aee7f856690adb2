"""Buttons: choosing the Xero organisation, confirming a disconnect, reconnecting."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.connection.roles import Actor
from bot.connection.tenants import Disconnected
from bot.errors import DomainError
from bot.services import Services
from handlers import blocks
from handlers.ids import Ids
from handlers.kit import modal

RECONNECT_TITLE = "Connect to Xero"
KEPT = "Nothing changed: Xero stays connected."


def connect_link_opened(ack: Ack) -> None:
    """The button opens Xero in the browser; Slack still tells us it was clicked."""
    ack()


def keep_connected(ack: Ack, respond: Respond) -> None:
    ack()
    respond(text=KEPT, replace_original=True)


def disconnected_text(result: Disconnected) -> str:
    name = blocks.mrkdwn_escape(result.tenant_name)
    if result.revoked_at_xero:
        return f"Disconnected from {name}. The bot's access was revoked in Xero and its sign-in deleted here."
    return (
        f"Disconnected from {name} here and deleted the stored sign-in, but Xero could not be reached to "
        "revoke the access. Please also remove the app in Xero: Settings → Connected apps."
    )


class ConnectionButtons:
    def __init__(self, services: Services) -> None:
        self._services = services

    def reconnect(self, ack: Ack, respond: Respond, actor: Actor, body: dict[str, Any], client: WebClient) -> None:
        ack()
        url = self._services.connections.start(actor)
        text, prompt = blocks.connect_prompt(url, reconnect=True)
        if body.get("response_url"):
            respond(text=text, blocks=prompt, response_type="ephemeral", replace_original=False)
        else:  # from the App Home, which has no response_url
            client.views_open(trigger_id=body["trigger_id"], view=modal(RECONNECT_TITLE, prompt, close="Close"))

    def choose_tenant(self, ack: Ack, respond: Respond, action: dict[str, Any], actor: Actor) -> None:
        ack()
        token_set_id, _, tenant_id = str(action.get("value", "")).partition(":")
        if not token_set_id.isdigit():
            raise DomainError("That choice is not valid any more. Run `/xero connect` again.")
        connected = self._services.connections.choose(actor, int(token_set_id), tenant_id)
        respond(
            text=blocks.connected_notice(connected.tenant_name, reconnected=connected.reconnected),
            replace_original=True,
        )
        self._services.notices.connected(
            team_id=connected.team_id,
            user_id=connected.user_id,
            workspace_id=connected.workspace_id,
            tenant_name=connected.tenant_name,
            reconnected=connected.reconnected,
        )

    def disconnect(self, ack: Ack, respond: Respond, actor: Actor) -> None:
        ack()
        respond(text=disconnected_text(self._services.connections.disconnect(actor)), replace_original=True)


def register(app: App, services: Services) -> None:
    buttons = ConnectionButtons(services)
    app.action(Ids.CONNECT_LINK)(connect_link_opened)
    app.action(Ids.RECONNECT)(buttons.reconnect)
    app.action(Ids.CHOOSE_TENANT)(buttons.choose_tenant)
    app.action(Ids.DISCONNECT_CONFIRM)(buttons.disconnect)
    app.action(Ids.DISCONNECT_CANCEL)(keep_connected)
