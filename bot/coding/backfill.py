"""Payments stored before migration 0011 get their normalised payee, so new payments learn from them too."""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from bot.coding.payees import normalise
from storage.models import Payment
from storage.uow import UnitOfWorkFactory

logger = logging.getLogger(__name__)
BATCH = 1000


def fill_payee_keys(uow: UnitOfWorkFactory) -> int:
    """Normalise the payee of every payment that has none yet, a batch a transaction; how many were filled.
    Safe to run from several instances at once: each writes the same value."""
    filled = 0
    while True:
        with uow() as work:
            rows = work.session.execute(
                select(Payment.id, Payment.payee).where(Payment.payee_key.is_(None)).limit(BATCH)
            ).all()
            by_key: dict[str, list[int]] = {}
            for payment_id, payee in rows:
                by_key.setdefault(normalise(payee).key, []).append(payment_id)
            for key, ids in by_key.items():  # one statement per merchant of the batch
                work.session.execute(
                    update(Payment)
                    .where(Payment.id.in_(ids))
                    .values(payee_key=key)
                    .execution_options(synchronize_session=False)
                )
            work.commit()
        filled += len(rows)
        if len(rows) < BATCH:
            break
    if filled:
        logger.info("normalised the payee of %d earlier payments", filled)
    return filled
