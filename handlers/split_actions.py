"""Edit → Split: opening the split form from the Edit modal, adding and removing lines, and saving it. The checks
(role, version, state, every line) are the service's (bot/payments/splits_service.py); a refusal is shown under the
input it is about, and the form stays open."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.connection.roles import Actor
from bot.errors import DomainError
from bot.payments.splits import LineInput, SplitRefused
from bot.services import Services
from handlers.common import STALE_FORM
from handlers.ids import Ids, PaymentRef
from handlers.split_blocks import SplitForm, block_id, opening_form, split_modal

ERROR_FIELDS = {
    "amount": Ids.SPLIT_AMOUNT,
    "account": Ids.SPLIT_ACCOUNT,
    "tax": Ids.SPLIT_TAX,
    "description": Ids.SPLIT_DESCRIPTION,
}


def _chosen(element: dict[str, Any]) -> str | None:
    if "selected_option" in element:
        option = element["selected_option"]
        return str(option.get("value")) if isinstance(option, dict) and option.get("value") is not None else None
    value = element.get("value")
    return str(value) if value is not None else None


def _input(values: dict[str, Any], block: str) -> str | None:
    inputs = values.get(block)
    element: Any = next(iter(inputs.values()), {}) if isinstance(inputs, dict) and inputs else {}
    return _chosen(element) if isinstance(element, dict) else None


def lines_from(view: dict[str, Any], form: SplitForm) -> list[LineInput]:
    """Each line of the form, in order, as typed."""
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    lines = []
    for key in form.keys:
        prefix = f"{block_id(Ids.SPLIT_TRACKING, key)}:"
        tracking: dict[str, str] = {}
        for block in values:
            category, _, option = (
                (_input(values, block) or "").partition(":") if block.startswith(prefix) else ("", "", "")
            )
            if category:
                tracking[category] = option
        lines.append(
            LineInput(
                description=_input(values, block_id(Ids.SPLIT_DESCRIPTION, key)),
                amount=_input(values, block_id(Ids.SPLIT_AMOUNT, key)),
                account_code=_input(values, block_id(Ids.SPLIT_ACCOUNT, key)),
                tax_type=_input(values, block_id(Ids.SPLIT_TAX, key)),
                tracking=tracking,
            )
        )
    return lines


def form_errors(refused: DomainError, form: SplitForm, view: dict[str, Any]) -> dict[str, str]:
    """Each refusal under the input of the line it is about; one about the whole split under the last amount."""
    if not isinstance(refused, SplitRefused):
        return {block_id(Ids.SPLIT_AMOUNT, form.keys[0]): refused.message}
    blocks = {b.get("block_id") for b in view.get("blocks", [])}
    errors: dict[str, str] = {}
    for (index, field), message in refused.errors.items():
        key = form.keys[min(index, len(form.keys) - 1)]
        block = block_id(ERROR_FIELDS.get(field, Ids.SPLIT_TRACKING), key)
        if field == "tracking":
            block = block_id(Ids.SPLIT_TRACKING, key, 0)
        if block not in blocks:
            block = block_id(Ids.SPLIT_AMOUNT, key)
        errors.setdefault(block, message)
    return errors


class SplitListeners:
    def __init__(self, services: Services) -> None:
        self._services = services

    def open(self, ack: Ack, actor: Actor, payment: PaymentRef, body: dict[str, Any], client: WebClient) -> None:
        """The Edit modal's Split button: the split form on top of it."""
        ack()
        current = self._services.splits.view_to_split(actor, payment.payment_id)
        form = opening_form(current.card)
        client.views_push(trigger_id=body["trigger_id"], view=split_modal(current.card, current.choices, form))

    def add_line(self, ack: Ack, actor: Actor, body: dict[str, Any], client: WebClient) -> None:
        ack()
        self._redraw(actor, body, client, lambda form: form.added())

    def remove_line(
        self, ack: Ack, actor: Actor, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        key = str(action.get("value") or "")
        self._redraw(actor, body, client, lambda form: form.removed(int(key)) if key.isdigit() else form)

    def _redraw(
        self, actor: Actor, body: dict[str, Any], client: WebClient, change: Callable[[SplitForm], SplitForm]
    ) -> None:
        view = body.get("view") or {}
        form = SplitForm.from_metadata(view.get("private_metadata"))
        if form is None or view.get("callback_id") != Ids.SPLIT_MODAL:
            raise DomainError(STALE_FORM)
        current = self._services.splits.view_to_split(actor, form.payment_id)
        redrawn = split_modal(current.card, current.choices, change(form))
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=redrawn)

    def save(self, ack: Ack, view: dict[str, Any], actor: Actor) -> None:
        """Saved: every view of the stack closes (the Edit modal under it shows the version before the split)."""
        form = SplitForm.from_metadata(view.get("private_metadata"))
        if form is None:
            inputs = [str(b.get("block_id")) for b in view.get("blocks", []) if b.get("type") == "input"]
            ack(response_action="errors", errors={inputs[0]: STALE_FORM} if inputs else {})
            return
        splits = self._services.splits
        try:
            changed = splits.split(actor, form.payment_id, form.version, lines_from(view, form))
        except DomainError as refused:  # a Conflict too: its words say to look at the message again
            ack(response_action="errors", errors=form_errors(refused, form, view))
            return
        ack(response_action="clear")
        self._services.outbox.redraw_saved(changed.card.payment_id)


def register(app: App, services: Services) -> None:
    listeners = SplitListeners(services)
    app.action(Ids.PAYMENT_SPLIT)(listeners.open)
    app.action(Ids.SPLIT_ADD_LINE)(listeners.add_line)
    app.action(Ids.SPLIT_REMOVE_LINE)(listeners.remove_line)
    app.view(Ids.SPLIT_MODAL)(listeners.save)
