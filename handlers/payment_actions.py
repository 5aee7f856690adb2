"""Clicks and choices on a payment, from its message, its window or its App Home row: coding selects, Edit,
Exclude, Undo, Approve, the sync log, "No receipt", the spender, category mapping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.connection.roles import Actor
from bot.payments.coding import Changed, Conflict
from bot.payments.money import money_text
from bot.services import Services
from handlers.common import ActorAccess
from handlers.ids import TRACKING_ACTION, Ids, PaymentRef
from handlers.kit import escape_clip
from handlers.payment_modals import edit_modal, exclude_modal, payment_modal
from handlers.payment_notes import category_offer
from handlers.receipt_messages import no_receipt_modal
from handlers.sync_log_blocks import sync_log_modal

Click = Callable[[Actor, ActorAccess, PaymentRef, dict[str, Any], WebClient], None]


class PaymentClicks:
    """What a click on a payment does, wherever the payment is shown: the same service calls and checks."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def change(self, actor: Actor, apply: Callable[[], Changed], payment: PaymentRef, body: dict[str, Any]) -> Changed:
        """Apply a change and redraw the message (and the payment window it came from, if any); on a conflict,
        show the current state, then say so."""
        try:
            changed = apply()
        except Conflict:  # whoever changed it meanwhile recorded the card's redraw with their change
            self._services.outbox.redraw_saved(payment.payment_id)
            self._redraw_window(actor, body, lambda: self._services.coding.view(actor.workspace_id, payment.payment_id))
            raise
        self._services.outbox.redraw_saved(changed.card.payment_id)
        self._redraw_window(actor, body, lambda: changed)
        return changed

    def _redraw_window(self, actor: Actor, body: dict[str, Any], current: Callable[[], Changed]) -> None:
        """The payment window the click came from, if any, redrawn (the payment read only then)."""
        view = body.get("view") or {}
        if view.get("callback_id") == Ids.PAYMENT_MODAL and view.get("id"):
            shown = current()
            self._services.slack.for_team(actor.team_id).views_update(
                view_id=view["id"], view=payment_modal(shown.card, shown.choices)
            )

    def approve(
        self, actor: Actor, access: ActorAccess, payment: PaymentRef, body: dict[str, Any], client: WebClient
    ) -> None:
        """Approve, Retry and Sync again: the sync job is woken rather than left to its schedule."""
        approvals = self._services.approvals
        self.change(actor, lambda: approvals.approve(actor, payment.payment_id, payment.seen), payment, body)
        self._services.wake("sync_payments")

    def open_window(
        self, actor: Actor, access: ActorAccess, payment: PaymentRef, body: dict[str, Any], client: WebClient
    ) -> None:
        current = self._services.coding.view_for(actor, payment.payment_id)
        client.views_open(trigger_id=body["trigger_id"], view=payment_modal(current.card, current.choices))

    def open_edit(
        self, actor: Actor, access: ActorAccess, payment: PaymentRef, body: dict[str, Any], client: WebClient
    ) -> None:
        current = self._services.coding.view_for(actor, payment.payment_id, doing="edit")
        view = edit_modal(current.card, employee=not access.is_finance)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def open_exclude(
        self, actor: Actor, access: ActorAccess, payment: PaymentRef, body: dict[str, Any], client: WebClient
    ) -> None:
        current = self._services.coding.view_to_exclude(actor, payment.payment_id)
        client.views_open(trigger_id=body["trigger_id"], view=exclude_modal(current.card))

    def open_sync_log(
        self, actor: Actor, access: ActorAccess, payment: PaymentRef, body: dict[str, Any], client: WebClient
    ) -> None:
        changed, entries = self._services.approvals.sync_log(actor, payment.payment_id)
        client.views_open(trigger_id=body["trigger_id"], view=sync_log_modal(changed, entries))

    def open_no_receipt(
        self, actor: Actor, access: ActorAccess, payment: PaymentRef, body: dict[str, Any], client: WebClient
    ) -> None:
        card = self._services.coding.view_for(actor, payment.payment_id).card
        what = f"{money_text(card.amount, card.currency)} to {escape_clip(card.payee, 200)}"
        client.views_open(trigger_id=body["trigger_id"], view=no_receipt_modal(card.payment_id, what))


def clicked(click: Click) -> Callable[..., None]:
    """A listener for a button that opens or approves a payment."""

    def listener(
        ack: Ack, actor: Actor, access: ActorAccess, payment: PaymentRef, body: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        click(actor, access, payment, body, client)

    return listener


class PaymentChoices:
    """Choices made on a payment's message: its coding selects, the spender, and the offers that follow them."""

    def __init__(self, services: Services, clicks: PaymentClicks) -> None:
        self._services = services
        self._clicks = clicks

    def choose_account(
        self,
        ack: Ack,
        actor: Actor,
        payment: PaymentRef,
        action: dict[str, Any],
        respond: Respond,
        body: dict[str, Any],
    ) -> None:
        ack()
        code = str(action["selected_option"]["value"])
        coding = self._services.coding
        changed = self._clicks.change(
            actor, lambda: coding.set_account(actor, payment.payment_id, payment.seen, code), payment, body
        )
        card = changed.card
        if changed.offer_category is not None and card.category and body.get("response_url"):
            text, blocks = category_offer(card.payment_id, card.version, card.category, changed.offer_category)
            respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)

    def choose_tax(
        self, ack: Ack, actor: Actor, payment: PaymentRef, action: dict[str, Any], body: dict[str, Any]
    ) -> None:
        ack()
        tax_type = str(action["selected_option"]["value"])
        coding = self._services.coding
        self._clicks.change(
            actor, lambda: coding.set_tax(actor, payment.payment_id, payment.seen, tax_type), payment, body
        )

    def choose_tracking(
        self, ack: Ack, actor: Actor, payment: PaymentRef, action: dict[str, Any], body: dict[str, Any]
    ) -> None:
        ack()
        category, _, option = str(action["selected_option"]["value"]).partition(":")
        coding = self._services.coding
        self._clicks.change(
            actor, lambda: coding.set_tracking(actor, payment.payment_id, payment.seen, category, option), payment, body
        )

    def undo_exclude(self, ack: Ack, actor: Actor, payment: PaymentRef, body: dict[str, Any]) -> None:
        ack()
        coding = self._services.coding
        self._clicks.change(actor, lambda: coding.undo_exclude(actor, payment.payment_id, payment.seen), payment, body)

    def choose_spender(self, ack: Ack, actor: Actor, payment: PaymentRef, action: dict[str, Any]) -> None:
        ack()
        changed = self._services.receipts.set_spender(actor, payment.payment_id, str(action["selected_user"]))
        self._services.outbox.redraw_card(actor.workspace_id, changed.card.payment_id)
        self._services.wake("post_new_payments")

    def use_for_category(self, ack: Ack, actor: Actor, payment: PaymentRef, respond: Respond) -> None:
        ack()
        mapping = self._services.coding.use_for_category(actor, payment.payment_id)
        respond(
            text=f"Done: later “{mapping.category}” payments will be coded to account {mapping.account_code}.",
            replace_original=True,
        )


def register(app: App, services: Services) -> None:
    clicks = PaymentClicks(services)
    for action_id in (Ids.PAYMENT_APPROVE, Ids.PAYMENT_RETRY, Ids.PAYMENT_RESYNC):
        app.action(action_id)(clicked(clicks.approve))
    app.action(Ids.PAYMENT_EDIT)(clicked(clicks.open_edit))
    app.action(Ids.PAYMENT_EXCLUDE)(clicked(clicks.open_exclude))
    app.action(Ids.PAYMENT_SYNC_LOG)(clicked(clicks.open_sync_log))
    app.action(Ids.NO_RECEIPT)(clicked(clicks.open_no_receipt))
    choices = PaymentChoices(services, clicks)
    app.action(Ids.PAYMENT_ACCOUNT)(choices.choose_account)
    app.action(Ids.PAYMENT_TAX)(choices.choose_tax)
    app.action(TRACKING_ACTION)(choices.choose_tracking)
    app.action(Ids.PAYMENT_UNDO_EXCLUDE)(choices.undo_exclude)
    app.action(Ids.PAYMENT_SPENDER)(choices.choose_spender)
    app.action(Ids.USE_FOR_CATEGORY)(choices.use_for_category)
