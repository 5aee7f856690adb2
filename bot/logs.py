"""Logging set-up with a filter that keeps tokens and secrets out of every log line."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

# Slack tokens, authorization headers, and OAuth fields (tokens, codes, the single-use `state`) wherever they
# appear: in URLs and form bodies (`state=…`), in JSON or logged dicts (`"state": "…"`, `'code': '…'`).
_SECRET_PATTERNS = [
    re.compile(r"\bxox[abpre]-[A-Za-z0-9-]+"),
    re.compile(r"\bxapp-[A-Za-z0-9-]+"),
    re.compile(r"(?i)((?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(
        r"(?i)(\b(?:access_token|refresh_token|id_token|client_secret|token|code|state)[\"']?\s*[:=]\s*[\"']?)"
        r"[^\"'&\s,}<>]+"
    ),
    re.compile(r"(?i)((?:%3F|%26|\b)(?:state|code|token)%3D)[^%&\s\"']+"),  # inside a URL-encoded URL
]
REDACTED = "[redacted]"


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for pattern in _SECRET_PATTERNS:
            text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + REDACTED, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the message: logging reports that itself when it emits
            return True
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = self.redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def redact_every_record(redactor: RedactingFilter) -> None:
    """Redact each log record as it is made, so that no handler (ours, a log shipper's, a test's capture) and no
    level, DEBUG included, ever sees a secret: Bolt and slack-sdk log request and response bodies at DEBUG."""
    current = logging.getLogRecordFactory()
    plain = getattr(current, "unredacted", current)

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = plain(*args, **kwargs)
        redactor.filter(record)
        return record

    make.unredacted = plain  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make)


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log shippers: time, level, logger, message (and the traceback, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


# Libraries whose INFO lines are about their own machinery, not the bot's work: APScheduler logs every job run
# (one line every few seconds), Alembic its context set-up. Our jobs log what they did themselves.
QUIET_LOGGERS = ("apscheduler", "alembic")


def configure_logging(
    level: str, secrets: Iterable[str] = (), stream: TextIO | None = None, fmt: str = "text"
) -> RedactingFilter:
    """Log to stderr (or `stream`) as text or JSON lines; every record is redacted where it is made, and the
    handler redacts too. Below DEBUG, the libraries in QUIET_LOGGERS only say what went wrong."""
    redactor = RedactingFilter(secrets)
    redact_every_record(redactor)
    handler = logging.StreamHandler(stream)
    if fmt.lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redactor)
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    quiet = logging.NOTSET if root.level <= logging.DEBUG else logging.WARNING
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    return redactor
