"""The same payment arriving twice, from two sources or under two ids (a webhook and a CSV export, two
overlapping exports): same source account, same amount, dates at most 3 days apart, the same merchant, and not
two different spenders named.

The later payment is flagged with the earlier one; it is not synced (Approve refuses, bulk sync leaves it out)
until a finance user says "Not a duplicate" or "Exclude this one". A source's re-send of the same id never
gets this far: ingest already drops it as known.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.coding.payees import same_merchant
from bot.connection.roles import Access, Actor, Roles
from bot.errors import DomainError
from bot.payments import lifecycle
from bot.payments.coding import NOT_EXCLUDABLE, Changed, CodingService
from storage.models import Payment
from storage.repositories.coding_history import DuplicateCandidate
from storage.uow import UnitOfWork, UnitOfWorkFactory

if TYPE_CHECKING:
    from bot.payments.input import Arriving

WINDOW = timedelta(days=3)


def find_duplicates(
    work: UnitOfWork,
    workspace_id: int,
    batch: Sequence[Arriving],
    payee_keys: Sequence[str],
    import_run: str | None = None,
) -> list[int | None]:
    """For each payment of the batch, the stored payment it may repeat (the nearest in date), or None. A batch of
    an export's import is compared only with payments that came another way: each line of one export is a payment
    of its own (two coffees on one day are two), and the export's earlier batches are not searched again."""
    if not batch:
        return []
    dates = [item.payment.date for item in batch]
    candidates = work.payments.duplicate_candidates(
        workspace_id,
        {item.source_account_id for item in batch},
        {item.payment.amount for item in batch},
        min(dates) - WINDOW,
        max(dates) + WINDOW,
        other_than_import=import_run,
    )
    by_amount: dict[tuple[int, Decimal], list[DuplicateCandidate]] = {}
    for candidate in candidates:
        by_amount.setdefault((candidate.source_account_id, candidate.amount), []).append(candidate)
    return [
        _nearest(item, key, by_amount.get((item.source_account_id, item.payment.amount), []))
        for item, key in zip(batch, payee_keys, strict=True)
    ]


def _nearest(item: Arriving, payee_key: str, candidates: Sequence[DuplicateCandidate]) -> int | None:
    """The candidate of the same account and amount that is this payment under another id, nearest in date."""
    payment = item.payment
    matches = [
        c
        for c in candidates
        if c.external_id != payment.id
        and abs(c.date - payment.date) <= WINDOW
        and same_merchant(c.payee_key or "", payee_key)
        and not _different_people(c.spender_email, payment.spender_email)
    ]
    if not matches:
        return None
    return min(matches, key=lambda c: (abs(c.date - payment.date), c.payment_id)).payment_id


def _different_people(first: str | None, second: str | None) -> bool:
    """One card payment has one spender: two that name different people are two payments."""
    return bool(first and second and first.casefold() != second.casefold())


class DuplicateService:
    """A finance user's answer to "Possible duplicate of …"."""

    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, roles: Roles, coding: CodingService) -> None:
        self._uow = uow
        self._clock = clock
        self._roles = roles
        self._coding = coding

    def not_duplicate(self, actor: Actor, payment_id: int, version: int) -> Changed:
        """Keep the payment: it can be approved and synced like any other."""
        self._roles.require(actor, Access.FINANCE, "decide on duplicates")
        with self._uow() as work:
            payment = self._flagged(work, actor.workspace_id, payment_id, version)
            other = payment.duplicate_of_id
            payment.duplicate_of_id = None
            lifecycle.changed(payment)
            work.audit.payment_event(
                workspace_id=actor.workspace_id,
                actor_user_id=actor.user_id,
                action="payment.not_duplicate",
                payment_id=payment.id,
                duplicate_of=other,
            )
            return self._coding.save(work, payment)

    def exclude(self, actor: Actor, payment_id: int, version: int) -> Changed:
        """Leave the payment out of the books as a duplicate of the other one."""
        self._roles.require(actor, Access.FINANCE, "decide on duplicates")
        with self._uow() as work:
            payment = self._flagged(work, actor.workspace_id, payment_id, version)
            if payment.state not in lifecycle.EXCLUDABLE:
                raise DomainError(NOT_EXCLUDABLE)
            lifecycle.exclude(payment, "duplicate", actor.user_id)
            work.audit.payment_event(
                workspace_id=actor.workspace_id,
                actor_user_id=actor.user_id,
                action="payment.excluded",
                payment_id=payment.id,
                reason="duplicate",
                duplicate_of=payment.duplicate_of_id,
            )
            return self._coding.save(work, payment)

    def _flagged(self, work: UnitOfWork, workspace_id: int, payment_id: int, version: int) -> Payment:
        payment = self._coding.current(work, workspace_id, payment_id, version)
        if payment.duplicate_of_id is None:
            raise DomainError("This payment is not flagged as a possible duplicate any more.")
        return payment
