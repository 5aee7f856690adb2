"""The sync engine against a fake Xero: every answer Xero can give, and what the payment, Xero and the sync log
show afterwards."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

import bot.sync.lookup
import bot.sync.sending
from bot.sync.engine import SyncEngine
from bot.sync.items import markers_in
from bot.xero.errors import XeroAuthError, XeroRateLimited, XeroUnavailable, XeroValidationError
from storage.models import PaymentState
from tests.services.conftest import BANK_ACCOUNT_ID, FINANCE, PUBLIC_URL, Books, FakeCards
from tests.services.fakes import LOST_ANSWER, FakeXeroGateway


def log(books: Books, payment_id: int) -> list[tuple[str, str]]:
    return [(a.operation, a.outcome) for a in books.attempts(payment_id)]


def test_an_approved_payment_becomes_one_spend_money_with_its_coding_and_marker(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway, cards: FakeCards
) -> None:
    payment_id = books.payment(tracking=[{"category_id": "cat-1", "option_id": "opt-north"}])

    report = sync.run()

    [spend] = xero.spends()
    row = books.stored(payment_id)
    assert report.synced == [payment_id]
    assert row.state is PaymentState.SYNCED and row.xero_bank_transaction_id == spend.xero_id
    assert (spend.account_code, spend.tax_type, spend.amount) == ("463", "INPUT2", Decimal("120.00"))
    assert (spend.reference, spend.bank_account_id, spend.date.isoformat()) == ("INV-77", BANK_ACCOUNT_ID, "2026-11-20")
    assert [(t.category_id, t.option_id) for t in spend.tracking] == [("cat-1", "opt-north")]
    assert spend.url.startswith("https://slack.example.com/archives/C0FINANCE/")
    assert markers_in(spend.url) == [f"{books.workspace_id}-{payment_id}"]
    assert xero.contacts[spend.contact_id].name == "Figma Inc"
    attempt, note = books.attempts(payment_id)
    assert (attempt.operation, attempt.outcome, attempt.xero_id) == ("create", "ok", spend.xero_id)
    assert (note.operation, note.outcome, note.xero_id) == ("note", "ok", spend.xero_id)
    assert (attempt.actor_user_id, attempt.idempotency_key) == (FINANCE, row.idempotency_key)
    assert Decimal(attempt.request_summary["amount"]) == Decimal("120.00")
    assert attempt.request_summary["contact"] == "Figma Inc"
    assert attempt.finished_at is not None
    assert (books.workspace_id, payment_id) in cards.redrawn


def test_a_payment_whose_message_has_no_link_carries_its_marker_on_the_bots_address(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = books.payment(message_url=None)
    sync.run()
    [spend] = xero.spends()
    assert spend.url.startswith(PUBLIC_URL + "/") and markers_in(spend.url) == [f"{books.workspace_id}-{payment_id}"]


def test_each_answer_of_a_batch_is_recorded_after_slacks_answers(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch's answers are recorded one by one, each once no Slack answer is pending (bot/slack/answers_first.py),
    not all fifty while a round of Slack requests waits for the interpreter."""
    payments = [books.payment(f"pay_{n}") for n in range(3)]
    synced_at_each_wait: list[int] = []

    def wait_for_answers() -> None:
        synced_at_each_wait.append(sum(books.stored(p).state is PaymentState.SYNCED for p in payments))

    monkeypatch.setattr(bot.sync.sending, "wait_for_answers", wait_for_answers)
    sync.run()

    assert len(xero.called("create_spend_money")) == 1  # one batch
    assert synced_at_each_wait == [0, 1, 2]
    assert all(books.stored(p).state is PaymentState.SYNCED for p in payments)


def test_a_refused_transaction_shows_xeros_words_and_the_rest_of_the_batch_syncs(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    refused = books.payment("pay_1", account_code="999")
    accepted = books.payment("pay_2")
    xero.archived_accounts.add("999")

    report = sync.run()

    failed = books.stored(refused)
    assert report.failed == [refused] and report.synced == [accepted]
    assert failed.state is PaymentState.SYNC_ERROR and "999" in (failed.sync_last_error or "")
    assert "archived" in (failed.sync_last_error or "")
    assert books.stored(accepted).state is PaymentState.SYNCED and len(xero.spends()) == 1
    assert log(books, refused) == [("create", "error")]

    books.change(refused, account_code="429")
    books.approve(refused)
    sync.run()
    assert books.stored(refused).state is PaymentState.SYNCED
    assert sorted(s.account_code for s in xero.spends()) == ["429", "463"]


def test_a_refused_request_fails_every_payment_in_it_with_xeros_words(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = books.payment()
    xero.fail_next("create_spend_money", XeroValidationError(["Account code '463' is not a valid code"]))
    sync.run()
    row = books.stored(payment_id)
    assert row.state is PaymentState.SYNC_ERROR and row.sync_last_error == "Account code '463' is not a valid code"
    assert xero.spends() == []


def test_a_429_waits_for_retry_after_without_an_error_then_syncs(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = books.payment()
    xero.fail_next("create_spend_money", XeroRateLimited("minute", 30))

    report = sync.run()

    waiting = books.stored(payment_id)
    assert report.waiting == [payment_id] and xero.spends() == []
    assert waiting.state is PaymentState.APPROVED and "limit" in (waiting.sync_last_error or "")
    assert waiting.sync_next_attempt_at == books.clock.now() + timedelta(seconds=30)
    sync.run()
    assert len(xero.called("create_spend_money")) == 1, "nothing is sent before Retry-After"
    books.clock.advance(seconds=30)
    sync.run()
    assert books.stored(payment_id).state is PaymentState.SYNCED and len(xero.spends()) == 1


def test_the_daily_limit_says_when_sync_resumes(books: Books, sync: SyncEngine, xero: FakeXeroGateway) -> None:
    payment_id = books.payment()
    resume = books.clock.now() + timedelta(hours=1)
    xero.fail_next("create_spend_money", XeroRateLimited("day", 3600, resume))
    sync.run()
    waiting = books.stored(payment_id)
    assert waiting.state is PaymentState.APPROVED and f"until {resume:%H:%M} UTC" in (waiting.sync_last_error or "")
    assert waiting.sync_next_attempt_at == resume


def test_lost_access_makes_payments_wait_not_fail(books: Books, sync: SyncEngine, xero: FakeXeroGateway) -> None:
    payment_id = books.payment()
    xero.fail_next("create_spend_money", XeroAuthError("Xero refused access to Demo Company (UK)"))
    sync.run()
    waiting = books.stored(payment_id)
    assert waiting.state is PaymentState.APPROVED and xero.spends() == []
    assert waiting.sync_next_attempt_at == books.clock.now() + timedelta(seconds=60)


def test_an_answer_lost_after_xero_committed_is_found_by_the_marker_not_sent_again(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = books.payment()
    xero.fail_next("create_spend_money", LOST_ANSWER)

    report = sync.run()

    [spend] = xero.spends()
    row = books.stored(payment_id)
    assert report.synced == [payment_id]
    assert row.state is PaymentState.SYNCED and row.xero_bank_transaction_id == spend.xero_id
    assert log(books, payment_id) == [("create", "unknown"), ("lookup", "ok"), ("note", "ok")]
    assert books.attempts(payment_id)[1].xero_id == spend.xero_id
    assert xero.called("spends_with_reference") == [("INV-77", 1)]


def test_an_answer_lost_before_xero_committed_is_sent_again_later_with_one_transaction(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = books.payment()
    xero.fail_next("create_spend_money", XeroUnavailable("Xero did not answer (timeout)."))

    sync.run()

    waiting = books.stored(payment_id)
    assert waiting.state is PaymentState.APPROVED and xero.spends() == []
    assert waiting.sync_next_attempt_at is not None and waiting.sync_next_attempt_at > books.clock.now()
    assert [a.error_message for a in books.attempts(payment_id)] == ["Xero did not answer (timeout).", "not in Xero"]
    books.clock.advance(minutes=10)
    sync.run()
    assert books.stored(payment_id).state is PaymentState.SYNCED and len(xero.spends()) == 1


def test_a_payment_xero_never_answers_for_fails_after_five_tries(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = books.payment()
    xero.fail_next("create_spend_money", *[XeroUnavailable("Xero answered 503.")] * 5)
    for _ in range(5):
        sync.run()
        books.clock.advance(minutes=10)
    failed = books.stored(payment_id)
    assert failed.state is PaymentState.SYNC_ERROR and xero.spends() == []
    assert failed.sync_last_error == "Xero did not answer after 5 tries (Xero answered 503.). Retry later."


def test_payment_1_never_takes_payment_12s_transaction_with_the_same_reference(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    ids = [books.payment(f"pay_{n}", approved=False, reference="Transfer", amount=Decimal(n)) for n in range(1, 13)]
    first, twelfth = ids[0], ids[11]
    assert books.workspace_id == 1 and (first, twelfth) == (1, 12), "the marker 1-1 is a prefix of 1-12"
    books.approve(twelfth)
    sync.run()
    books.approve(first)
    xero.fail_next("create_spend_money", XeroUnavailable("Xero did not answer."))

    sync.run()

    assert books.stored(first).state is PaymentState.APPROVED, "payment 12's transaction (xeb=1-12) is not 1's"
    books.clock.advance(minutes=10)
    sync.run()
    by_marker = {markers_in(s.url)[0]: s for s in xero.spends()}
    assert set(by_marker) == {"1-1", "1-12"}
    assert books.stored(first).xero_bank_transaction_id == by_marker["1-1"].xero_id
    assert by_marker["1-1"].amount == Decimal(1) and by_marker["1-12"].amount == Decimal(12)


def test_payment_1_finds_its_own_transaction_not_12s_after_a_lost_answer_and_a_resync_changes_only_1s(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    ids = [books.payment(f"pay_{n}", approved=False, reference="Transfer", amount=Decimal(n)) for n in range(1, 13)]
    first, twelfth = ids[0], ids[11]
    assert books.workspace_id == 1 and (first, twelfth) == (1, 12), "the marker 1-1 is a prefix of 1-12"
    books.approve(twelfth)
    sync.run()
    books.approve(first)
    xero.fail_next("create_spend_money", LOST_ANSWER)

    sync.run()

    by_marker = {markers_in(s.url)[0]: s for s in xero.spends()}
    assert set(by_marker) == {"1-1", "1-12"}
    assert books.stored(first).state is PaymentState.SYNCED
    assert books.stored(first).xero_bank_transaction_id == by_marker["1-1"].xero_id
    assert books.stored(twelfth).xero_bank_transaction_id == by_marker["1-12"].xero_id

    books.change(first, account_code="429")
    books.approve(first)
    sync.run()
    accounts = {markers_in(s.url)[0]: s.account_code for s in xero.spends()}
    assert accounts == {"1-1": "429", "1-12": "463"}


def test_the_look_up_reads_every_page_and_skips_deleted_transactions(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.sync.lookup, "LOOKUP_PAGE_SIZE", 4)
    for n in range(2, 11):
        books.payment(f"pay_{n}", reference="Transfer")
    sync.run()
    payment_id = books.payment("pay_1", reference="Transfer")
    marked = f"{PUBLIC_URL}/?xeb={books.workspace_id}-{payment_id}"
    deleted = xero.add_spend(replace(xero.spends()[0], url=marked), status="DELETED")
    xero.fail_next("create_spend_money", LOST_ANSWER)

    sync.run()

    row = books.stored(payment_id)
    assert row.state is PaymentState.SYNCED and row.xero_bank_transaction_id not in (None, deleted)
    assert markers_in(xero.transactions[row.xero_bank_transaction_id or ""].spend.url) == [f"1-{payment_id}"]
    assert [page for _, page in xero.called("spends_with_reference")] == [1, 2, 3], "11 share the reference"
    assert len(xero.spends()) == 10


def test_a_resync_updates_the_same_transaction(books: Books, sync: SyncEngine, xero: FakeXeroGateway) -> None:
    payment_id = books.payment()
    sync.run()
    [before] = xero.spends()
    books.change(payment_id, account_code="429")
    assert books.stored(payment_id).state is PaymentState.UPDATED
    books.approve(payment_id)

    sync.run()

    [after] = xero.spends()
    assert after.xero_id == before.xero_id and after.account_code == "429"
    assert books.stored(payment_id).state is PaymentState.SYNCED
    assert log(books, payment_id) == [("create", "ok"), ("note", "ok"), ("update", "ok"), ("note", "ok")]


def test_a_reconciled_transaction_must_be_changed_in_xero(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = books.payment()
    sync.run()
    xero.transactions[books.stored(payment_id).xero_bank_transaction_id or ""].reconciled = True
    books.change(payment_id, account_code="429")
    books.approve(payment_id)
    sync.run()
    failed = books.stored(payment_id)
    assert failed.state is PaymentState.SYNC_ERROR
    assert "Change it in Xero directly" in (failed.sync_last_error or "")
    assert xero.spends()[0].account_code == "463"


def test_a_lost_update_answer_is_not_looked_up_but_sent_again(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = books.payment()
    sync.run()
    books.change(payment_id, account_code="429")
    books.approve(payment_id)
    xero.fail_next("update_spend_money", XeroUnavailable("Xero did not answer."))
    sync.run()
    assert books.stored(payment_id).state is PaymentState.APPROVED and xero.called("spends_with_reference") == []
    books.clock.advance(minutes=10)
    sync.run()
    assert books.stored(payment_id).state is PaymentState.SYNCED and xero.spends()[0].account_code == "429"


def test_a_payment_without_a_receipt_says_why_in_xeros_history(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = books.payment(no_receipt_reason="lost_receipt", no_receipt_note="taxi")
    xero.fail_next("history_note", XeroValidationError(["refused"]))
    other = books.payment("pay_2", no_receipt_reason="no_receipt_issued")
    sync.run()
    notes = {t.spend.xero_id: t.notes for t in xero.transactions.values()}
    assert notes[books.stored(payment_id).xero_bank_transaction_id] == [], "a refused note does not undo the sync"
    [note] = notes[books.stored(other).xero_bank_transaction_id]
    assert "No receipt: no receipt issued." in note
    assert books.stored(payment_id).state is PaymentState.SYNCED


def test_an_incomplete_payment_fails_with_what_it_lacks_and_sends_nothing(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = books.payment(tax_type=None)
    sync.run()
    failed = books.stored(payment_id)
    assert failed.state is PaymentState.SYNC_ERROR and "a tax rate" in (failed.sync_last_error or "")
    assert xero.calls == []


def test_a_message_that_cannot_be_redrawn_does_not_stop_the_sync(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway, cards: FakeCards
) -> None:
    cards.broken = True
    payment_id = books.payment()
    sync.run()
    assert books.stored(payment_id).state is PaymentState.SYNCED and len(xero.spends()) == 1
