"""Reading each stored receipt and checking it against its payment; finance's "Keep anyway" and "Remove receipt".

A receipt is acknowledged to its sender before it is read (bot.receipts.service); its reading is offered to the
reading pool, and when the reader answers the reading and its check are saved and the payment's card redrawn.
A receipt the pool had no room for, or whose reading a stopped process lost, is read by the job `read_receipts`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from sqlalchemy.orm.exc import StaleDataError

from bot.clock import Clock
from bot.coding.rule_approval import approve_by_rule
from bot.connection.roles import Access, Actor, Roles
from bot.errors import DomainError
from bot.payments import lifecycle
from bot.payments.coding import Changed, CodingService
from bot.receipts.matching import UNREAD, ReadFields, check_receipt
from bot.receipts.matching_ports import Reading, ReadingPool, confidences_of
from bot.receipts.matching_view import payment_facts
from storage.models import Payment, ReceiptReading, ReceiptState
from storage.repositories.receipt_checks import ReceiptCheckQueries
from storage.uow import UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)

UNREAD_LOOKBACK = timedelta(days=2)  # the job reads receipts stored this recently and never read
SAVE_ATTEMPTS = 3
LEFT_TO_THE_POOL = timedelta(minutes=10)  # younger receipts may still be in the pool's queue: not read twice
NOT_FLAGGED = "This receipt is not flagged as different from the payment any more."
IN_XERO = (
    "This receipt is already attached to the transaction in Xero, which keeps attachments once added; "
    "remove it there if it is wrong."
)


def reading_row(reading: Reading, read_at: object) -> dict[str, object]:
    """The columns a reading fills, on a stored receipt or on one waiting for its payment."""
    return {
        "total": reading.total,
        "currency": reading.currency.upper()[:3] if reading.currency else None,
        "receipt_date": reading.date,
        "merchant": reading.merchant[:255] if reading.merchant else None,
        "tax": reading.tax,
        "number": reading.number[:64] if reading.number else None,
        "confidences": confidences_of(reading),
        "engine": (reading.engine or "")[:64] or None,
        "problem": reading.problem[:500] if reading.problem else None,
        "read_at": read_at,
    }


def fields_of(reading: Reading) -> ReadFields:
    currency = reading.currency.upper() if reading.currency else None
    return ReadFields(reading.total, currency, reading.date, reading.merchant, reading.tax)


class ReceiptChecks:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        roles: Roles,
        coding: CodingService,
        pool: ReadingPool,
        redraw: Callable[[int, int], None],
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._roles = roles
        self._coding = coding
        self.pool = pool  # replaceable: tests hand a pool whose reader returns canned readings
        self._redraw = redraw

    # --- reading ---------------------------------------------------------------------------------

    def submit(self, receipt_ids: Iterable[int]) -> None:
        """Hand each receipt's file to the reading pool; what it has no room for is left to the job."""
        for receipt_id in receipt_ids:
            with self._uow() as work:
                receipt = ReceiptCheckQueries(work.session).receipt_with_content(receipt_id)
                if receipt is None or receipt.reading is not None or receipt.content is None:
                    continue
                content, mime = receipt.content, receipt.mime_type
            if not self.pool.submit(receipt_id, content, mime, self.save_reading):
                logger.info("the reading pool is full; receipt %s is read by the next read_receipts run", receipt_id)

    def submit_unread(self, payment_id: int) -> None:
        """Read the payment's receipts that have no reading yet (the ones just stored)."""
        with self._uow() as work:
            ids = ReceiptCheckQueries(work.session).unread_receipts_of(payment_id)
        self.submit(ids)

    def read_due(self, limit: int = 20) -> int:
        """The job: receipts stored a while ago that nobody read (the pool was full, the process stopped)."""
        now = self._clock.now()
        with self._uow() as work:
            queries = ReceiptCheckQueries(work.session)
            ids = queries.unread_receipts(now - UNREAD_LOOKBACK, now - LEFT_TO_THE_POOL, limit)
        self.submit(ids)
        return len(ids)

    def save_reading(self, receipt_id: int, reading: Reading) -> None:
        """On a reading thread: save what the receipt says and its check, then redraw its payment's card. A payment
        changed meanwhile (another receipt, a person's coding) is read again and the reading saved on it."""
        for _ in range(SAVE_ATTEMPTS - 1):
            with contextlib.suppress(StaleDataError):
                return self._save_reading(receipt_id, reading)
        self._save_reading(receipt_id, reading)

    def _save_reading(self, receipt_id: int, reading: Reading) -> None:
        with self._uow() as work:
            receipt = ReceiptCheckQueries(work.session).receipt(receipt_id)
            if receipt is None or receipt.reading is not None:
                return  # removed meanwhile, or read twice (the job and the pool): the first reading stands
            payment = receipt.payment
            check = check_receipt(fields_of(reading), payment_facts(payment))
            receipt.reading = ReceiptReading(
                payment_id=payment.id,
                workspace_id=payment.workspace_id,
                outcome=check.outcome if not reading.problem else UNREAD,
                differences=check.differences,
                notes=check.notes,
                **reading_row(reading, self._clock.now()),
            )
            lifecycle.changed(payment)
            approve_by_rule(work, payment, self._clock.now())  # a rule that waited for the receipt's reading
            workspace_id, payment_id = payment.workspace_id, payment.id
            work.commit()
        self._redraw(workspace_id, payment_id)

    def shutdown(self) -> None:
        """serve's stop: the readings under way finish; receipts not read yet are read by the job after a restart."""
        self.pool.shutdown()

    def redrawn(self, workspace_id: int, payment_id: int) -> None:
        """Bring the payment's message up to date (a receipt was attached to it elsewhere)."""
        self._redraw(workspace_id, payment_id)

    # --- finance's answers -------------------------------------------------------------------------

    def keep_anyway(self, actor: Actor, payment_id: int, version: int, receipt_id: int) -> Changed:
        """Finance has looked: the receipt stays and no longer holds the payment back."""
        self._roles.require(actor, Access.FINANCE, "keep a receipt that differs")
        with self._uow() as work:
            payment = self._coding.current(work, actor.workspace_id, payment_id, version)
            receipt = ReceiptCheckQueries(work.session).receipt_of(payment, receipt_id)
            reading = receipt.reading if receipt is not None else None
            if reading is None or reading.outcome != "differs" or reading.kept_at is not None:
                raise DomainError(NOT_FLAGGED)
            reading.kept_by_user_id = actor.user_id
            reading.kept_at = self._clock.now()
            lifecycle.changed(payment)
            approve_by_rule(work, payment, self._clock.now())  # finance has looked: the rule may approve it now
            self._audit(work, actor, payment, "receipt.kept_anyway", receipt_id)
            return self._coding.save(work, payment)

    def remove_receipt(self, actor: Actor, payment_id: int, version: int, receipt_id: int) -> Changed:
        """Finance takes a receipt off the payment (the wrong file, another payment's receipt)."""
        self._roles.require(actor, Access.FINANCE, "remove receipts")
        with self._uow() as work:
            payment = self._coding.current(work, actor.workspace_id, payment_id, version)
            receipt = ReceiptCheckQueries(work.session).receipt_of(payment, receipt_id)
            if receipt is None or receipt.state is ReceiptState.REJECTED:
                raise DomainError("That receipt is no longer on this payment.")
            if receipt.state is ReceiptState.ATTACHED:
                raise DomainError(IN_XERO)
            payment.receipts.remove(receipt)
            lifecycle.changed(payment)
            self._audit(work, actor, payment, "receipt.removed", receipt_id, file_name=receipt.file_name)
            return self._coding.save(work, payment)

    @staticmethod
    def _audit(work: UnitOfWork, actor: Actor, payment: Payment, action: str, receipt_id: int, **more: str) -> None:
        work.audit.payment_event(
            workspace_id=actor.workspace_id,
            actor_user_id=actor.user_id,
            action=action,
            payment_id=payment.id,
            receipt_id=receipt_id,
            **more,
        )
