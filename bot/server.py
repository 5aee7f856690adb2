"""`serve`: migrations, then waitress (a production WSGI server), the scheduler, and Socket Mode if asked."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from slack_bolt.adapter.socket_mode import SocketModeHandler
from waitress.server import create_server

from bot.app import create_app
from bot.bootstrap import build_deps
from bot.scheduler import create_scheduler
from bot.services import Services
from bot.settings import Settings
from bot.web import create_web_app
from storage.migrate import upgrade

logger = logging.getLogger(__name__)


def serve(settings: Settings, *, port: int | None = None, host: str = "0.0.0.0") -> None:
    settings.require_serving()
    deps = build_deps(settings)
    upgrade(deps.engine)
    slack_app = create_app(settings, deps)
    socket_mode = settings.slack_app_token is not None
    web = create_web_app(deps, None if socket_mode else slack_app)
    server = create_server(web, host=host, port=port or settings.port, threads=8, ident="xero-expense-bot")
    services = Services(settings=settings, uow=deps.uow, clock=deps.clock, metrics=deps.metrics)
    scheduler = create_scheduler(services)
    socket_handler: SocketModeHandler | None = None
    stopping = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        if not stopping.is_set():
            logger.info("received %s; shutting down", signal.Signals(signum).name)
            stopping.set()
            server.close()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()
    if socket_mode and settings.slack_app_token is not None:
        socket_handler = SocketModeHandler(slack_app, app_token=settings.slack_app_token.get_secret_value())
        socket_handler.connect()  # type: ignore[no-untyped-call]
        logger.info("connected to Slack over Socket Mode")
    logger.info("listening on http://%s:%s", host, getattr(server, "effective_port", port))
    try:
        server.run()
    except (OSError, ValueError):
        if not stopping.is_set():
            raise
    finally:
        logger.info("finishing in-flight requests and jobs")
        server.task_dispatcher.shutdown()
        if socket_handler is not None:
            socket_handler.close()  # type: ignore[no-untyped-call]
        scheduler.shutdown(wait=True)
        deps.engine.dispose()
        logger.info("stopped")
