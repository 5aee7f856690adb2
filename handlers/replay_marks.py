"""Listeners a replay of whose request changes nothing, so that no replay record (a database write) is needed.

Slack's signature has no nonce: each signed request is recorded once it is handled, so that the same request
sent again to another instance is refused before it changes anything (bot/slack/replays.py). Some listeners need
no record: a command that only answers (`/xero help`) changes nothing however often it runs, and a form saved
only when the payment is still at the version the person saw is refused the second time by that check. This
instance's memory of signatures still refuses any replay sent to it, before the ack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[..., Any]

ONLY_ANSWERS = "_only_answers"  # for the requests it accepts, the listener answers and changes nothing
VERSION_CHECKED = "_refused_unless_as_seen"  # the listener's every change is refused unless at the version seen


def only_answers(when: Callable[[dict[str, Any]], bool]) -> Callable[[Listener], Listener]:
    """Marks a command listener that, for the requests `when` accepts, only answers and changes nothing."""

    def mark(listener: Listener) -> Listener:
        setattr(listener, ONLY_ANSWERS, when)
        return listener

    return mark


def refused_unless_as_seen(listener: Listener) -> Listener:
    """Marks a submission whose every change is refused unless the payment is still at the version the person saw,
    and is saved with a new version."""
    setattr(listener, VERSION_CHECKED, True)
    return listener


def replay_changes_nothing(listener: Listener, body: dict[str, Any]) -> bool:
    if getattr(listener, VERSION_CHECKED, False):
        return True
    when = getattr(listener, ONLY_ANSWERS, None)
    return when is not None and bool(when(body))
