"""What the App Home tells finance about receipt checks: payments held back by a receipt that differs, and
receipts sent on their own that have found no payment in 30 days."""

from __future__ import annotations

from bot.home.view import ReceiptNotes
from bot.payments.card_view import payment_card
from bot.payments.cards import CodingChoices
from bot.receipts.matching_view import receipt_mismatch
from bot.receipts.receipt_first import STALE_AFTER
from storage.models import XeroConnection, utcnow
from storage.repositories.receipt_checks import ReceiptCheckQueries
from storage.uow import UnitOfWork

LISTED = 5  # of each list; the count says how many in all


def receipt_notes(
    work: UnitOfWork, workspace_id: int, choices: CodingChoices, connection: XeroConnection | None
) -> ReceiptNotes:
    queries = ReceiptCheckQueries(work.session)
    mismatches, payments = queries.mismatched_payments(workspace_id, LISTED)
    stale, waiting = queries.stale_waiting(workspace_id, utcnow() - STALE_AFTER, LISTED)
    return ReceiptNotes(
        mismatches=mismatches,
        mismatch_lines=[
            (payment_card(p, choices, connection), receipt_mismatch(p) or "", p.message_url) for p in payments
        ],
        stale=stale,
        stale_lines=[(w.sender_user_id, w.file_name, w.created_at.date()) for w in waiting],
    )
