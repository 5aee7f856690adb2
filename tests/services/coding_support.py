"""A connected workspace with a chart of accounts, tax rates and a Department tracking category, and the services a
payment meets from its arrival to its approval: for the tests of suggestions and duplicates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.clock import FrozenClock
from bot.coding.duplicates import DuplicateService
from bot.connection.roles import Actor, Roles
from bot.payments.approve import ApprovalService
from bot.payments.coding import Changed, CodingService
from bot.payments.ingest import IngestService
from bot.payments.input import PaymentIn, SourceAccountIn
from storage.models import CategoryMapping, Payment
from storage.uow import UnitOfWorkFactory
from tests.services.conftest import BANK_ACCOUNT_ID, FINANCE, Books

EMPLOYEE = "UEMP0001"
ENGINEERING = {"category_id": "dept", "option_id": "eng"}
SALES = {"category_id": "dept", "option_id": "sales"}
ACCOUNT = SourceAccountIn("acc-gbp-1", "Operating GBP", "GBP")


class FinanceIsAdmin:
    """Slack's directory: the finance user is a workspace admin, everyone else a plain member."""

    def is_workspace_admin(self, team_id: str, user_id: str) -> bool:
        return user_id == FINANCE


def chart(books: Books) -> None:
    """463 IT Software and 429 General Expenses (20% VAT), 400 Advertising (archived); VAT and No VAT; Department."""
    accounts = [
        ("463", "IT Software", "ACTIVE"),
        ("429", "General Expenses", "ACTIVE"),
        ("400", "Advertising", "ARCHIVED"),
    ]
    with books.uow() as work:
        work.reference.upsert_accounts(
            books.connection_id,
            [
                {
                    "account_id": f"acct-{code}",
                    "code": code,
                    "name": name,
                    "type": "EXPENSE",
                    "status": status,
                    "tax_type": "INPUT2",
                }
                for code, name, status in accounts
            ],
        )
        bank = {"account_id": BANK_ACCOUNT_ID, "code": "090", "name": "Operating", "type": "BANK", "status": "ACTIVE"}
        work.reference.upsert_accounts(books.connection_id, [bank | {"currency_code": "GBP"}])
        work.reference.replace_tax_rates(
            books.connection_id,
            [
                {
                    "tax_type": "INPUT2",
                    "name": "20% (VAT on Expenses)",
                    "status": "ACTIVE",
                    "can_apply_to_expenses": True,
                },
                {"tax_type": "NONE", "name": "No VAT", "status": "ACTIVE", "can_apply_to_expenses": True},
            ],
        )
        work.reference.replace_tracking(
            books.connection_id,
            [
                {
                    "tracking_category_id": "dept",
                    "name": "Department",
                    "status": "ACTIVE",
                    "options": [
                        {"tracking_option_id": "eng", "name": "Engineering", "status": "ACTIVE"},
                        {"tracking_option_id": "sales", "name": "Sales", "status": "ACTIVE"},
                    ],
                },
            ],
        )
        work.commit()


@dataclass
class Desk:
    """Payments arriving by the webhook's service, and a finance user coding and approving them."""

    books: Books
    ingest: IngestService
    coding: CodingService
    approvals: ApprovalService
    duplicates: DuplicateService
    finance: Actor
    employee: Actor
    day: dt.date = dt.date(2026, 6, 2)
    arrived: int = 0

    @classmethod
    def open(cls, books: Books, uow: UnitOfWorkFactory, clock: FrozenClock) -> Desk:
        chart(books)
        roles = Roles(uow=uow, directory=FinanceIsAdmin())  # type: ignore[arg-type]
        coding = CodingService(uow=uow, clock=clock, roles=roles)
        return cls(
            books,
            IngestService(uow=uow, clock=clock),
            coding,
            ApprovalService(uow=uow, clock=clock, roles=roles, coding=coding),
            DuplicateService(uow=uow, clock=clock, roles=roles, coding=coding),
            Actor(books.workspace_id, "T1", FINANCE),
            Actor(books.workspace_id, "T1", EMPLOYEE),
        )

    def arrive(self, external_id: str, payee: str = "Figma Inc", **fields: Any) -> int:
        """A payment received by the webhook, a month after the one before unless told otherwise; its id."""
        self.arrived += 1
        month_later = self.day + dt.timedelta(days=30 * self.arrived)
        values: dict[str, Any] = {"amount": Decimal("120.00"), "currency": "GBP", "date": month_later} | fields
        self.ingest.ingest(self.books.workspace_id, [PaymentIn(external_id, ACCOUNT, payee=payee, **values)])
        return self.id_of(external_id)

    def id_of(self, external_id: str) -> int:
        with self.books.uow() as work:
            found = work.session.query(Payment).filter_by(external_id=external_id).one()
            return found.id

    def card(self, payment_id: int) -> Changed:
        return self.coding.view(self.books.workspace_id, payment_id)

    def code(
        self, payment_id: int, account: str, tax: str | None = None, tracking: dict[str, str] | None = None
    ) -> None:
        """Finance chooses the coding in the message's selects."""
        changed = self.coding.set_account(self.finance, payment_id, self.card(payment_id).card.version, account)
        if tax is not None:
            changed = self.coding.set_tax(self.finance, payment_id, changed.card.version, tax)
        if tracking is not None:
            version = changed.card.version
            self.coding.set_tracking(self.finance, payment_id, version, tracking["category_id"], tracking["option_id"])

    def approve(self, payment_id: int) -> Changed:
        return self.approvals.approve(self.finance, payment_id, self.card(payment_id).card.version)

    def coded_and_approved(self, external_id: str, account: str, **fields: Any) -> int:
        tracking = fields.pop("tracking", None)
        payment_id = self.arrive(external_id, **fields)
        self.code(payment_id, account, tracking=tracking)
        self.approve(payment_id)
        return payment_id

    def map_category(self, category: str, account: str) -> None:
        with self.books.uow() as work:
            work.session.add(
                CategoryMapping(
                    workspace_id=self.books.workspace_id,
                    category_key=category.casefold(),
                    category=category,
                    account_code=account,
                    tax_type="INPUT2",
                )
            )
            work.commit()
