"""Clicks and choices on a payment message: coding selects, Edit, Exclude, Undo, category mapping."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.connection.roles import Access, Actor
from bot.errors import DomainError
from bot.payments.coding import Changed, Conflict
from bot.payments.money import money_text
from bot.services import Services
from handlers.common import actor_from
from handlers.ids import Ids
from handlers.kit import escape_clip
from handlers.payment_card import category_offer
from handlers.payment_modals import edit_modal, exclude_modal, payment_modal
from handlers.payment_refs import parse_versioned
from handlers.receipt_messages import no_receipt_modal
from handlers.sync_log_blocks import sync_log_modal

TRACKING_ACTION = re.compile(rf"^{Ids.PAYMENT_TRACKING}_\d+$")


def versioned(action: dict[str, Any]) -> tuple[int, int]:
    """(payment id, version) the user saw, from the block id of a select or the value of a button."""
    source = action.get("value") if action.get("type") == "button" else action.get("block_id")
    try:
        return parse_versioned(str(source or ""))
    except ValueError:
        raise DomainError("This message is out of date; scroll to the latest one for this payment.") from None


def register(app: App, services: Services) -> None:
    def change(
        actor: Actor, payment_id: int, apply: Callable[[], Changed], body: dict[str, Any] | None = None
    ) -> Changed:
        """Apply a change and redraw the message (and the payment window it came from, if any); on a conflict,
        show the current state, then say so."""
        try:
            changed = apply()
        except Conflict:
            changed = services.coding.view(actor.workspace_id, payment_id)
            redraw(actor, changed, body)
            raise
        redraw(actor, changed, body)
        return changed

    def redraw(actor: Actor, changed: Changed, body: dict[str, Any] | None) -> None:
        services.outbox.redraw_card(actor.workspace_id, changed.card.payment_id)
        view = (body or {}).get("view") or {}
        if view.get("callback_id") == Ids.PAYMENT_MODAL and view.get("id"):
            services.slack.for_team(actor.team_id).views_update(
                view_id=view["id"], view=payment_modal(changed.card, changed.choices)
            )

    @app.action(Ids.PAYMENT_ACCOUNT)
    def choose_account(ack: Ack, action: dict[str, Any], context: Any, respond: Respond, body: dict[str, Any]) -> None:
        ack()
        actor = actor_from(context)
        payment_id, version = versioned(action)
        code = str(action["selected_option"]["value"])
        changed = change(actor, payment_id, lambda: services.coding.set_account(actor, payment_id, version, code), body)
        if changed.offer_category is not None and changed.card.category and body.get("response_url"):
            text, blocks = category_offer(
                payment_id, changed.card.version, changed.card.category, changed.offer_category
            )
            respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)

    @app.action(Ids.PAYMENT_TAX)
    def choose_tax(ack: Ack, action: dict[str, Any], context: Any, body: dict[str, Any]) -> None:
        ack()
        actor = actor_from(context)
        payment_id, version = versioned(action)
        tax_type = str(action["selected_option"]["value"])
        change(actor, payment_id, lambda: services.coding.set_tax(actor, payment_id, version, tax_type), body)

    @app.action(TRACKING_ACTION)
    def choose_tracking(ack: Ack, action: dict[str, Any], context: Any, body: dict[str, Any]) -> None:
        ack()
        actor = actor_from(context)
        payment_id, version = versioned(action)
        category_id, _, option_id = str(action["selected_option"]["value"]).partition(":")
        change(
            actor,
            payment_id,
            lambda: services.coding.set_tracking(actor, payment_id, version, category_id, option_id),
            body,
        )

    @app.action(Ids.PAYMENT_EDIT)
    def open_edit(ack: Ack, action: dict[str, Any], context: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        actor = actor_from(context)
        payment_id, _ = versioned(action)
        current = services.coding.view_for(actor, payment_id, doing="edit")
        employee = services.roles.access_of(actor) < Access.FINANCE
        client.views_open(trigger_id=body["trigger_id"], view=edit_modal(current.card, employee=employee))

    @app.action(Ids.PAYMENT_EXCLUDE)
    def open_exclude(ack: Ack, action: dict[str, Any], context: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        actor = actor_from(context)
        services.roles.require(actor, Access.FINANCE, "exclude payments")
        payment_id, _ = versioned(action)
        current = services.coding.view_for(actor, payment_id)
        client.views_open(trigger_id=body["trigger_id"], view=exclude_modal(current.card))

    @app.action(Ids.PAYMENT_UNDO_EXCLUDE)
    def undo_exclude(ack: Ack, action: dict[str, Any], context: Any, body: dict[str, Any]) -> None:
        ack()
        actor = actor_from(context)
        payment_id, version = versioned(action)
        change(actor, payment_id, lambda: services.coding.undo_exclude(actor, payment_id, version), body)

    @app.action(Ids.PAYMENT_APPROVE)
    @app.action(Ids.PAYMENT_RETRY)
    @app.action(Ids.PAYMENT_RESYNC)
    def approve(ack: Ack, action: dict[str, Any], context: Any, body: dict[str, Any]) -> None:
        ack()
        actor = actor_from(context)
        payment_id, version = versioned(action)
        change(actor, payment_id, lambda: services.approvals.approve(actor, payment_id, version), body)
        services.wake("sync_payments")

    @app.action(Ids.PAYMENT_SYNC_LOG)
    def sync_log(ack: Ack, action: dict[str, Any], context: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        actor = actor_from(context)
        payment_id, _ = versioned(action)
        changed, entries = services.approvals.sync_log(actor, payment_id)
        client.views_open(trigger_id=body["trigger_id"], view=sync_log_modal(changed, entries))

    @app.action(Ids.PAYMENT_SPENDER)
    def choose_spender(ack: Ack, action: dict[str, Any], context: Any) -> None:
        ack()
        actor = actor_from(context)
        payment_id, _ = versioned(action)
        changed = services.receipts.set_spender(actor, payment_id, str(action["selected_user"]))
        services.outbox.redraw_card(actor.workspace_id, changed.card.payment_id)
        services.wake("post_new_payments")

    @app.action(Ids.NO_RECEIPT)
    def open_no_receipt(
        ack: Ack, action: dict[str, Any], context: Any, body: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        actor = actor_from(context)
        value = str(action.get("value") or "")
        if not value.isdigit():
            raise DomainError("This message is out of date; open the latest one for this payment.")
        current = services.coding.view_for(actor, int(value), doing="say there is no receipt for")
        what = f"{money_text(current.card.amount, current.card.currency)} to {escape_clip(current.card.payee, 200)}"
        client.views_open(trigger_id=body["trigger_id"], view=no_receipt_modal(current.card.payment_id, what))

    @app.action(Ids.USE_FOR_CATEGORY)
    def use_for_category(ack: Ack, action: dict[str, Any], context: Any, respond: Respond) -> None:
        ack()
        actor = actor_from(context)
        payment_id, _ = versioned(action)
        mapping = services.coding.use_for_category(actor, payment_id)
        respond(
            text=f"Done: later “{mapping.category}” payments will be coded to account {mapping.account_code}.",
            replace_original=True,
        )
