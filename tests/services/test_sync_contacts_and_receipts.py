"""The contact each transaction needs, and the receipts uploaded to it afterwards."""

from __future__ import annotations

from datetime import timedelta

from bot.sync.engine import SyncEngine
from bot.xero.errors import XeroUnavailable
from storage.models import PaymentState, ReceiptState
from tests.services.conftest import Books
from tests.services.fakes import FakeXeroGateway

# --- contacts -----------------------------------------------------------------------------------


def test_one_contact_is_created_for_payees_spelled_alike_and_kept_in_our_copy(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    books.payment("pay_1", payee="Figma Inc")
    books.payment("pay_2", payee="FIGMA INC")
    books.payment("pay_3", payee="Uber")
    sync.run()
    assert xero.called("create_contacts") == [["FIGMA INC", "Uber"]]
    assert sorted(c.name for c in xero.contacts.values()) == ["FIGMA INC", "Uber"]
    assert books.stored_contacts() == ["FIGMA INC", "Uber"]
    assert len({s.contact_id for s in xero.spends()}) == 2 and len(xero.spends()) == 3


def test_a_contact_in_our_copy_is_used_without_asking_xero(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    known = xero.add_contact("Figma Inc")
    books.contact("Figma Inc", known.contact_id)
    books.payment()
    sync.run()
    assert xero.called("create_contacts") == [] and [s.contact_id for s in xero.spends()] == [known.contact_id]


def test_a_contact_xero_has_but_our_copy_lacks_is_found_by_name(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    existing = xero.add_contact("Figma Inc")
    payment_id = books.payment()
    sync.run()
    assert xero.called("contacts_named") == ["Figma Inc"]
    assert [s.contact_id for s in xero.spends()] == [existing.contact_id]
    assert books.stored(payment_id).state is PaymentState.SYNCED and books.stored_contacts() == ["Figma Inc"]


def test_a_contact_that_can_be_neither_found_nor_created_fails_the_payments(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = books.payment(contact_name="Ghost Ltd")
    xero.add_contact("ghost ltd")  # Xero refuses the name, and a look-up by the exact name finds nothing
    sync.run()
    failed = books.stored(payment_id)
    assert failed.state is PaymentState.SYNC_ERROR and xero.spends() == []
    assert "the contact Ghost Ltd could not be found or created in Xero" in (failed.sync_last_error or "")


def test_a_contact_xero_cannot_be_asked_about_makes_the_payment_wait(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = books.payment(contact_name="Nobody Ltd")
    xero.fail_next("create_contacts", XeroUnavailable("Xero did not answer."))
    sync.run()
    waiting = books.stored(payment_id)
    assert waiting.state is PaymentState.APPROVED and xero.spends() == []
    assert [a.operation for a in books.attempts(payment_id)] == ["lookup"]


# --- receipts -----------------------------------------------------------------------------------


def test_a_stored_receipt_is_attached_once_the_payment_is_in_xero(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = books.payment()
    receipt_id = books.receipt(payment_id, "invoice.pdf", b"%PDF-1.4 twelve")

    report = sync.run()

    row = books.stored_receipt(receipt_id)
    [transaction] = xero.transactions.values()
    assert report.attached == 1 and transaction.attachments == [("invoice.pdf", b"%PDF-1.4 twelve")]
    assert row.state is ReceiptState.ATTACHED and row.xero_attachment_id is not None
    log = [(a.operation, a.outcome) for a in books.attempts(payment_id)]
    assert log == [("create", "ok"), ("attach", "ok"), ("note", "ok")]
    assert books.attempts(payment_id)[1].request_summary == {"file": "invoice.pdf"}
    sync.run()
    assert len(xero.called("attach_receipt")) == 1


def test_a_receipt_xero_finds_too_large_is_not_retried(books: Books, sync: SyncEngine, xero: FakeXeroGateway) -> None:
    xero.max_attachment_bytes = 10
    payment_id = books.payment()
    receipt_id = books.receipt(payment_id, "scan.pdf", b"x" * 11)
    sync.run()
    row = books.stored_receipt(receipt_id)
    assert row.state is ReceiptState.STORED and row.attach_attempts == 1
    assert "larger than Xero accepts" in (row.attach_last_error or "")
    books.clock.advance(days=30)
    sync.run()
    assert len(xero.called("attach_receipt")) == 1
    assert books.stored(payment_id).state is PaymentState.SYNCED, "the transaction stays synced"


def test_a_failed_upload_is_retried_later_alone(books: Books, sync: SyncEngine, xero: FakeXeroGateway) -> None:
    payment_id = books.payment()
    failing = books.receipt(payment_id, "first.jpg", b"jpeg")
    xero.fail_next("attach_receipt", XeroUnavailable("Xero answered 503."))
    sync.run()
    row = books.stored_receipt(failing)
    assert row.state is ReceiptState.STORED and row.attach_attempts == 1
    assert row.attach_next_attempt_at == books.clock.now() + timedelta(seconds=60)
    assert ("attach", "error") in [(a.operation, a.outcome) for a in books.attempts(payment_id)]

    sync.run()
    assert len(xero.called("attach_receipt")) == 1, "not before its retry time"
    books.clock.advance(seconds=60)
    sync.run()
    assert books.stored_receipt(failing).state is ReceiptState.ATTACHED


def test_an_upload_that_keeps_failing_stops_after_five_tries(
    books: Books, sync: SyncEngine, xero: FakeXeroGateway
) -> None:
    payment_id = books.payment()
    receipt_id = books.receipt(payment_id)
    xero.fail_next("attach_receipt", *[XeroUnavailable("Xero answered 503.")] * 6)
    for _ in range(6):
        sync.run()
        books.clock.advance(hours=2)
    row = books.stored_receipt(receipt_id)
    assert row.attach_attempts == 5 and len(xero.called("attach_receipt")) == 5
    assert row.state is ReceiptState.STORED
