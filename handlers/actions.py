"""Buttons: choosing the Xero organisation, confirming a disconnect, reconnecting."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.connection.roles import Actor
from bot.errors import DomainError
from bot.services import Services
from handlers import blocks
from handlers.ids import Ids


def register(app: App, services: Services) -> None:
    @app.action(Ids.CONNECT_LINK)
    def connect_link_opened(ack: Ack) -> None:
        """The button opens Xero in the browser; Slack still tells us it was clicked."""
        ack()

    @app.action(Ids.RECONNECT)
    def reconnect(ack: Ack, respond: Respond, actor: Actor, body: dict[str, Any], client: WebClient) -> None:
        ack()
        url = services.connections.start(actor)
        text, prompt = blocks.connect_prompt(url, reconnect=True)
        if body.get("response_url"):
            respond(text=text, blocks=prompt, response_type="ephemeral", replace_original=False)
        else:  # from the App Home, which has no response_url
            view = {
                "type": "modal",
                "title": {"type": "plain_text", "text": "Connect to Xero"},
                "close": {"type": "plain_text", "text": "Close"},
                "blocks": prompt,
            }
            client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(Ids.CHOOSE_TENANT)
    def choose_tenant(ack: Ack, respond: Respond, action: dict[str, Any], actor: Actor) -> None:
        ack()
        token_set_id, _, tenant_id = str(action.get("value", "")).partition(":")
        if not token_set_id.isdigit():
            raise DomainError("That choice is not valid any more. Run `/xero connect` again.")
        connected = services.connections.choose(actor, int(token_set_id), tenant_id)
        respond(
            text=blocks.connected_notice(connected.tenant_name, reconnected=connected.reconnected),
            replace_original=True,
        )
        services.notices.connected(
            team_id=connected.team_id,
            user_id=connected.user_id,
            workspace_id=connected.workspace_id,
            tenant_name=connected.tenant_name,
            reconnected=connected.reconnected,
        )

    @app.action(Ids.DISCONNECT_CONFIRM)
    def disconnect(ack: Ack, respond: Respond, actor: Actor) -> None:
        ack()
        result = services.connections.disconnect(actor)
        name = blocks.mrkdwn_escape(result.tenant_name)
        if result.revoked_at_xero:
            text = f"Disconnected from {name}. The bot's access was revoked in Xero and its sign-in deleted here."
        else:
            text = (
                f"Disconnected from {name} here and deleted the stored sign-in, but Xero could not be reached to "
                "revoke the access. Please also remove the app in Xero: Settings → Connected apps."
            )
        respond(text=text, replace_original=True)

    @app.action(Ids.DISCONNECT_CANCEL)
    def keep_connected(ack: Ack, respond: Respond) -> None:
        ack()
        respond(text="Nothing changed: Xero stays connected.", replace_original=True)
