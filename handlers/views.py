"""Modal submissions: editing and excluding a payment."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.connection.roles import Actor
from bot.connection.workspace_settings import SettingsChange, SettingsRefused
from bot.errors import DomainError
from bot.payments.coding import Conflict
from bot.services import Services
from bot.text_input import InvalidInput
from handlers.ids import Ids, PaymentRef
from handlers.settings_blocks import NOT_MAPPED


def _value(view: dict[str, Any], block_id: str) -> Any:
    element = view.get("state", {}).get("values", {}).get(block_id, {}).get("value", {})
    if "selected_option" in element:
        option = element["selected_option"]
        return option.get("value") if option else None
    return element.get("value")


def _settings_change(view: dict[str, Any]) -> SettingsChange:
    values = view.get("state", {}).get("values", {})
    change = SettingsChange()
    for block_id, inputs in values.items():
        element: dict[str, Any] = next(iter(inputs.values()), {})
        selected = (element.get("selected_option") or {}).get("value")
        if block_id == Ids.SETTINGS_CHANNEL:
            change.finance_channel = element.get("selected_conversation")
        elif block_id.startswith(f"{Ids.SETTINGS_BANK}:"):
            source_id = int(block_id.split(":", 1)[1])
            change.bank_mapping[source_id] = None if selected in (None, NOT_MAPPED) else str(selected)
        elif block_id.startswith(f"{Ids.SETTINGS_REMOVE_CATEGORY}:"):
            change.remove_categories += [o["value"] for o in element.get("selected_options") or []]
        elif block_id == Ids.SETTINGS_NEW_CATEGORY:
            change.new_category = (element.get("value") or "").strip() or None
        elif block_id == Ids.SETTINGS_NEW_CATEGORY_ACCOUNT:
            change.new_category_account = selected
        elif block_id == Ids.SETTINGS_NEW_CATEGORY_TAX:
            change.new_category_tax = selected
        elif block_id in REMINDER_FIELDS:
            change.reminders[REMINDER_FIELDS[block_id]] = str(element.get("value") or "")
    return change


REMINDER_FIELDS = {
    Ids.SETTINGS_REMINDER_FIRST: "first_after_days",
    Ids.SETTINGS_REMINDER_EVERY: "every_days",
    Ids.SETTINGS_REMINDER_MAX: "max_reminders",
    Ids.SETTINGS_TIMEZONE: "timezone",
}
SETTINGS_ERROR_BLOCKS = {
    "finance_channel": Ids.SETTINGS_CHANNEL,
    "new_category": Ids.SETTINGS_NEW_CATEGORY,
    "new_category_account": Ids.SETTINGS_NEW_CATEGORY_ACCOUNT,
    "new_category_tax": Ids.SETTINGS_NEW_CATEGORY_TAX,
} | {field: block for block, field in REMINDER_FIELDS.items()}
EDIT_ERROR_BLOCKS = {"contact_name": Ids.EDIT_CONTACT, "reference": Ids.EDIT_REFERENCE}


def register(app: App, services: Services) -> None:
    @app.view(Ids.EDIT_MODAL)
    def save_edit(ack: Ack, view: dict[str, Any], actor: Actor, payment: PaymentRef) -> None:
        contact = _value(view, Ids.EDIT_CONTACT)
        contact_name = str(contact).split(":", 1)[1] if contact and ":" in str(contact) else None
        try:
            changed = services.coding.edit(
                actor,
                payment.payment_id,
                payment.seen,
                description=_value(view, Ids.EDIT_DESCRIPTION),
                contact_name=contact_name,
                reference=_value(view, Ids.EDIT_REFERENCE),
            )
        except Conflict as conflict:
            ack(response_action="errors", errors={Ids.EDIT_DESCRIPTION: conflict.message})
            return
        except DomainError as refused:
            block = EDIT_ERROR_BLOCKS.get(refused.field) if isinstance(refused, InvalidInput) else None
            ack(response_action="errors", errors={block or Ids.EDIT_DESCRIPTION: refused.message})
            return
        ack()
        services.outbox.redraw_card(actor.workspace_id, changed.card.payment_id)

    @app.view(Ids.SETTINGS_MODAL)
    def save_settings(ack: Ack, view: dict[str, Any], actor: Actor) -> None:
        try:
            services.workspace_settings.save(actor, _settings_change(view))
        except SettingsRefused as refused:
            errors = {
                SETTINGS_ERROR_BLOCKS.get(key, f"{Ids.SETTINGS_BANK}:{key.split(':', 1)[-1]}"): message
                for key, message in refused.errors.items()
            }
            ack(response_action="errors", errors=errors)
            return
        except DomainError as refused:
            ack(response_action="errors", errors={Ids.SETTINGS_CHANNEL: refused.message})
            return
        ack()

    @app.view(Ids.NO_RECEIPT_MODAL)
    def save_no_receipt(ack: Ack, view: dict[str, Any], actor: Actor, payment: PaymentRef) -> None:
        reason, note = str(_value(view, Ids.NO_RECEIPT_REASON) or ""), _value(view, Ids.NO_RECEIPT_NOTE)
        try:
            changed = services.receipts.no_receipt(actor, payment.payment_id, reason, note)
        except DomainError as refused:
            block = Ids.NO_RECEIPT_NOTE if isinstance(refused, InvalidInput) else Ids.NO_RECEIPT_REASON
            ack(response_action="errors", errors={block: refused.message})
            return
        ack()
        services.outbox.redraw_card(actor.workspace_id, changed.card.payment_id)

    @app.view(Ids.EXCLUDE_MODAL)
    def save_exclusion(ack: Ack, view: dict[str, Any], actor: Actor, payment: PaymentRef) -> None:
        reason, note = str(_value(view, Ids.EXCLUDE_REASON) or ""), _value(view, Ids.EXCLUDE_NOTE)
        try:
            changed = services.coding.exclude(actor, payment.payment_id, payment.seen, reason, note)
        except DomainError as refused:
            block = Ids.EXCLUDE_NOTE if isinstance(refused, InvalidInput) else Ids.EXCLUDE_REASON
            ack(response_action="errors", errors={block: refused.message})
            return
        ack()
        services.outbox.redraw_card(actor.workspace_id, changed.card.payment_id)
