"""The background scheduler started by `serve`, and the jobs it runs.

Jobs are thin: they claim due rows, call a service and commit per item. All retry state lives on
the rows, so a restart or a second instance picks up exactly where work stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from bot.services import Services

logger = logging.getLogger(__name__)

PROCESSED_EVENT_RETENTION = timedelta(days=7)


def purge_stale_records(services: Services) -> None:
    """Forget Slack event ids older than Slack's retry window and expired Xero sign-in states."""
    now = services.clock.now()
    with services.uow() as uow:
        forgotten = uow.events.forget_before(now - PROCESSED_EVENT_RETENTION)
        expired = uow.connections.purge_expired_states(now)
        uow.commit()
    if forgotten or expired:
        logger.info("purged %d old event ids and %d expired sign-in states", forgotten, expired)


def _guarded(name: str, services: Services, job: Callable[[Services], None]) -> Callable[[], None]:
    """One job's failure is logged and counted; it never stops the scheduler or other jobs."""

    def run() -> None:
        try:
            job(services)
        except Exception:
            services.metrics.job_runs.labels(job=name, outcome="error").inc()
            logger.exception("background job %s failed; it will run again on schedule", name)
        else:
            services.metrics.job_runs.labels(job=name, outcome="ok").inc()

    return run


def create_scheduler(services: Services) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        timezone="UTC",
    )
    scheduler.add_job(
        _guarded("purge_stale_records", services, purge_stale_records),
        "interval",
        hours=1,
        id="purge_stale_records",
    )
    return scheduler
