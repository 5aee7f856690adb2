"""Options for external selects: Xero accounts on a payment, Xero contacts in the Edit modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.connection.roles import Actor
from bot.services import Services
from handlers.ids import Ids
from handlers.payment_options import AccountSearches, contact_options


def register(app: App, services: Services) -> None:
    searches = AccountSearches()

    @app.options(Ids.PAYMENT_ACCOUNT)
    def accounts(ack: Ack, body: dict[str, Any], actor: Actor) -> None:
        query = str(body.get("value") or "")
        ack(options=searches.options(query, services.coding.account_choices(actor)))

    # Inputs in modals use the action id "value"; the contact select is told apart by its block.
    @app.options("value", matchers=[lambda body: body.get("block_id") == Ids.EDIT_CONTACT])
    def contacts(ack: Ack, body: dict[str, Any], actor: Actor) -> None:
        query = str(body.get("value") or "")
        ack(options=contact_options(query, services.coding.contact_names(actor, query)))
