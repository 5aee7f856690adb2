"""The Edit form, opened again when its save was refused after the form had closed (handlers/views.py answers
first): at once, with the submission's own trigger, what was typed, and why on top. If Slack will not open it
(the trigger spent or expired, Slack down), the person is told in a direct message, which the outbox keeps until
Slack takes it, with what they had typed."""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, replace
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.connection.roles import Actor
from bot.payments.coding import Conflict
from bot.services import Services
from handlers.blocks import refusal_modal, refusal_text
from handlers.common import ActorAccess
from handlers.ids import PaymentRef
from handlers.kit import escape_clip
from handlers.payment_modals import edit_modal
from handlers.refusals import Refusals, Told, with_notice

logger = logging.getLogger(__name__)

Typed = dict[str, str | None]  # the form's description, contact name and reference as submitted


@dataclass(frozen=True)
class Submitted:
    """An Edit form as it was submitted: by whom, for which payment at which version, and what was typed."""

    actor: Actor
    access: ActorAccess
    payment: PaymentRef
    view: dict[str, Any]
    typed: Typed
    trigger_id: str


class EditAgain:
    def __init__(self, services: Services, client: WebClient) -> None:
        self._services = services
        self._client = client

    def show(self, submitted: Submitted, error: Exception) -> None:
        told = Refusals(self._services).told(error)
        try:
            self._client.views_open(trigger_id=submitted.trigger_id, view=self._form(submitted, error, told))
            return
        except SlackApiError as failed:
            logger.warning("could not open the Edit form again: %s", failed.response.get("error"))
        except OSError as failed:  # Slack unreachable
            logger.warning("could not open the Edit form again: %s", type(failed).__name__)
        actor = submitted.actor
        self._services.outbox.notify(actor.team_id, actor.user_id, _told_with_typed(told, submitted.typed))

    def _form(self, submitted: Submitted, error: Exception, told: Told) -> dict[str, Any]:
        if isinstance(error, Conflict):  # changed meanwhile: the form as the payment is now, to save again
            try:
                current = self._services.coding.view_for(submitted.actor, submitted.payment.payment_id, doing="edit")
            except Exception:
                logger.warning("could not read a payment changed meanwhile; the Edit form opens as submitted")
            else:
                card = replace(current.card, **submitted.typed)  # type: ignore[arg-type]
                return with_notice(edit_modal(card, employee=not submitted.access.is_finance), told.text)
        if told.unexpected or isinstance(error, Conflict):  # nothing was saved: what was typed, to save again
            return with_notice(as_submitted(submitted.view), told.text)
        return refusal_modal(told.text)  # reconciled in Xero, not theirs, gone: there is nothing to save again


def as_submitted(view: dict[str, Any]) -> dict[str, Any]:
    """The submitted modal with what was typed as its inputs' initial values (a new view keeps no state)."""
    shown = copy.deepcopy(view)
    values = (view.get("state") or {}).get("values") or {}
    for block in shown.get("blocks") or []:
        element = block.get("element")
        state = values.get(block.get("block_id"), {}).get((element or {}).get("action_id"))
        if block.get("type") != "input" or element is None or state is None:
            continue
        if "selected_option" in state:
            element.pop("initial_option", None)
            if state["selected_option"]:
                element["initial_option"] = state["selected_option"]
        elif "value" in state:
            element.pop("initial_value", None)
            if state["value"]:
                element["initial_value"] = state["value"]
    return shown


def _told_with_typed(told: Told, typed: Typed) -> str:
    text = f"Your edit to a payment was not saved. {refusal_text(told.text)}"
    if typed.get("description"):
        text += f"\nThe description you typed: “{escape_clip(str(typed['description']), 2000)}”"
    return text
