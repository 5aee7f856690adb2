"""Edit → Split: finance splits a payment into lines, changes them, or puts it back to one line. Checked here,
whatever the form sent: the role, the version the person saw, the state, and every line (bot/payments/splits.py)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.coding.suggestions import person_coded
from bot.connection.roles import Access, Actor, Roles
from bot.errors import DomainError
from bot.payments import lifecycle
from bot.payments.coding import Changed, CodingService
from bot.payments.splits import MAX_LINES, LineInput, SplitRefused, apply_split, checked_lines
from storage.uow import UnitOfWorkFactory

DOING = "split payments"
NO_CHART = "Connect Xero first (/xero connect): a split's lines are coded to its accounts and tax rates."
NOT_SPLITTABLE = "Only a payment that is not excluded and not on its way to Xero can be split."


class SplitService:
    def __init__(self, *, uow: UnitOfWorkFactory, roles: Roles, coding: CodingService) -> None:
        self._uow = uow
        self._roles = roles
        self._coding = coding

    def view_to_split(self, actor: Actor, payment_id: int) -> Changed:
        """The payment and its coding choices for the split form, which only finance users and admins may open."""
        self._roles.require(actor, Access.FINANCE, DOING)
        current = self._coding.view_for(actor, payment_id)
        if current.card.state not in lifecycle.CODABLE:
            raise DomainError(NOT_SPLITTABLE)
        if not current.choices.accounts or not current.choices.tax_rates:
            raise DomainError(NO_CHART)
        return current

    def split(self, actor: Actor, payment_id: int, version: int, lines: Sequence[LineInput]) -> Changed:
        """Store the lines (one line removes the split); a synced payment becomes Updated, so Re-sync sends them."""
        self._roles.require(actor, Access.FINANCE, DOING)
        if len(lines) > MAX_LINES:
            raise SplitRefused({(MAX_LINES, "amount"): f"A payment can be split into at most {MAX_LINES} lines."})
        with self._uow() as work:
            payment = self._coding.current(work, actor.workspace_id, payment_id, version)
            if payment.state not in lifecycle.CODABLE:
                raise DomainError(NOT_SPLITTABLE)
            choices = self._coding.choices(work, actor.workspace_id)
            checked = checked_lines(lines, payment.amount, payment.currency, choices)
            apply_split(payment, checked)
            person_coded(payment)
            lifecycle.edited(payment)
            work.audit.payment_event(
                workspace_id=actor.workspace_id,
                actor_user_id=actor.user_id,
                action="payment.split" if len(checked) > 1 else "payment.unsplit",
                payment_id=payment.id,
                lines=len(checked),
            )
            return self._coding.save(work, payment)
