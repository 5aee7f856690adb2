"""The services check role and ownership themselves: an employee reaches only their own payments, whatever
the handler in front of them does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.connection.roles import Actor, Roles
from bot.errors import DomainError, NotAllowed, NotFound
from bot.payments.approve import ApprovalService
from bot.payments.coding import CodingService
from bot.receipts.service import ReceiptService
from storage.models import Payment, PaymentState, Role, SourceAccount
from storage.uow import UnitOfWorkFactory

TEAM = "T0OWN"
ANA, BEN, FIONA = "UANA", "UBEN", "UFIONA"


class NoSlackAdmins:
    """The Slack directory as the services use it: nobody here is a Slack workspace admin."""

    def is_workspace_admin(self, team_id: str, user_id: str) -> bool:
        return False


@dataclass
class World:
    coding: CodingService
    approvals: ApprovalService
    receipts: ReceiptService
    workspace_id: int
    anas: int
    bens: int

    def actor(self, user_id: str) -> Actor:
        return Actor(workspace_id=self.workspace_id, team_id=TEAM, user_id=user_id)


@pytest.fixture
def world(uow: UnitOfWorkFactory) -> World:
    with uow() as work:
        workspace = work.workspaces.ensure(TEAM)
        account = SourceAccount(workspace_id=workspace.id, external_id="acc-1", name="Operating", currency="GBP")
        work.session.add(account)
        work.session.flush()
        ids = []
        for number, spender in enumerate((ANA, BEN)):
            payment = work.payments.add(
                Payment(
                    workspace_id=workspace.id,
                    source_account_id=account.id,
                    external_id=f"pay_{number}",
                    amount=Decimal("42.00"),
                    currency="GBP",
                    date=date(2026, 11, 20),
                    payee=f"Payee of {spender}",
                    spender_user_id=spender,
                )
            )
            ids.append(payment.id)
        work.roles.set_role(workspace.id, FIONA, Role.FINANCE, granted_by="UADMIN")
        work.commit()
        workspace_id = workspace.id
    clock = FrozenClock()
    roles = Roles(uow=uow, directory=NoSlackAdmins())  # type: ignore[arg-type]
    coding = CodingService(uow=uow, clock=clock, roles=roles)
    nothing: Any = None  # receipts from Slack are not needed to say there is no receipt
    receipts = ReceiptService(
        uow=uow,
        clock=clock,
        roles=roles,
        coding=coding,
        slack=nothing,
        files=nothing,
        max_bytes=1,
        workers=nothing,
        outbox=nothing,
        messenger=nothing,
    )
    approvals = ApprovalService(uow=uow, clock=clock, roles=roles, coding=coding)
    return World(coding, approvals, receipts, workspace_id, ids[0], ids[1])


def test_an_employee_sees_their_own_payment_and_no_one_elses(world: World) -> None:
    ana = world.actor(ANA)
    assert world.coding.view_for(ana, world.anas).card.payee == f"Payee of {ANA}"
    with pytest.raises(NotAllowed, match="You can only see payments you made"):
        world.coding.view_for(ana, world.bens)
    with pytest.raises(NotAllowed, match="You can only see payments you made"):
        world.coding.view_for(ana, world.bens + 1000)  # a missing payment looks the same: ids reveal nothing


def test_finance_sees_every_payment_of_the_workspace(world: World) -> None:
    fiona = world.actor(FIONA)
    assert world.coding.view_for(fiona, world.bens).card.payee == f"Payee of {BEN}"
    with pytest.raises(NotFound):
        world.coding.view_for(fiona, world.bens + 1000)


def test_the_sync_log_is_the_spenders_or_finances_to_read(world: World) -> None:
    assert world.approvals.sync_log(world.actor(ANA), world.anas)[1] == []
    with pytest.raises(NotAllowed):
        world.approvals.sync_log(world.actor(ANA), world.bens)
    assert world.approvals.sync_log(world.actor(FIONA), world.bens)[1] == []


def test_only_the_spender_or_finance_says_there_is_no_receipt(world: World, uow: UnitOfWorkFactory) -> None:
    with pytest.raises(NotAllowed):
        world.receipts.no_receipt(world.actor(ANA), world.bens, "lost", None)
    world.receipts.no_receipt(world.actor(ANA), world.anas, "lost", None)
    with uow() as work:
        assert work.session.get(Payment, world.bens).no_receipt_reason is None  # type: ignore[union-attr]
        assert work.session.get(Payment, world.anas).no_receipt_reason == "lost"  # type: ignore[union-attr]


def test_an_employee_edits_only_their_own_description(world: World, uow: UnitOfWorkFactory) -> None:
    with pytest.raises(NotAllowed, match="You can only edit payments you made"):
        world.coding.edit(world.actor(ANA), world.bens, 1, description="mine now")
    world.coding.edit(world.actor(ANA), world.anas, 1, description="Team lunch", reference="INV-1")
    with uow() as work:
        own = work.session.get(Payment, world.anas)
        assert own is not None and (own.description, own.reference) == ("Team lunch", None)


def test_xero_accounts_and_contacts_are_listed_for_finance_only(world: World) -> None:
    with pytest.raises(NotAllowed, match="Only finance users and admins can code payments"):
        world.coding.account_choices(world.actor(ANA))
    with pytest.raises(NotAllowed, match="Only finance users and admins can choose Xero contacts"):
        world.coding.contact_names(world.actor(ANA), "")
    assert world.coding.account_choices(world.actor(FIONA)) == []  # no Xero connected: nothing to list
    assert world.coding.contact_names(world.actor(FIONA), "") == []


def test_an_employee_cannot_approve_even_their_own_payment(world: World, uow: UnitOfWorkFactory) -> None:
    with pytest.raises(NotAllowed, match="Only finance users and admins can approve payments"):
        world.approvals.approve(world.actor(ANA), world.anas, 1)
    with uow() as work:
        assert work.session.get(Payment, world.anas).state is PaymentState.PENDING  # type: ignore[union-attr]


def test_an_employee_cannot_code_even_their_own_payment(world: World, uow: UnitOfWorkFactory) -> None:
    with pytest.raises(NotAllowed, match=r"^Only finance users and admins can code payments"):
        world.coding.set_account(world.actor(ANA), world.anas, 1, "463")
    with pytest.raises(NotAllowed, match=r"^Only finance users and admins can code payments"):
        world.coding.set_tax(world.actor(ANA), world.anas, 1, "NONE")
    with uow() as work:
        own = work.session.get(Payment, world.anas)
        assert own is not None and (own.account_code, own.tax_type, own.version) == (None, None, 1)


def test_only_finance_opens_the_exclusion_form_and_only_while_the_payment_may_be_excluded(
    world: World, uow: UnitOfWorkFactory
) -> None:
    with pytest.raises(NotAllowed, match="exclude payments"):
        world.coding.view_to_exclude(world.actor(ANA), world.anas)
    assert world.coding.view_to_exclude(world.actor(FIONA), world.anas).card.payment_id == world.anas
    with uow() as work:
        payment = work.payments.get(world.workspace_id, world.anas)
        assert payment is not None
        payment.state = PaymentState.UPDATED  # in Xero already, since changed here
        work.commit()
    with pytest.raises(DomainError, match="not yet in Xero"):
        world.coding.view_to_exclude(world.actor(FIONA), world.anas)
