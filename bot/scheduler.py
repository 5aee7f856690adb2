"""The background scheduler started by `serve`, and the jobs it runs.

Jobs are thin: they claim due rows, call a service and commit per item. All retry state lives on
the rows, so a restart or a second instance picks up exactly where work stopped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from bot.connection.tenants import tenant_ref
from bot.services import Services
from bot.settings import Settings
from bot.slack.answers_first import wait_for_answers
from bot.sync.rounds import take_in_turn
from bot.sync.xero_status import XeroStatusPoll
from bot.xero.errors import XeroError

logger = logging.getLogger(__name__)

PROCESSED_EVENT_RETENTION = timedelta(days=7)
# Bolt accepts a request whose timestamp is within 5 minutes of now, so a signature first seen at T can be
# replayed until T + 10 minutes at most; kept a little longer than that.
SIGNED_REQUEST_RETENTION = timedelta(minutes=15)
REFERENCE_LEASE = timedelta(minutes=15)
REFRESHES_AT_ONCE = 3
TOKEN_KEEP_ALIVE_AGE = timedelta(days=1)


def purge_stale_records(services: Services) -> None:
    """Forget Slack event ids older than Slack's retry window, request signatures too old to be replayed,
    expired Xero sign-in states, and the call ledger's counts of days gone."""
    now = services.clock.now()
    with services.uow() as uow:
        forgotten = uow.events.forget_before(now - PROCESSED_EVENT_RETENTION)
        signatures = uow.events.forget_requests_before(now - SIGNED_REQUEST_RETENTION)
        expired = uow.connections.purge_expired_states(now)
        uow.connections.forget_call_days_before(now.astimezone(UTC).date() - timedelta(days=2))
        uow.commit()
    if forgotten or signatures or expired:
        logger.info(
            "purged %d old event ids, %d old request signatures and %d expired sign-in states",
            forgotten,
            signatures,
            expired,
        )


def refresh_reference_data(services: Services) -> None:
    """Organisations whose accounts, tax rates, tracking and contacts are due for a refresh, a few at once, so
    one held up by its Xero limit holds up no other."""
    with services.uow() as work:
        due = work.connections.claim_due_reference(services.clock.now(), REFERENCE_LEASE)
        work.commit()
    left = dict.fromkeys(due)

    def refresh(connection_id: int) -> bool:
        left.pop(connection_id, None)
        with services.uow() as work:
            connection = work.connections.get(connection_id)
            ref = tenant_ref(connection) if connection and connection.token_set_id else None
        if ref is None:
            return False
        try:
            services.reference.refresh(ref)
        except XeroError as problem:
            logger.warning("reference data for connection %s not refreshed: %s", connection_id, problem.message)
        return False

    take_in_turn(lambda: list(left), refresh, at_once=REFRESHES_AT_ONCE, name="xero-reference")


def keep_tokens_alive(services: Services) -> None:
    """Refresh token sets idle for a day, so Xero's 60-day unused limit is never reached."""
    for token_set_id in services.tokens.idle_token_sets(TOKEN_KEEP_ALIVE_AGE):
        try:
            services.tokens.keep_alive(token_set_id, TOKEN_KEEP_ALIVE_AGE)
        except XeroError as problem:
            logger.warning("token set %s could not be refreshed: %s", token_set_id, problem.message)


def post_new_payments(services: Services) -> None:
    """Post what arrived, then ask each spender for the receipt."""
    services.posting.post_due()
    services.receipts.ask_due()


def sync_payments(services: Services) -> None:
    """Approved payments to Xero (in batches), stale claims settled, then receipts uploaded."""
    services.sync.run()


def poll_xero_status(services: Services) -> None:
    """What Xero says of synced payments now: reconciled, changed or deleted there (each organisation every few
    minutes, bot.sync.xero_status)."""
    XeroStatusPoll(uow=services.uow, clock=services.clock, gateway=services.gateway, cards=services.outbox).run()


def deliver_slack_outbox(services: Services) -> None:
    """Messages, redraws and replies Slack has not taken yet, each at its retry time."""
    services.outbox.deliver_due()


def report_bulk_progress(services: Services) -> None:
    services.bulk.report_progress()


def remind_missing_receipts(services: Services) -> None:
    services.receipts.remind_due()


def weekly_receipt_digest(services: Services) -> None:
    services.receipts.digest_due(services.settings.finance_channel)


def read_receipts(services: Services) -> None:
    """Receipts the reading pool had no room for, or whose reading a stopped process lost."""
    services.receipt_checks.read_due()
    services.receipt_first.read_due()


def _guarded(name: str, services: Services, job: Callable[[Services], None]) -> Callable[[], None]:
    """One job's failure is logged and counted; it never stops the scheduler or other jobs. A job starts when
    no Slack answer is pending (bot/slack/answers_first.py)."""

    def run() -> None:
        wait_for_answers()
        try:
            job(services)
        except Exception:
            services.metrics.job_runs.labels(job=name, outcome="error").inc()
            logger.exception("background job %s failed; it will run again on schedule", name)
        else:
            services.metrics.job_runs.labels(job=name, outcome="ok").inc()

    return run


JOBS: list[tuple[str, Callable[[Services], None], dict[str, int]]] = [
    ("purge_stale_records", purge_stale_records, {"hours": 1}),
    ("refresh_reference_data", refresh_reference_data, {"minutes": 5}),
    ("keep_tokens_alive", keep_tokens_alive, {"hours": 1}),
    ("post_new_payments", post_new_payments, {"seconds": 5}),
    ("sync_payments", sync_payments, {"seconds": 5}),
    ("poll_xero_status", poll_xero_status, {"minutes": 1}),
    ("deliver_slack_outbox", deliver_slack_outbox, {"seconds": 5}),
    ("report_bulk_progress", report_bulk_progress, {"seconds": 3}),
    ("remind_missing_receipts", remind_missing_receipts, {"minutes": 15}),
    ("weekly_receipt_digest", weekly_receipt_digest, {"minutes": 15}),
    ("read_receipts", read_receipts, {"minutes": 2}),
]


def new_scheduler() -> BackgroundScheduler:
    """Built before the services, so they can be handed a way to wake its jobs; the jobs are added after."""
    return BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        timezone="UTC",
    )


def schedule_jobs(scheduler: BackgroundScheduler, services: Services) -> None:
    for name, job, interval in JOBS:
        every = ticking(interval, services.settings)
        run = services.wake.rerunning(name, _guarded(name, services, job))
        scheduler.add_job(run, "interval", id=name, name=name, **every)


def ticking(interval: dict[str, int], settings: Settings) -> dict[str, float]:
    """A job that runs every few seconds runs at least every JOB_TICK_SECONDS; the others keep their interval."""
    seconds = interval.get("seconds")
    if seconds is None:
        return dict(interval)
    return {"seconds": min(seconds, settings.job_tick_seconds)}


class SchedulerWake:
    """Runs a background job now rather than on its schedule (a click or a webhook just made work for it).

    A job runs one at a time (`max_instances` 1), and the scheduler skips a run asked for while one is going: the
    work that woke it would wait for the next tick. So a wake that finds its job running is remembered, and the
    job runs once more as soon as it ends (`rerunning`)."""

    def __init__(self, scheduler: BackgroundScheduler) -> None:
        self._scheduler = scheduler
        self._lock = threading.Lock()
        self._running: set[str] = set()
        self._again: set[str] = set()

    def __call__(self, job_id: str) -> None:
        with self._lock:
            if job_id in self._running:
                self._again.add(job_id)
                return
        if self._scheduler.get_job(job_id) is not None:
            self._scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))

    def rerunning(self, job_id: str, run: Callable[[], None]) -> Callable[[], None]:
        def runs() -> None:
            again = True
            while again:
                with self._lock:
                    self._running.add(job_id)
                    self._again.discard(job_id)
                try:
                    run()
                finally:
                    with self._lock:
                        self._running.discard(job_id)
                        again = job_id in self._again
                        self._again.discard(job_id)

        return runs
