"""Modal submissions: editing and excluding a payment."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App

from bot.coding import Conflict
from bot.errors import DomainError
from bot.services import Services
from handlers.cards import SlackCardPublisher
from handlers.common import actor_from
from handlers.ids import Ids

DESCRIPTION_LIMIT = 4000


def _metadata(view: dict[str, Any]) -> tuple[int, int]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
        return int(data["payment_id"]), int(data["version"])
    except (ValueError, KeyError, TypeError):
        raise DomainError("This form is out of date; open it again from the payment.") from None


def _value(view: dict[str, Any], block_id: str) -> Any:
    element = view.get("state", {}).get("values", {}).get(block_id, {}).get("value", {})
    if "selected_option" in element:
        option = element["selected_option"]
        return option.get("value") if option else None
    return element.get("value")


def register(app: App, services: Services) -> None:
    publisher = SlackCardPublisher(services.slack)

    @app.view(Ids.EDIT_MODAL)
    def save_edit(ack: Ack, view: dict[str, Any], context: Any) -> None:
        actor = actor_from(context)
        payment_id, version = _metadata(view)
        description = _value(view, Ids.EDIT_DESCRIPTION)
        if description and len(description) > DESCRIPTION_LIMIT:
            too_long = f"Keep it under {DESCRIPTION_LIMIT} characters."
            ack(response_action="errors", errors={Ids.EDIT_DESCRIPTION: too_long})
            return
        contact = _value(view, Ids.EDIT_CONTACT)
        contact_name = str(contact).split(":", 1)[1] if contact and ":" in str(contact) else None
        try:
            changed = services.coding.edit(
                actor,
                payment_id,
                version,
                description=description,
                contact_name=contact_name,
                reference=_value(view, Ids.EDIT_REFERENCE),
            )
        except Conflict as conflict:
            ack(response_action="errors", errors={Ids.EDIT_DESCRIPTION: conflict.message})
            return
        except DomainError as refused:
            ack(response_action="errors", errors={Ids.EDIT_DESCRIPTION: refused.message})
            return
        ack()
        publisher.update_card(actor.team_id, changed)

    @app.view(Ids.EXCLUDE_MODAL)
    def save_exclusion(ack: Ack, view: dict[str, Any], context: Any) -> None:
        actor = actor_from(context)
        payment_id, version = _metadata(view)
        try:
            changed = services.coding.exclude(
                actor, payment_id, version, str(_value(view, Ids.EXCLUDE_REASON) or ""), _value(view, Ids.EXCLUDE_NOTE)
            )
        except DomainError as refused:
            ack(response_action="errors", errors={Ids.EXCLUDE_REASON: refused.message})
            return
        ack()
        publisher.update_card(actor.team_id, changed)
