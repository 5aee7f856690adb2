"""The coding rules the simulated admin of benchmarks/finance_effort.py adds once month one is done.

What an admin does after a first month of coding by hand: the five subscriptions that cost most (monthly bills
from one merchant, coded the same every month) get a rule each, with the account, tax rate and department the
company books them to (not a one-time exception month one may have shown), approved automatically while the bill
stays under 120% of month one's (a seat or two more still goes through; a jump waits for a person).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from bot.coding.rules import RuleActions, RuleConditions
from bot.payments.input import PaymentIn
from storage.uow import UnitOfWorkFactory

RULES = 5
HEADROOM = Decimal("1.2")


class Known(Protocol):
    """What the admin knows of a merchant: its name, whether it bills monthly, and how it is booked."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def account(self) -> str: ...

    @property
    def tax(self) -> str: ...

    @property
    def department(self) -> str | None: ...


def add_admin_rules(uow: UnitOfWorkFactory, workspace_id: int, month_one: Sequence[tuple[PaymentIn, Known]]) -> int:
    """Add the rules; how many were added."""
    bills = sorted(
        ((payment, merchant) for payment, merchant in month_one if merchant.kind == "subscription"),
        key=lambda bill: bill[0].amount,
        reverse=True,
    )[:RULES]
    with uow() as work:
        for payment, merchant in bills:
            department = (("dept", merchant.department.lower()),) if merchant.department else ()
            actions = RuleActions(
                account_code=merchant.account,
                tax_type=merchant.tax,
                tracking=department,
                auto_approve=True,
                auto_approve_under=(payment.amount * HEADROOM).quantize(Decimal("0.01")),
            )
            conditions = RuleConditions(payee_is=merchant.name)
            name = f"{merchant.name} subscription"
            work.rules.add(workspace_id, name=name, conditions=conditions, actions=actions, by="UADMIN")
        work.commit()
    return len(bills)
