"""`serve`: migrations, then waitress (a production WSGI server), the scheduler, and Socket Mode if asked."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from types import FrameType
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server
from waitress.task import ThreadedTaskDispatcher

from bot.app import create_app
from bot.bootstrap import Deps, build_deps, build_services
from bot.coding.backfill import fill_payee_keys
from bot.heap import BetweenAnswers, settle_heap, unsettle_heap
from bot.large_buffers import large_buffers_from_fresh_pages
from bot.scheduler import JOBS
from bot.settings import ConfigError, Settings
from bot.slack.answers_first import AnswersFirst, answers
from bot.web import create_web_app
from storage.migrate import upgrade

logger = logging.getLogger(__name__)

# Waitress threads only parse, verify and answer: a click's ack is given before any listener runs and a
# command's or submission's answer is computed on the listener pool's answer lane (bot/slack/listener_pool.py),
# so a thread is held for milliseconds. 8 keep 50 requests at once answered without queueing for long on 2 cores;
# more would only compete for the interpreter lock with the threads doing the work.
HTTP_THREADS = 8
# How long a thread keeps the interpreter lock while another waits for it (CPython's default is 5 ms). A request
# thread needs the lock a few times to answer; with the work that follows other answers running, each wait was up
# to 5 ms. 1 ms roughly halved the acks' p50 fifty at once (README, Performance); 0.25 ms then took the worst
# one-at-a-time ratio during a bulk sync from 0.91-1.62 to 0.63-1.06 over three runs each, taken in turn, with the
# sync and the conversions as fast.
SWITCH_INTERVAL_SECONDS = 0.00025


SLACK_EVENTS_PATH = "/slack/events"


class SlackRequestsCounted(ThreadedTaskDispatcher):
    """waitress's task queue, telling `gate` of each Slack request from when it is queued for a thread (having
    been read in full) until its answer is written or the request is dropped at shutdown, so that work waits
    for the requests that wait for a thread too (bot/slack/answers_first.py)."""

    def __init__(self, gate: AnswersFirst, *, threads: int) -> None:
        super().__init__()
        self._gate = gate
        self.set_thread_count(threads)

    def add_task(self, task: Any) -> None:
        requests = getattr(task, "requests", None) or [None]  # a channel serves its first request per task
        if getattr(requests[0], "path", None) == SLACK_EVENTS_PATH:
            self._gate.received()
            task = _Counted(task, self._gate)
        super().add_task(task)


class _Counted:
    """One queued request of a channel, answered once: when served, or when dropped at shutdown."""

    def __init__(self, channel: Any, gate: AnswersFirst) -> None:
        self._channel = channel
        self._gate = gate

    def service(self) -> None:
        try:
            self._channel.service()
        finally:
            self._gate.answered()

    def cancel(self) -> None:
        try:
            self._channel.cancel()
        finally:
            self._gate.answered()


class BotServer:
    """Everything `serve` runs, built from settings: the HTTP server, the scheduler, Socket Mode."""

    def __init__(self, settings: Settings, deps: Deps, *, host: str = "0.0.0.0", port: int | None = None) -> None:
        self.settings = settings
        self.deps = deps
        self.services = build_services(settings, deps)
        self.slack_app = create_app(settings, self.services)
        self.socket_mode = settings.slack_app_token is not None
        self.web = web = create_web_app(deps, self.services, None if self.socket_mode else self.slack_app)
        self.http: BaseWSGIServer | MultiSocketServer = create_server(
            web,
            host=host,
            port=settings.port if port is None else port,
            ident="xero-expense-bot",
            _dispatcher=SlackRequestsCounted(answers, threads=HTTP_THREADS),
        )
        self.scheduler: BackgroundScheduler = self.services.scheduler
        self._socket_handler: SocketModeHandler | None = None
        self._stopping = threading.Event()
        self._serving_thread: int | None = None

    @property
    def port(self) -> int:
        return int(getattr(self.http, "effective_port", self.settings.port))

    def run(self) -> None:
        """Serve until `stop()`; then finish in-flight requests and jobs."""
        sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
        large_buffers_from_fresh_pages()  # no request waits while a receipt photo's memory is cleared
        if self.settings.slack_app_token is not None:
            try:
                self._socket_handler = open_socket_mode(
                    self.slack_app, self.settings.slack_app_token.get_secret_value(), self.settings.slack_api_base
                )
            except ConfigError:
                self.http.close()
                self.deps.engine.dispose()
                raise
        thresholds = settle_heap()
        collector = BetweenAnswers(answers)
        collector.start()
        self.scheduler.start()
        logger.info("listening on port %s", self.port)
        self._serving_thread = threading.get_ident()
        try:
            self.http.run()
        except (OSError, ValueError):
            if not self._stopping.is_set():
                raise
        finally:
            self._shutdown()
            collector.stop()
            unsettle_heap(thresholds)

    def run_job(self, job_id: str) -> None:
        """Run one background job now, in this thread (operators' and tests' "do it now")."""
        job = next(job for name, job, _ in JOBS if name == job_id)
        job(self.services)

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        trigger = getattr(self.http, "trigger", None)
        if trigger is not None and self._serving_thread not in (None, threading.get_ident()):
            # Closed by the serving loop itself, woken now: from another thread, the loop would only
            # notice the closed socket at its next poll, up to a second later.
            with contextlib.suppress(OSError):  # the wake-up pipe is gone: close from here, as before
                trigger.pull_trigger(self.http.close)
                return
        self.http.close()

    def _shutdown(self) -> None:
        logger.info("finishing in-flight requests and jobs")
        if self._socket_handler is not None:
            close_socket_mode(self._socket_handler)
            logger.info("Socket Mode connection closed")
        self.http.task_dispatcher.shutdown()
        # Listeners run after Slack got its answer (Bolt's executor): let them finish their work too.
        # A bulk sync in progress sends the batch in flight and leaves the rest approved for the next start,
        # rather than holding the shutdown (and the listener work waiting on its writes) for as long as a
        # thousand payments take.
        self.services.sync.stop()
        self.slack_app.listener_runner.listener_executor.shutdown(wait=True)
        self.scheduler.shutdown(wait=True)
        self.services.receipts.shutdown()
        self.services.receipt_checks.shutdown()  # readings under way finish; the rest are read after the restart
        self.services.exports.shutdown()
        self.deps.engine.dispose()
        logger.info("stopped")


def open_socket_mode(app: App, app_token: str, api_url: str) -> SocketModeHandler:
    """Connect over Socket Mode with slack_sdk's built-in client, which reconnects on its own.

    It asks `apps.connections.open` (through the app's client, so at SLACK_API_URL) for a new URL on
    every connection, follows Slack's `disconnect` messages, and drops a connection whose pongs stop.
    """
    handler = SocketModeHandler(app, app_token=app_token)
    try:
        handler.connect()  # type: ignore[no-untyped-call]
    except SlackApiError as error:
        close_socket_mode(handler)
        raise ConfigError(
            f"SLACK_APP_TOKEN was refused by Slack ({error.response.get('error')}): use an app-level token "
            "(xapp-…) with the connections:write scope, from the app's Basic Information page"
        ) from None
    except OSError as error:
        close_socket_mode(handler)
        raise ConfigError(f"could not reach Slack at {api_url} to open a Socket Mode connection: {error}") from None
    if handler.client.is_connected():
        logger.info("connected to Slack over Socket Mode")
    else:
        logger.warning("the Socket Mode connection failed; retrying in the background")
    return handler


def serve(settings: Settings, *, port: int | None = None) -> None:
    settings.require_serving()
    deps = build_deps(settings)
    upgrade(deps.engine)
    fill_payee_keys(deps.uow)  # payments from before migration 0011 (bot/coding/backfill.py)
    server = BotServer(settings, deps, host=settings.host, port=port)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logger.info("received %s; shutting down", signal.Signals(signum).name)
        server.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server.run()


def close_socket_mode(handler: SocketModeHandler) -> None:
    """slack-sdk's Socket Mode client reads its message queue a second at a time until it is closed: marked
    closed first, then woken with an empty message, its loop ends at once rather than after up to a second."""
    client = handler.client
    client.closed = True
    queue = getattr(client, "message_queue", None)
    if queue is not None:
        queue.put(None)
    handler.close()  # type: ignore[no-untyped-call]
