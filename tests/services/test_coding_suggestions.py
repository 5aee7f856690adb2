"""A payment arrives coded the way earlier approved payments to the same merchant were: what the card says, what
it is pre-filled with, what happens when the history disagrees, and what a person's change teaches."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.clock import FrozenClock
from bot.coding.backfill import fill_payee_keys
from bot.payments.input import PaymentIn
from storage.models import Payment
from storage.uow import UnitOfWorkFactory
from tests.services.coding_support import ACCOUNT, ENGINEERING, SALES, Desk
from tests.services.conftest import Books


@pytest.fixture
def desk(books: Books, uow: UnitOfWorkFactory, clock: FrozenClock) -> Desk:
    return Desk.open(books, uow, clock)


def coding_of(desk: Desk, payment_id: int) -> tuple[str | None, str | None, dict[str, str]]:
    card = desk.card(payment_id).card
    return (
        card.account.code if card.account else None,
        card.tax_rate.tax_type if card.tax_rate else None,
        card.tracking,
    )


def test_a_second_figma_payment_arrives_coded_from_the_first_with_the_suggested_line(desk: Desk) -> None:
    desk.coded_and_approved("pay_1", "463", tracking=ENGINEERING)

    second = desk.arrive("pay_2", "FIGMA.COM SAN FRANCISCO CA")

    card = desk.card(second).card
    assert coding_of(desk, second) == ("463", "INPUT2", {"dept": "eng"})
    assert card.coded_because == "Suggested from 1 earlier payment to Figma"
    assert card.coding_note is None
    desk.approve(second)  # complete: nothing left to choose
    third = desk.arrive("pay_3", "PAYPAL *FIGMA")
    assert desk.card(third).card.coded_because == "Suggested from 2 earlier payments to Figma"


def test_only_approved_payments_teach_and_other_merchants_learn_nothing(desk: Desk) -> None:
    pending = desk.arrive("pay_1")
    desk.code(pending, "463")  # chosen but not approved: not yet a decision
    assert coding_of(desk, desk.arrive("pay_2")) == (None, None, {})
    desk.coded_and_approved("pay_3", "463")
    assert coding_of(desk, desk.arrive("pay_4", "Canva Pty Ltd"))[0] is None


def test_when_the_two_newest_disagree_the_payment_arrives_uncoded_saying_how_it_was_coded(desk: Desk) -> None:
    desk.coded_and_approved("pay_1", "463")
    desk.coded_and_approved("pay_2", "429")

    third = desk.arrive("pay_3")

    card = desk.card(third).card
    assert card.account is None and card.coded_because is None
    assert (
        card.coding_note == "Coded differently before: 429 General Expenses (INPUT2) (newest); 463 IT Software (INPUT2)"
    )


def test_a_one_time_exception_does_not_unsettle_the_usual_coding(desk: Desk) -> None:
    for number in range(1, 4):
        desk.coded_and_approved(f"pay_{number}", "463")
    desk.coded_and_approved("pay_4", "429")  # this once, something else
    desk.coded_and_approved("pay_5", "463")

    assert coding_of(desk, desk.arrive("pay_6"))[0] == "463"


def test_a_person_changing_the_suggestion_teaches_the_next_ones(desk: Desk) -> None:
    desk.coded_and_approved("pay_1", "463")
    desk.coded_and_approved("pay_2", "463")
    third = desk.arrive("pay_3")
    assert desk.card(third).card.coded_because == "Suggested from 2 earlier payments to Figma"

    desk.code(third, "429")
    assert desk.card(third).card.coded_because is None  # the person's choice now, not a suggestion
    desk.approve(third)
    fourth = desk.arrive("pay_4")
    assert desk.card(fourth).card.account is None  # one change: the history disagrees, a person decides
    assert (desk.card(fourth).card.coding_note or "").startswith("Coded differently before: 429 General Expenses")
    desk.code(fourth, "429")
    desk.approve(fourth)

    fifth = desk.arrive("pay_5")
    assert coding_of(desk, fifth)[0] == "429"
    assert desk.card(fifth).card.coded_because == "Suggested from 2 earlier payments to Figma"


def test_an_archived_account_is_never_suggested_and_the_category_mapping_codes_instead(
    desk: Desk, uow: UnitOfWorkFactory
) -> None:
    desk.coded_and_approved("pay_1", "463", category="Software")
    desk.map_category("Software", "429")
    with uow() as work:
        work.reference.upsert_accounts(
            desk.books.connection_id,
            [{"account_id": "acct-463", "code": "463", "name": "IT Software", "type": "EXPENSE", "status": "ARCHIVED"}],
        )
        work.commit()

    second = desk.arrive("pay_2", category="Software")

    assert coding_of(desk, second)[0] == "429"
    assert desk.card(second).card.coded_because == "Coded by the category mapping for Software"


def test_history_comes_before_the_category_mapping(desk: Desk) -> None:
    desk.map_category("Software", "429")
    desk.coded_and_approved("pay_1", "463", category="Software")
    assert coding_of(desk, desk.arrive("pay_2", category="Software"))[0] == "463"


def test_tracking_follows_the_spender_when_they_paid_the_merchant_before(desk: Desk) -> None:
    desk.coded_and_approved("pay_1", "429", payee="Uber", spender_email="ana@example.com", tracking=ENGINEERING)
    desk.coded_and_approved("pay_2", "429", payee="Uber", spender_email="bo@example.com", tracking=SALES)

    anas = desk.arrive("pay_3", "UBER *TRIP HELP.UBER.COM", spender_email="ana@example.com")
    someone_new = desk.arrive("pay_4", "Uber", spender_email="cy@example.com")

    assert coding_of(desk, anas) == ("429", "INPUT2", {"dept": "eng"})
    assert coding_of(desk, someone_new) == ("429", "INPUT2", {})  # whose department? a person says
    assert desk.card(someone_new).card.coding_note is None


def test_tracking_every_spender_used_is_suggested_to_a_new_one(desk: Desk) -> None:
    for number, spender in enumerate(("ana@example.com", "bo@example.com"), start=1):
        desk.coded_and_approved(f"pay_{number}", "463", spender_email=spender, tracking=ENGINEERING)
    assert coding_of(desk, desk.arrive("pay_3", spender_email="cy@example.com")) == ("463", "INPUT2", {"dept": "eng"})


def test_an_import_batch_is_coded_from_history_too(desk: Desk) -> None:
    desk.coded_and_approved("pay_1", "463")
    payment = PaymentIn("csv-1", ACCOUNT, desk.card(desk.id_of("pay_1")).card.amount + 1, "GBP", desk.day, "FIGMA")
    desk.ingest.store(desk.books.workspace_id, [payment])

    assert coding_of(desk, desk.id_of("csv-1"))[0] == "463"
    assert desk.card(desk.id_of("csv-1")).card.coded_because == "Suggested from 1 earlier payment to Figma"


def test_payments_stored_before_the_upgrade_teach_once_their_payees_are_normalised(
    desk: Desk, uow: UnitOfWorkFactory
) -> None:
    earlier = desk.coded_and_approved("pay_1", "463")
    with uow() as work:
        work.session.execute(update(Payment).where(Payment.id == earlier).values(payee_key=None))
        work.commit()
    assert coding_of(desk, desk.arrive("pay_2"))[0] is None

    assert fill_payee_keys(uow) == 1  # pay_2 arrived with its key
    assert coding_of(desk, desk.arrive("pay_3"))[0] == "463"


def test_where_departments_follow_the_person_a_newcomer_gets_their_usual_one(desk: Desk) -> None:
    desk.coded_and_approved("pay_1", "429", payee="Uber", spender_email="ana@example.com", tracking=ENGINEERING)
    desk.coded_and_approved("pay_2", "429", payee="Uber", spender_email="bo@example.com", tracking=SALES)
    for number, payee in enumerate(("Pret", "Leon", "Itsu"), start=3):
        desk.coded_and_approved(f"pay_{number}", "463", payee=payee, spender_email="cy@example.com", tracking=SALES)
    desk.coded_and_approved("pay_6", "463", payee="Wasabi", spender_email="dee@example.com", tracking=SALES)

    cys = desk.arrive("pay_7", "Uber", spender_email="cy@example.com")  # three in three of Cy's are Sales
    dees = desk.arrive("pay_8", "Uber", spender_email="dee@example.com")  # one payment says too little

    assert coding_of(desk, cys) == ("429", "INPUT2", {"dept": "sales"})
    assert coding_of(desk, dees) == ("429", "INPUT2", {})
