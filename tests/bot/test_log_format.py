"""`LOG_FORMAT=json` writes one redacted JSON object a line; library chatter stays below INFO."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (logging.getLogRecordFactory(), list(root.handlers), root.level)
    quiet = {name: logging.getLogger(name).level for name in ("apscheduler", "alembic")}
    yield
    factory, handlers, level = saved
    logging.setLogRecordFactory(factory)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, value in quiet.items():
        logging.getLogger(name).setLevel(value)


def test_json_lines_carry_level_logger_and_message_with_secrets_redacted(restored_logging: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", ["signing-secret-123456"], stream, fmt="json")
    logger = logging.getLogger("bot.test")
    logger.info("connected to %s with signing-secret-123456", 'Acme "Ltd"\nBranch')
    try:
        raise RuntimeError("refresh failed: refresh_token=RT-9999 xoxb-1-2-secret")
    except RuntimeError:
        logger.exception("sync of payment %d failed", 7)
    logger.debug("not shown at INFO")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert (first["level"], first["logger"]) == ("INFO", "bot.test")
    assert first["message"] == 'connected to Acme "Ltd"\nBranch with [redacted]'
    assert first["time"].endswith("+00:00")
    assert (second["level"], second["message"]) == ("ERROR", "sync of payment 7 failed")
    assert "RuntimeError" in second["exception"]
    for secret in ("signing-secret-123456", "RT-9999", "xoxb-1-2-secret"):
        assert secret not in stream.getvalue()


def test_scheduler_and_alembic_say_only_what_went_wrong_unless_debugging(restored_logging: None) -> None:
    configure_logging("INFO", stream=io.StringIO())
    for name in ("apscheduler.executors.default", "apscheduler.scheduler", "alembic.runtime.migration"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO)
        assert logging.getLogger(name).isEnabledFor(logging.WARNING)
    assert logging.getLogger("bot.server").isEnabledFor(logging.INFO)
    configure_logging("DEBUG", stream=io.StringIO())
    assert logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.DEBUG)
