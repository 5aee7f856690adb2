"""Receipt readings and receipts waiting for their payment (models/receipt_checks.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import undefer

from storage.models import Payment, PaymentState, Receipt, ReceiptReading, ReceiptState, WaitingReceipt
from storage.repositories.base import SessionRepository

# Payments a receipt sent on its own may still be for: not left out of the books.
OPEN_STATES = tuple(state for state in PaymentState if state is not PaymentState.EXCLUDED)
DIFFERS = "differs"


class ReceiptCheckQueries(SessionRepository):
    def receipt(self, receipt_id: int) -> Receipt | None:
        return self.session.get(Receipt, receipt_id)

    def receipt_with_content(self, receipt_id: int) -> Receipt | None:
        return self.session.scalar(select(Receipt).where(Receipt.id == receipt_id).options(undefer(Receipt.content)))

    def receipt_of(self, payment: Payment, receipt_id: int) -> Receipt | None:
        return next((r for r in payment.receipts if r.id == receipt_id), None)

    def unread_receipts(self, since: datetime, until: datetime, limit: int) -> Sequence[int]:
        """Receipts stored between `since` and `until` that have no reading yet (the reader was busy, or the process
        stopped)."""
        read = select(ReceiptReading.id).where(ReceiptReading.receipt_id == Receipt.id).exists()
        query = (
            select(Receipt.id)
            .where(
                Receipt.created_at >= since, Receipt.created_at < until, Receipt.state != ReceiptState.REJECTED, ~read
            )
            .order_by(Receipt.id)
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def unread_receipts_of(self, payment_id: int) -> Sequence[int]:
        read = select(ReceiptReading.id).where(ReceiptReading.receipt_id == Receipt.id).exists()
        query = select(Receipt.id).where(
            Receipt.payment_id == payment_id, Receipt.state != ReceiptState.REJECTED, ~read
        )
        return self.session.scalars(query.order_by(Receipt.id)).all()

    # --- receipts sent before their payment --------------------------------------------------------

    def waiting(self, waiting_id: int, *, content: bool = False) -> WaitingReceipt | None:
        query = select(WaitingReceipt).where(WaitingReceipt.id == waiting_id)
        if content:
            query = query.options(undefer(WaitingReceipt.content))
        return self.session.scalar(query)

    def unread_waiting(self, since: datetime, until: datetime, limit: int) -> Sequence[int]:
        """Receipts sent on their own between `since` and `until` and never read."""
        query = select(WaitingReceipt.id).where(
            WaitingReceipt.created_at >= since,
            WaitingReceipt.created_at < until,
            WaitingReceipt.read_at.is_(None),
            WaitingReceipt.content.is_not(None),
        )
        return self.session.scalars(query.order_by(WaitingReceipt.id).limit(limit)).all()

    def claim_waiting(self, waiting_id: int, status: str) -> bool:
        """Take the receipt for this transaction if it is still `status` (two clicks or two batches at once: one wins;
        the other waits on the row and then finds it taken)."""
        claimed = self.session.execute(
            update(WaitingReceipt)
            .where(WaitingReceipt.id == waiting_id, WaitingReceipt.status == status)
            .values(status="claimed")
            .execution_options(synchronize_session=False)
        )
        return bool(claimed.rowcount)  # type: ignore[attr-defined]

    def claim_reading(self, waiting_id: int, read_at: datetime) -> bool:
        """Take the receipt's reading for this transaction if nobody saved one yet."""
        claimed = self.session.execute(
            update(WaitingReceipt)
            .where(WaitingReceipt.id == waiting_id, WaitingReceipt.read_at.is_(None))
            .values(read_at=read_at)
            .execution_options(synchronize_session=False)
        )
        return bool(claimed.rowcount)  # type: ignore[attr-defined]

    def waiting_by_file(self, workspace_id: int, slack_file_id: str) -> WaitingReceipt | None:
        return self.session.scalar(
            select(WaitingReceipt).where(
                WaitingReceipt.workspace_id == workspace_id, WaitingReceipt.slack_file_id == slack_file_id
            )
        )

    def waiting_around(self, workspace_id: int, first: dt.date, last: dt.date) -> Sequence[WaitingReceipt]:
        """Receipts still waiting for a payment, dated between `first` and `last` or undated: one query a batch."""
        return self.session.scalars(
            select(WaitingReceipt)
            .where(
                WaitingReceipt.workspace_id == workspace_id,
                WaitingReceipt.status == "waiting",
                (WaitingReceipt.receipt_date.is_(None))
                | ((WaitingReceipt.receipt_date >= first) & (WaitingReceipt.receipt_date <= last)),
            )
            .order_by(WaitingReceipt.id)
        ).all()

    def stale_waiting(self, workspace_id: int, before: datetime, limit: int) -> tuple[int, Sequence[WaitingReceipt]]:
        """How many receipts have waited for a payment since before `before`, and the oldest `limit` of them."""
        where = (
            WaitingReceipt.workspace_id == workspace_id,
            WaitingReceipt.status.in_(("waiting", "choosing")),
            WaitingReceipt.created_at < before,
        )
        count = int(self.session.scalar(select(func.count()).where(*where)) or 0)
        rows = self.session.scalars(select(WaitingReceipt).where(*where).order_by(WaitingReceipt.id).limit(limit))
        return count, rows.all()

    def open_payments_between(
        self, workspace_id: int, first: dt.date, last: dt.date, totals: Collection[Decimal]
    ) -> Sequence[Payment]:
        """Payments dated between `first` and `last`, not excluded and with no receipt yet, of one of these amounts
        (or of a foreign-currency spend, whose receipt is compared with the amount charged)."""
        has_receipt = (
            select(Receipt.id).where(Receipt.payment_id == Payment.id, Receipt.state != ReceiptState.REJECTED).exists()
        )
        return self.session.scalars(
            select(Payment)
            .where(
                Payment.workspace_id == workspace_id,
                Payment.state.in_(OPEN_STATES),
                Payment.date >= first,
                Payment.date <= last,
                Payment.no_receipt_reason.is_(None),
                Payment.amount.in_(_written_forms(totals)) | Payment.original_currency.is_not(None),
                ~has_receipt,
            )
            .order_by(Payment.date, Payment.id)
            .limit(1000)
        ).all()

    # --- what the App Home lists ---------------------------------------------------------------------

    def mismatched_payments(self, workspace_id: int, limit: int) -> tuple[int, Sequence[Payment]]:
        """Payments with a receipt that differs and that finance has not kept anyway, oldest first."""
        differing = (
            select(ReceiptReading.payment_id)
            .join(Receipt, Receipt.id == ReceiptReading.receipt_id)
            .where(
                ReceiptReading.workspace_id == workspace_id,
                ReceiptReading.outcome == DIFFERS,
                ReceiptReading.kept_at.is_(None),
                Receipt.state != ReceiptState.REJECTED,
            )
        )
        where = (
            Payment.workspace_id == workspace_id,
            Payment.state != PaymentState.EXCLUDED,
            Payment.id.in_(differing),
        )
        count = int(self.session.scalar(select(func.count()).select_from(Payment).where(*where)) or 0)
        rows = self.session.scalars(select(Payment).where(*where).order_by(Payment.date, Payment.id).limit(limit))
        return count, rows.all()


def _written_forms(totals: Collection[Decimal]) -> list[Decimal]:
    """Each amount with 0 to 4 decimals, as far as it has none beyond them: SQLite keeps money as the text it was
    given ("54", "54.00"), so an amount is found whichever way it was written."""
    forms: dict[str, Decimal] = {}  # by the text: Decimal("54") == Decimal("54.00"), so a set would keep one
    for total in totals:
        for places in range(5):
            written = total.quantize(Decimal(1).scaleb(-places))
            if written == total:
                forms[format(written, "f")] = written
    return list(forms.values())
