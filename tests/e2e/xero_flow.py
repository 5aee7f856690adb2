"""Driving the Xero sign-in as a person would: click the button's URL, let Xero redirect back to the bot."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from sandbox.slack import FakeSlack
from tests.e2e.conftest import ADMIN, FINANCE_CHANNEL, RunningBot


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Page:
    status: int
    body: str


def fetch(url: str) -> tuple[int, str, str | None]:
    """(status, body, Location) without following redirects."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.read().decode(), response.headers.get("Location")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers.get("Location")


def connect_url(bot: RunningBot, user: str = ADMIN) -> str:
    answer = bot.sender.slash_command("connect", user, FINANCE_CHANNEL).json()
    button = next(
        element
        for block in answer["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["text"]["text"] == "Connect to Xero"
    )
    return str(button["url"])


def follow_sign_in(url: str) -> Page:
    """Xero's authorize page redirects (consent granted) to the bot's callback; return what the browser shows."""
    status, _, location = fetch(url)
    assert status == 302 and location, f"authorize answered {status}"
    status, body, _ = fetch(location)
    return Page(status, body)


def callback_url(bot: RunningBot, **query: str) -> str:
    return f"{bot.url}/xero/callback?{urllib.parse.urlencode(query)}"


def connect(bot: RunningBot, slack: FakeSlack, user: str = ADMIN) -> Page:
    page = follow_sign_in(connect_url(bot, user))
    assert page.status == 200, page.body
    return page


def latest_dm_text(slack: FakeSlack, user: str) -> str:
    return "\n".join(FakeSlack.rendered_text(m) for m in slack.messages(slack.dm_channel(user)))
