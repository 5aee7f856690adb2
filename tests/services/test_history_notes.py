"""The Slack trail in Xero's History & Notes: one note per sync naming who approved, coded and sent receipts, with
the Slack link; on a re-sync what changed and who changed it; written exactly once whatever Xero's answer."""

from __future__ import annotations

import pytest

from bot.clock import FrozenClock
from bot.sync.engine import SyncEngine
from bot.sync.history_events import coded_by_person
from bot.sync.history_note import DETAILS_MAX, note_details
from bot.xero.errors import XeroRateLimited, XeroUnavailable, XeroValidationError
from storage.models import NoteState, Receipt, XeroNote
from storage.repositories.history_notes import HistoryNotes
from storage.uow import UnitOfWorkFactory
from tests.services.conftest import FINANCE, LEASE, PUBLIC_URL, Books, FakeCards
from tests.services.fakes import LOST_ANSWER, FakeXeroGateway

LINK = "https://slack.example.com/archives/C0FINANCE/p1700000000000100"
NAMES = {FINANCE: "Fiona Finance", "UCODER01": "Carl Coder", "UANA0001": "Ana Lim", "UBEN0001": "Ben Ng"}


@pytest.fixture
def sync(uow: UnitOfWorkFactory, clock: FrozenClock, xero: FakeXeroGateway, cards: FakeCards) -> SyncEngine:
    return engine(uow, clock, xero, cards)


def engine(uow: UnitOfWorkFactory, clock: FrozenClock, xero: FakeXeroGateway, cards: FakeCards) -> SyncEngine:
    def names(team_id: str, user_id: str) -> str | None:
        assert team_id == "T1"
        return NAMES.get(user_id)

    return SyncEngine(uow=uow, clock=clock, gateway=xero, cards=cards, public_url=PUBLIC_URL, lease=LEASE, names=names)


def coded(books: Books, payment_id: int, user_id: str, **coding: str) -> None:
    """A person sets the coding in Slack, as CodingService does."""
    with books.uow() as work:
        payment = work.payments.get(books.workspace_id, payment_id)
        assert payment is not None
        for name, value in coding.items():
            setattr(payment, name, value)
        coded_by_person(work, user_id, payment, "account")
        work.commit()


def sent_receipt(books: Books, payment_id: int, user_id: str | None, name: str) -> None:
    with books.uow() as work:
        work.session.add(Receipt(payment_id=payment_id, file_name=name, content=b"%PDF-1.4", sent_by_user_id=user_id))
        work.commit()


def notes_in_xero(books: Books, xero: FakeXeroGateway, payment_id: int) -> list[str]:
    return xero.transactions[str(books.stored(payment_id).xero_bank_transaction_id)].notes


def stored_notes(books: Books, payment_id: int) -> list[XeroNote]:
    with books.uow() as work:
        return list(HistoryNotes(work.session).of_payment(payment_id))


def test_the_note_names_the_approver_the_coder_and_each_receipts_sender_with_the_slack_link(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = books.payment(approved=False)
    coded(books, payment_id, "UCODER01", account_code="463")
    for user_id, name in (("UANA0001", "a.pdf"), ("UBEN0001", "b.pdf"), ("UANA0001", "c.pdf")):
        sent_receipt(books, payment_id, user_id, name)
    books.approve(payment_id)

    sync.run()

    assert notes_in_xero(books, xero, payment_id) == [
        "Approved in Slack by Fiona Finance on 2026-11-20 09:00 UTC. Coded by Carl Coder. "
        f"Receipts sent by Ana Lim (2), Ben Ng. {LINK}"
    ]
    [note] = stored_notes(books, payment_id)
    assert note.state == NoteState.WRITTEN and note.written_at is not None
    assert [(a.operation, a.outcome) for a in books.attempts(payment_id)][-1] == ("note", "ok")


def test_a_suggested_coding_and_a_missing_receipt_are_said_as_such(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    history = books.payment("pay_1", coded_by="history", no_receipt_reason="lost_receipt", no_receipt_note="taxi")
    rule = books.payment("pay_2", coded_by="rule", rule_name="Software seats", message_url=None)
    sync.run()
    assert notes_in_xero(books, xero, history) == [
        "Approved in Slack by Fiona Finance on 2026-11-20 09:00 UTC. Coded as suggested from history. "
        f"No receipt: lost receipt (taxi). {LINK}"
    ]
    assert notes_in_xero(books, xero, rule) == [
        "Approved in Slack by Fiona Finance on 2026-11-20 09:00 UTC. Coded by rule Software seats. No receipt at sync."
    ]


def test_a_resync_says_what_changed_and_who_changed_it(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway, clock: FrozenClock
) -> None:
    payment_id = books.payment()
    sync.run()
    clock.advance(hours=2)
    coded(books, payment_id, "UBEN0001", account_code="429")
    books.change(payment_id, description="Design seats, annual")
    books.approve(payment_id)

    sync.run()

    first, second = notes_in_xero(books, xero, payment_id)
    assert first.startswith("Approved in Slack by Fiona Finance")
    assert second == (
        "Re-synced from Slack, approved by Fiona Finance on 2026-11-20 11:00 UTC. "
        f"Changed by Ben Ng: account 463 → 429, description. {LINK}"
    )


def test_a_lost_answer_or_a_restart_never_writes_the_note_twice_nor_loses_it(
    books: Books, uow: UnitOfWorkFactory, clock: FrozenClock, xero: FakeXeroGateway, cards: FakeCards
) -> None:
    payment_id = books.payment()
    xero.fail_next("history_note", LOST_ANSWER)  # Xero wrote it, the answer was lost
    engine(uow, clock, xero, cards).run()
    assert len(notes_in_xero(books, xero, payment_id)) == 1
    [note] = stored_notes(books, payment_id)
    assert note.state == NoteState.PENDING and note.maybe_sent

    xero.forget_keys()  # minutes later Xero no longer replays the key
    clock.advance(minutes=10)
    engine(uow, clock, xero, cards).run()  # another process takes over

    assert len(notes_in_xero(books, xero, payment_id)) == 1
    assert xero.called("history_details") == [books.stored(payment_id).xero_bank_transaction_id]
    assert stored_notes(books, payment_id)[0].state == NoteState.WRITTEN


def test_a_note_xero_did_not_get_is_sent_later_once(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway, clock: FrozenClock
) -> None:
    payment_id = books.payment()
    xero.fail_next("history_note", XeroUnavailable("Xero answered 500."), XeroRateLimited("minute", 30))
    sync.run()
    assert notes_in_xero(books, xero, payment_id) == [] and books.stored(payment_id).xero_bank_transaction_id
    sync.run()
    assert notes_in_xero(books, xero, payment_id) == [], "not before its retry time"
    clock.advance(minutes=2)
    sync.run()  # looks first (nothing there), then is told to wait a minute
    [note] = stored_notes(books, payment_id)
    assert note.attempts == 1 and not note.maybe_sent and note.last_error
    clock.advance(minutes=1)
    sync.run()
    assert len(notes_in_xero(books, xero, payment_id)) == 1
    assert stored_notes(books, payment_id)[0].state == NoteState.WRITTEN


def test_a_refused_note_is_kept_with_xeros_words_and_not_retried(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway, clock: FrozenClock
) -> None:
    payment_id = books.payment()
    xero.fail_next("history_note", XeroValidationError(["The Details of a history note must not be empty."]))
    sync.run()
    clock.advance(days=1)
    sync.run()
    [note] = stored_notes(books, payment_id)
    assert note.state == NoteState.REFUSED and "must not be empty" in (note.last_error or "")
    assert len(xero.called("history_note")) == 1
    assert [(a.operation, a.outcome) for a in books.attempts(payment_id)][-1] == ("note", "error")


def test_a_long_note_stays_within_xeros_limit_and_keeps_the_link_whole() -> None:
    facts = {
        "link": LINK,
        "approved_by": "UAPPROVER",
        "approved_at": "2026-11-20T09:00:00+00:00",
        "receipts": [f"U{n:08d}" for n in range(12)],
        "coded_by_user": "UCODER",
    }
    details = note_details(facts, lambda user_id: "Maximiliana " + "Longname-" * 6 + user_id)
    assert len(details) == DETAILS_MAX and details.endswith(" " + LINK)
    assert "…" in details and "<@" not in details
    assert note_details(facts, lambda user_id: None).startswith("Approved in Slack by UAPPROVER on")


def test_a_payment_a_rule_coded_and_approved_says_so_by_the_rules_name() -> None:
    facts = {
        "link": LINK,
        "approved_by": None,
        "approved_at": "2026-11-20T09:00:00+00:00",
        "coded_by_source": "rule",
        "rule_name": "Software seats",
        "receipts": ["UANA0001"],
    }
    assert note_details(facts, NAMES.get) == (
        "Approved automatically by rule Software seats on 2026-11-20 09:00 UTC. Coded by rule Software seats. "
        f"Receipt sent by Ana Lim. {LINK}"
    )
