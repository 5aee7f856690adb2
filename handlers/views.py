"""Modal submissions: editing and excluding a payment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.connection.roles import Actor
from bot.connection.workspace_settings import SettingsChange, SettingsRefused
from bot.errors import DomainError
from bot.payments.coding import Changed
from bot.payments.details import checked_details
from bot.services import Services
from bot.text_input import InvalidInput
from handlers.common import ActorAccess
from handlers.edit_again import EditAgain, Submitted
from handlers.ids import Ids, PaymentRef
from handlers.replay_marks import refused_unless_as_seen
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


def _contact_name(view: dict[str, Any]) -> str | None:
    """The edit form's contact select offers "existing:Name" or "new:Name"; the service wants the name."""
    contact = _value(view, Ids.EDIT_CONTACT)
    return str(contact).split(":", 1)[1] if contact and ":" in str(contact) else None


def _settings_errors(refused: SettingsRefused) -> dict[str, str]:
    return {
        SETTINGS_ERROR_BLOCKS.get(key, f"{Ids.SETTINGS_BANK}:{key.split(':', 1)[-1]}"): message
        for key, message in refused.errors.items()
    }


@dataclass(frozen=True)
class ReasonForm:
    """A modal asking why ("No receipt", Exclude): the block of its reason select and of its note."""

    reason: Ids
    note: Ids


class Submissions:
    """A refused submission keeps its modal open with the refusal under the input it is about."""

    def __init__(self, services: Services) -> None:
        self._services = services

    @refused_unless_as_seen
    def save_edit(
        self,
        ack: Ack,
        view: dict[str, Any],
        body: dict[str, Any],
        actor: Actor,
        access: ActorAccess,
        payment: PaymentRef,
        client: WebClient,
    ) -> None:
        """What was typed is checked, the form closes, then the save: one refused (changed meanwhile, reconciled in
        Xero, the database down) brings the form back at once, with what was typed and why on top."""
        typed = {
            "description": _value(view, Ids.EDIT_DESCRIPTION),
            "contact_name": _contact_name(view),
            "reference": _value(view, Ids.EDIT_REFERENCE),
        }
        try:
            checked_details(**typed)
        except InvalidInput as refused:
            ack(
                response_action="errors",
                errors={EDIT_ERROR_BLOCKS.get(refused.field, Ids.EDIT_DESCRIPTION): refused.message},
            )
            return
        ack()
        try:
            self._services.coding.edit(actor, payment.payment_id, payment.seen, **typed)
        except Exception as error:
            submitted = Submitted(actor, access, payment, view, typed, str(body.get("trigger_id") or ""))
            EditAgain(self._services, client).show(submitted, error)
            return
        self._services.outbox.redraw_saved(payment.payment_id)

    def save_settings(self, ack: Ack, view: dict[str, Any], actor: Actor) -> None:
        try:
            self._services.workspace_settings.save(actor, _settings_change(view))
        except SettingsRefused as refused:
            ack(response_action="errors", errors=_settings_errors(refused))
            return
        except DomainError as refused:
            ack(response_action="errors", errors={Ids.SETTINGS_CHANNEL: refused.message})
            return
        ack()

    def save_no_receipt(self, ack: Ack, view: dict[str, Any], actor: Actor, payment: PaymentRef) -> None:
        receipts = self._services.receipts
        no_receipt = ReasonForm(Ids.NO_RECEIPT_REASON, Ids.NO_RECEIPT_NOTE)
        self._save(ack, actor, no_receipt, view, lambda r, n: receipts.no_receipt(actor, payment.payment_id, r, n))

    @refused_unless_as_seen
    def save_exclusion(self, ack: Ack, view: dict[str, Any], actor: Actor, payment: PaymentRef) -> None:
        coding = self._services.coding
        exclusion = ReasonForm(Ids.EXCLUDE_REASON, Ids.EXCLUDE_NOTE)
        self._save(
            ack, actor, exclusion, view, lambda r, n: coding.exclude(actor, payment.payment_id, payment.seen, r, n)
        )

    def _save(
        self, ack: Ack, actor: Actor, form: ReasonForm, view: dict[str, Any], save: Callable[[str, Any], Changed]
    ) -> None:
        """A bad note is shown under the note, any other refusal under the reason."""
        try:
            changed = save(str(_value(view, form.reason) or ""), _value(view, form.note))
        except DomainError as refused:
            block = form.note if isinstance(refused, InvalidInput) else form.reason
            ack(response_action="errors", errors={block: refused.message})
            return
        ack()
        self._services.outbox.redraw_saved(changed.card.payment_id)


def register(app: App, services: Services) -> None:
    submissions = Submissions(services)
    app.view(Ids.EDIT_MODAL)(submissions.save_edit)
    app.view(Ids.SETTINGS_MODAL)(submissions.save_settings)
    app.view(Ids.NO_RECEIPT_MODAL)(submissions.save_no_receipt)
    app.view(Ids.EXCLUDE_MODAL)(submissions.save_exclusion)
