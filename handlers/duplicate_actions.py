"""The answers to "Possible duplicate of …" on a payment's message: "Not a duplicate" and "Exclude this one"."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.connection.roles import Actor
from bot.services import Services
from handlers.ids import Ids, PaymentRef
from handlers.payment_actions import PaymentClicks


def register(app: App, services: Services) -> None:
    clicks = PaymentClicks(services)

    @app.action(Ids.PAYMENT_NOT_DUPLICATE)
    def not_duplicate(ack: Ack, actor: Actor, payment: PaymentRef, body: dict[str, Any]) -> None:
        ack()
        clicks.change(
            actor, lambda: services.duplicates.not_duplicate(actor, payment.payment_id, payment.seen), payment, body
        )

    @app.action(Ids.PAYMENT_EXCLUDE_DUPLICATE)
    def exclude_duplicate(ack: Ack, actor: Actor, payment: PaymentRef, body: dict[str, Any]) -> None:
        ack()
        clicks.change(
            actor, lambda: services.duplicates.exclude(actor, payment.payment_id, payment.seen), payment, body
        )
