"""Answers to a receipt check: "Keep anyway" and "Remove receipt" on a payment's card, and the choice of payment
for a receipt sent before anyone asked. Who may answer is decided by the services."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.connection.roles import Actor
from bot.errors import DomainError
from bot.services import Services
from handlers.ids import OUT_OF_DATE, Ids, PaymentRef
from handlers.payment_actions import PaymentClicks
from handlers.receipt_check_lines import receipt_id_of
from handlers.receipt_first_messages import attached_text, choice_of


def _receipt_of(body: dict[str, Any]) -> int:
    action = (body.get("actions") or [{}])[0]
    receipt_id = receipt_id_of(str(action.get("block_id") or ""))
    if receipt_id is None:
        raise DomainError(OUT_OF_DATE)
    return receipt_id


def register(app: App, services: Services) -> None:
    clicks = PaymentClicks(services)

    @app.action(Ids.RECEIPT_KEEP)
    def keep_anyway(ack: Ack, actor: Actor, payment: PaymentRef, body: dict[str, Any]) -> None:
        ack()
        receipt_id = _receipt_of(body)
        checks = services.receipt_checks
        clicks.change(
            actor, lambda: checks.keep_anyway(actor, payment.payment_id, payment.seen, receipt_id), payment, body
        )

    @app.action(Ids.RECEIPT_REMOVE)
    def remove_receipt(ack: Ack, actor: Actor, payment: PaymentRef, body: dict[str, Any]) -> None:
        ack()
        receipt_id = _receipt_of(body)
        checks = services.receipt_checks
        clicks.change(
            actor, lambda: checks.remove_receipt(actor, payment.payment_id, payment.seen, receipt_id), payment, body
        )

    @app.action(re.compile(rf"^{Ids.RECEIPT_CHOOSE}_\d+$"))
    def choose_payment(ack: Ack, actor: Actor, action: dict[str, Any], respond: Respond) -> None:
        ack()
        choice = choice_of(str(action.get("value") or ""))
        if choice is None:
            raise DomainError(OUT_OF_DATE)
        chosen = services.receipt_first.choose(actor, *choice)
        respond(text=attached_text(chosen), replace_original=True)
