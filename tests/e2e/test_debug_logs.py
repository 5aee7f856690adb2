"""At LOG_LEVEL=DEBUG, where Bolt and slack-sdk log whole requests and answers, no secret reaches any log."""

from __future__ import annotations

import io
import logging
import re
import urllib.parse
from collections.abc import Iterator

import pytest

from bot.cli import _secret_values
from bot.logs import configure_logging
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import XeroTokenSet
from tests.e2e.conftest import ADMIN, FINANCE_CHANNEL, RunningBot, eventually
from tests.e2e.xero_flow import connect_url, fetch


class Everything(logging.Handler):
    """A handler added after set-up, with no filter of its own (a log shipper, say)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def debug_logs(bot: RunningBot) -> Iterator[tuple[io.StringIO, Everything]]:
    """The bot's own logging set-up at DEBUG, as `serve` makes it, plus a plain extra handler."""
    root = logging.getLogger()
    saved = (logging.getLogRecordFactory(), list(root.handlers), root.level)
    stream = io.StringIO()
    configure_logging("DEBUG", _secret_values(bot.settings), stream)
    extra = Everything()
    root.addHandler(extra)
    try:
        yield stream, extra
    finally:
        factory, handlers, level = saved
        logging.setLogRecordFactory(factory)
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)


def tokens(bot: RunningBot) -> list[str]:
    with bot.uow() as work:
        token = work.session.query(XeroTokenSet).one().token or {}
    return [str(token[key]) for key in ("access_token", "refresh_token", "id_token") if token.get(key)]


def test_a_full_connect_at_debug_logs_no_state_code_token_or_secret(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator, debug_logs: tuple[io.StringIO, Everything]
) -> None:
    stream, extra = debug_logs
    url = connect_url(bot)
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["state"][0]
    status, _, location = fetch(url)
    assert status == 302 and location
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0]
    status, page, _ = fetch(location)
    assert status == 200, page
    secrets = [state, code, *tokens(bot)]

    xero.clock.advance(31 * 60)  # the access token expires: status refreshes it
    bot.clock.advance(minutes=31)
    bot.sender.slash_command("status", ADMIN, FINANCE_CHANNEL)
    eventually(lambda: any("Xero:" in r.get("text", "") for r in slack.responses()))
    secrets += tokens(bot)
    bot.sender.slash_command("disconnect", ADMIN, FINANCE_CHANNEL)

    settings = bot.settings
    secrets += [slack.bot_token, xero.client_secret, *_secret_values(settings)]
    written = stream.getvalue()
    seen = "\n".join(extra.lines)
    assert "Responding with status: 200" in written, "Bolt's DEBUG lines, which carry whole answers, were logged"
    assert re.search(r"state=\[redacted\]", written), "the connect button's URL was logged, without its state"
    for secret in secrets:
        assert secret not in written, f"a secret ({secret[:4]}…) reached the log"
        assert secret not in seen, f"a secret ({secret[:4]}…) reached a handler without a filter"
