"""Writing each sync's queued History & Notes entry to its Xero transaction, exactly once.

A note is claimed with a lease, like a receipt upload; its words are fixed (and stored) before the first try and
sent with an Idempotency-Key. When a try's answer never came, the next one first reads the transaction's history
and finds the note there rather than writing it again (Xero forgets Idempotency-Keys after a few minutes).
Every call goes through the gateway, within the organisation's rate limits, and keeps back the day's last calls
for waiting transactions as receipts do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.sync.history_note import note_details
from bot.sync.leases import heartbeat
from bot.sync.parts import RunReport, SyncParts
from bot.xero.errors import XeroAuthError, XeroError, XeroRateLimited, XeroUnavailable, XeroValidationError
from bot.xero.types import TenantRef
from storage.models import NoteState, SyncAttempt, XeroNote
from storage.repositories.history_notes import HistoryNotes

logger = logging.getLogger(__name__)

NOTES_AT_ONCE = 5
MAX_NOTE_ATTEMPTS = 5
# A person's name from (Slack team id, user id); None when Slack does not know them.
Names = Callable[[str, str], str | None]
Allowance = Callable[[TenantRef, datetime], int | None]
Spent = Callable[[int, int], None]  # (connection id, calls claimed): counted against the day's budget


@dataclass(frozen=True)
class NoteJob:
    note_id: int
    payment_id: int
    xero_id: str
    details: str
    maybe_sent: bool


class HistoryWriter:
    def __init__(self, parts: SyncParts, *, names: Names | None, allowance: Allowance, spent: Spent) -> None:
        self._parts = parts
        self._names = names
        self._allowance = allowance
        self._spent = spent

    def write_some(self, tenant: TenantRef, report: RunReport) -> bool:
        """Write up to a handful of due notes; False when there was none it could write."""
        now = self._parts.clock.now()
        allowance = self._allowance(tenant, now)
        if allowance is not None and allowance <= 0:
            return False
        jobs = self._claim(tenant, now, NOTES_AT_ONCE if allowance is None else min(NOTES_AT_ONCE, allowance))
        if not jobs:
            return False
        # Counted against the day's budget: a note whose last answer was lost reads the history before writing.
        self._spent(tenant.connection_id, sum(2 if job.maybe_sent else 1 for job in jobs))
        renew = self._renew([job.note_id for job in jobs])
        with heartbeat(self._parts.clock, self._parts.lease, renew, now + self._parts.lease):
            outcomes = [self._write(tenant, job, report) for job in jobs]
        return all(outcomes)

    def _claim(self, tenant: TenantRef, now: datetime, limit: int) -> list[NoteJob]:
        with self._parts.uow() as work:
            notes = HistoryNotes(work.session).claim_due(tenant.workspace_id, now, limit=limit)
            for note in notes:
                note.next_attempt_at = now + self._parts.lease
            work.commit()
            pending = [(n.id, n.payment_id, n.xero_id, n.details, n.facts, n.maybe_sent) for n in notes]
        jobs = []
        for note_id, payment_id, xero_id, details, facts, maybe_sent in pending:
            if details is None:  # fixed once, so a try after a lost answer looks for the very words it sent
                details = self._fix_details(note_id, facts)
            jobs.append(NoteJob(note_id, payment_id, xero_id, details, maybe_sent))
        return jobs

    def _fix_details(self, note_id: int, facts: dict[str, Any]) -> str:
        team_id, names = facts.get("team_id"), self._names

        def name_of(user_id: str) -> str | None:
            return names(team_id, user_id) if names is not None and team_id else None

        details = note_details(facts, name_of)
        with self._parts.uow() as work:
            note = work.session.get(XeroNote, note_id)
            if note is not None and note.details is None:
                note.details = details
            work.commit()
            return note.details if note is not None and note.details else details

    def _write(self, tenant: TenantRef, job: NoteJob, report: RunReport) -> bool:
        gateway = self._parts.gateway
        attempt = self._start_attempt(job)
        try:
            if job.maybe_sent:  # the last try's answer was lost: Xero may have the note already
                report.requests += 1
                if job.details in gateway.history_details(tenant, job.xero_id):
                    self._finish(job, attempt, None)
                    return True
            self._mark_maybe_sent(job.note_id)
            report.requests += 1
            gateway.history_note(tenant, job.xero_id, job.details, f"xeb-note-{job.note_id}")
        except XeroError as problem:
            self._finish(job, attempt, problem)
            return False
        self._finish(job, attempt, None)
        return True

    def _start_attempt(self, job: NoteJob) -> int:
        with self._parts.uow() as work:
            row = SyncAttempt(
                payment_id=job.payment_id,
                operation="note",
                idempotency_key=f"xeb-note-{job.note_id}",
                request_summary={"note": job.details},
                started_at=self._parts.clock.now(),
            )
            work.session.add(row)
            work.commit()
            return row.id

    def _mark_maybe_sent(self, note_id: int) -> None:
        with self._parts.uow() as work:
            note = work.session.get(XeroNote, note_id)
            if note is not None:
                note.maybe_sent = True
            work.commit()

    def _finish(self, job: NoteJob, attempt: int, problem: XeroError | None) -> None:
        now = self._parts.clock.now()
        with self._parts.uow() as work:
            note = work.session.get(XeroNote, job.note_id)
            if note is not None:
                if problem is None:
                    note.state, note.written_at, note.maybe_sent = NoteState.WRITTEN.value, now, False
                    note.next_attempt_at, note.last_error = None, None
                else:
                    _failed(note, problem, now)
            row = work.session.get(SyncAttempt, attempt)
            if row is not None:
                row.outcome = "ok" if problem is None else _outcome(problem)
                row.error_message = problem.message if problem is not None else None
                row.xero_id = job.xero_id
                row.finished_at = now
            work.commit()
        if problem is not None:
            logger.warning("note not yet in Xero for payment %s: %s", job.payment_id, problem.message)

    def _renew(self, note_ids: list[int]) -> Callable[[datetime, datetime], None]:
        def renew(old: datetime, new: datetime) -> None:
            with self._parts.uow() as work:
                HistoryNotes(work.session).renew_claims(note_ids, old, new)
                work.commit()

        return renew


def _failed(note: XeroNote, problem: XeroError, now: datetime) -> None:
    """Wait as Xero asks, retry with backoff, or give up on a refusal (kept with Xero's words)."""
    note.last_error = problem.message[:1000]
    if isinstance(problem, XeroRateLimited | XeroAuthError):  # Xero did nothing with the request
        note.maybe_sent = False
        wait = problem.retry_after if isinstance(problem, XeroRateLimited) else 60
        note.next_attempt_at = now + timedelta(seconds=wait)
        return
    note.attempts += 1
    if not isinstance(problem, XeroUnavailable):
        note.maybe_sent = False  # an answer came: Xero did not write it
    if isinstance(problem, XeroValidationError) or note.attempts >= MAX_NOTE_ATTEMPTS:
        note.state, note.next_attempt_at = NoteState.REFUSED.value, None
        return
    note.next_attempt_at = now + timedelta(seconds=min(2**note.attempts * 30, 3600))


def _outcome(problem: XeroError) -> str:
    return "unknown" if isinstance(problem, XeroUnavailable) else "error"
