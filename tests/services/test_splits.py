"""Edit → Split: a payment split into lines is checked as money in its currency's minor units, by finance only, and
syncs as one Spend Money line per split line adding up to the payment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.clock import FrozenClock
from bot.connection.roles import Roles
from bot.errors import DomainError, NotAllowed
from bot.payments.coding import Conflict
from bot.payments.splits import LineInput, SplitRefused
from bot.payments.splits_service import SplitService
from bot.sync.engine import SyncEngine
from storage.models import PaymentState
from storage.uow import UnitOfWorkFactory
from tests.services.coding_support import ENGINEERING, SALES, Desk, FinanceIsAdmin
from tests.services.conftest import Books
from tests.services.fakes import FakeXeroGateway

THREE_WAY = [
    LineInput("Seats", "40.00", "463", "INPUT2", {"dept": "eng"}),
    LineInput(None, "50", "429", "INPUT2", {"dept": "sales"}),
    LineInput("Support", "30.00", "463", "NONE"),
]


@pytest.fixture
def desk(books: Books, uow: UnitOfWorkFactory, clock: FrozenClock) -> Desk:
    return Desk.open(books, uow, clock)


@pytest.fixture
def splits(desk: Desk, uow: UnitOfWorkFactory) -> SplitService:
    return SplitService(uow=uow, roles=Roles(uow=uow, directory=FinanceIsAdmin()), coding=desk.coding)  # type: ignore[arg-type]


def split(desk: Desk, splits: SplitService, payment_id: int, lines: list[LineInput]) -> None:
    splits.split(desk.finance, payment_id, desk.card(payment_id).card.version, lines)


def refusal(desk: Desk, splits: SplitService, payment_id: int, lines: list[LineInput]) -> SplitRefused:
    version = desk.card(payment_id).card.version
    with pytest.raises(SplitRefused) as refused:
        splits.split(desk.finance, payment_id, version, lines)
    assert desk.card(payment_id).card.version == version  # nothing was stored
    return refused.value


def test_a_three_way_split_syncs_as_three_lines_adding_up_to_the_payment(
    desk: Desk, splits: SplitService, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = desk.arrive("pay_1", description="Design tools")
    split(desk, splits, payment_id, THREE_WAY)

    card = desk.card(payment_id).card
    assert [(line.amount, line.account.code, line.tax_rate.tax_type) for line in card.split] == [
        (Decimal("40.00"), "463", "INPUT2"),
        (Decimal("50.00"), "429", "INPUT2"),
        (Decimal("30.00"), "463", "NONE"),
    ]
    assert (card.account and card.account.code, card.tax_rate and card.tax_rate.tax_type) == ("463", "INPUT2")
    desk.approve(payment_id)
    sync.run()

    [spend] = xero.spends()
    assert [(line.description, line.amount, line.account_code, line.tax_type) for line in spend.lines] == [
        ("Seats", Decimal("40.00"), "463", "INPUT2"),
        ("Design tools", Decimal("50.00"), "429", "INPUT2"),  # no description of its own: the payment's
        ("Support", Decimal("30.00"), "463", "NONE"),
    ]
    assert sum(line.amount for line in spend.lines) == Decimal("120.00") == spend.amount
    assert [[(t.category_id, t.option_id) for t in line.tracking] for line in spend.lines] == [
        [("dept", "eng")],
        [("dept", "sales")],
        [],
    ]
    assert desk.books.stored(payment_id).state is PaymentState.SYNCED
    [attempt] = [a for a in desk.books.attempts(payment_id) if "note" not in a.request_summary]  # not its History note
    assert attempt.request_summary["lines"] == "40.00 to 463 (INPUT2) · 50.00 to 429 (INPUT2) · 30.00 to 463 (NONE)"


def test_an_uneven_split_is_refused_with_the_difference_even_by_one_penny(desk: Desk, splits: SplitService) -> None:
    payment_id = desk.arrive("pay_1")
    short = [LineInput(None, "40.00", "463", "INPUT2"), LineInput(None, "79.99", "429", "INPUT2")]
    over = [LineInput(None, "100", "463", "INPUT2"), LineInput(None, "40", "429", "INPUT2")]

    assert refusal(desk, splits, payment_id, short).errors == {
        (1, "amount"): "The lines add up to GBP 119.99; the payment is GBP 120.00 (GBP 0.01 left)."
    }
    assert refusal(desk, splits, payment_id, over).message == (
        "The lines add up to GBP 140.00; the payment is GBP 120.00 (GBP 20.00 too much)."
    )


def test_each_line_is_checked_in_the_currencys_minor_units(desk: Desk, splits: SplitService) -> None:
    pounds = desk.arrive("pay_1")
    yen = desk.books.payment("pay_2", approved=False, amount=Decimal("1000"), currency="JPY")

    bad = [
        LineInput(None, "40.005", "463", "INPUT2"),
        LineInput(None, "-5", "400", "INPUT2"),
        LineInput(None, "0", "463", "GONE"),
        LineInput(None, "abc", "463", "INPUT2", {"dept": "nope"}),
    ]
    assert refusal(desk, splits, pounds, bad).errors == {
        (0, "amount"): "Line 1's amount has more decimals than GBP has (2).",
        (1, "amount"): "Line 2's amount must be a number such as 40.00.",
        (1, "account"): "Line 2 needs a Xero account that can be used for spending.",  # 400 is archived
        (2, "amount"): "Line 3's amount must be more than zero.",
        (2, "tax"): "Line 3 needs a tax rate that Xero still accepts.",
        (3, "amount"): "Line 4's amount must be a number such as 40.00.",
        (3, "tracking"): "Line 4's tracking option is archived or gone in Xero; pick another.",
    }
    in_yen = [LineInput(None, "999.5", "463", "INPUT2"), LineInput(None, "0.5", "429", "INPUT2")]
    assert refusal(desk, splits, yen, in_yen).errors[(0, "amount")] == (
        "Line 1's amount has more decimals than JPY has (0)."
    )
    split(desk, splits, yen, [LineInput(None, "1,000", "463", "INPUT2")])  # one line: the whole payment again
    assert desk.books.stored(yen).split_lines == []


def test_at_most_ten_lines(desk: Desk, splits: SplitService) -> None:
    payment_id = desk.arrive("pay_1")
    eleven = [LineInput(None, "10", "463", "INPUT2")] * 11
    assert refusal(desk, splits, payment_id, eleven).message == "A payment can be split into at most 10 lines."
    split(desk, splits, payment_id, [LineInput(None, "12", "463", "INPUT2")] * 10)
    assert len(desk.books.stored(payment_id).split_lines) == 10


def test_only_finance_splits_and_a_split_payment_changes_only_through_its_lines(
    desk: Desk, splits: SplitService
) -> None:
    own = desk.books.payment("pay_1", approved=False, spender_user_id=desk.employee.user_id)
    with pytest.raises(NotAllowed, match="Only finance users and admins can split payments"):
        splits.split(desk.employee, own, desk.card(own).card.version, THREE_WAY)
    with pytest.raises(NotAllowed):
        splits.view_to_split(desk.employee, own)
    split(desk, splits, own, THREE_WAY)

    with pytest.raises(DomainError, match="split into lines; change their coding with Edit → Split"):
        desk.coding.set_account(desk.finance, own, desk.card(own).card.version, "429")
    with pytest.raises(Conflict):
        splits.split(desk.finance, own, desk.card(own).card.version - 1, THREE_WAY[:1])
    desk.coding.edit(desk.employee, own, desk.card(own).card.version, description="Team tools")
    changed = desk.card(own)
    assert changed.card.description == "Team tools" and len(changed.card.split) == 3  # their own description


def test_removing_the_split_leaves_one_line_coded_as_it_says(desk: Desk, splits: SplitService) -> None:
    payment_id = desk.arrive("pay_1")
    split(desk, splits, payment_id, THREE_WAY)
    split(desk, splits, payment_id, [LineInput("Figma seats", "", "429", "NONE", {"dept": "sales"})])

    stored = desk.books.stored(payment_id)
    assert stored.split_lines == [] and (stored.account_code, stored.tax_type) == ("429", "NONE")
    assert stored.tracking == [SALES] and stored.description == "Figma seats"
    assert desk.card(payment_id).card.split == ()


def test_a_synced_payment_split_afterwards_is_updated_and_resync_replaces_its_lines(
    desk: Desk, splits: SplitService, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = desk.arrive("pay_1")
    desk.code(payment_id, "463", tracking=ENGINEERING)
    desk.approve(payment_id)
    sync.run()
    [before] = xero.spends()

    split(desk, splits, payment_id, THREE_WAY)
    assert desk.books.stored(payment_id).state is PaymentState.UPDATED
    desk.approve(payment_id)
    sync.run()

    [after] = xero.spends()
    assert after.xero_id == before.xero_id and len(before.lines) == 1
    assert [line.amount for line in after.lines] == [Decimal("40.00"), Decimal("50.00"), Decimal("30.00")]
    assert desk.books.stored(payment_id).state is PaymentState.SYNCED


def test_a_line_whose_account_xero_archived_since_keeps_the_payment_from_approval(
    desk: Desk, splits: SplitService
) -> None:
    payment_id = desk.arrive("pay_1")
    split(desk, splits, payment_id, THREE_WAY)
    with desk.books.uow() as work:
        work.reference.upsert_accounts(
            desk.books.connection_id,
            [{"account_id": "acct-429", "code": "429", "name": "General Expenses", "type": "EXPENSE",
              "status": "ARCHIVED", "tax_type": "INPUT2"}],
        )  # fmt: skip
        work.commit()

    with pytest.raises(DomainError) as refused:
        desk.approve(payment_id)
    assert "line 2's account 429 is archived or gone in Xero; change the split with Edit → Split" in str(refused.value)


def test_a_merchant_split_the_same_way_before_has_its_next_payment_split_in_the_same_proportions(
    desk: Desk, splits: SplitService
) -> None:
    first = desk.arrive("pay_1")
    split(desk, splits, first, THREE_WAY)
    desk.approve(first)

    second = desk.arrive("pay_2", amount=Decimal("10.01"))

    card = desk.card(second).card
    assert [(line.amount, line.account.code, line.tax_rate.tax_type) for line in card.split] == [
        (Decimal("3.34"), "463", "INPUT2"),
        (Decimal("4.17"), "429", "INPUT2"),
        (Decimal("2.50"), "463", "NONE"),  # what rounding left: the lines add up to the payment
    ]
    assert [line.tracking for line in card.split] == [{"dept": "eng"}, {"dept": "sales"}, {}]
    assert card.coded_because == "Suggested from 1 earlier payment to Figma"
    desk.approve(second)  # nothing left to choose

    one_line = desk.arrive("pay_3")
    desk.code(one_line, "429")
    desk.approve(one_line)
    fourth = desk.arrive("pay_4")  # the two newest disagree, and the split is not most of them
    assert desk.card(fourth).card.split == () and "split into 3 lines" in (desk.card(fourth).card.coding_note or "")


def test_the_split_form_needs_xeros_chart(desk: Desk, splits: SplitService) -> None:
    payment_id = desk.arrive("pay_1")
    assert len(splits.view_to_split(desk.finance, payment_id).choices.accounts) == 2
    with desk.books.uow() as work:
        work.reference.replace_tax_rates(desk.books.connection_id, [])
        work.commit()
    with pytest.raises(DomainError, match=r"Connect Xero first \(/xero connect\)"):
        splits.view_to_split(desk.finance, payment_id)
