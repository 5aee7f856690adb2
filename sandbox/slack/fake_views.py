"""The part of FakeSlack tests assert on: what people would see in Slack (messages, threads, ephemeral notes, the
App Home, modals, answers to response URLs) and the Web API calls the bot made."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TypeVar

from sandbox.slack.errors import SlackError
from sandbox.slack.issued import ApiCall
from sandbox.slack.model import Json
from sandbox.slack.rendering import rendered_text
from sandbox.slack.workspace import Workspace

T = TypeVar("T")


class WhatUsersSee:
    """Part of FakeSlack (which sets up the workspace)."""

    _ws: Workspace

    def messages(self, channel: str) -> list[Json]:
        """Top-level messages (and thread replies also sent to the channel), oldest first."""
        with self._ws.lock:
            channel_id = self._ws.channel(channel).id
            return [
                m.to_slack()
                for m in self._ws.messages.get(channel_id, {}).values()
                if not m.deleted and (not m.is_reply or m.reply_broadcast)
            ]

    def replies(self, channel: str, thread_ts: str) -> list[Json]:
        """Replies in a thread, oldest first, without the parent."""
        with self._ws.lock:
            channel_id = self._ws.channel(channel).id
            return [
                m.to_slack()
                for m in self._ws.messages.get(channel_id, {}).values()
                if not m.deleted and m.is_reply and m.thread_ts == thread_ts
            ]

    def message(self, channel: str, ts: str) -> Json:
        with self._ws.lock:
            try:
                return self._ws.message(self._ws.channel(channel).id, ts).to_slack()
            except SlackError as error:
                raise KeyError(f"no message {ts} in {channel}") from error

    def edit_history(self, channel: str, ts: str) -> list[Json]:
        """Earlier versions of a message, oldest first (one per chat.update or replace_original)."""
        with self._ws.lock:
            return copy.deepcopy(self._ws.message(self._ws.channel(channel).id, ts).history)

    def reactions(self, channel: str, ts: str) -> dict[str, list[str]]:
        with self._ws.lock:
            message = self._ws.message(self._ws.channel(channel).id, ts)
            return {name: list(users) for name, users in message.reactions.items()}

    def ephemerals(self, user: str | None = None, channel: str | None = None) -> list[Json]:
        with self._ws.lock:
            channel_id = self._ws.channel(channel).id if channel else None
            return [
                e.to_slack()
                for e in self._ws.ephemerals
                if not e.deleted and user in (None, e.user) and channel_id in (None, e.channel)
            ]

    def home_view(self, user: str) -> Json | None:
        with self._ws.lock:
            view_id = self._ws.home_views.get(user)
            return None if view_id is None else self._ws.views[view_id].to_slack()

    def modals(self, user: str | None = None) -> list[Json]:
        """Open modal views, bottom of each user's stack first."""
        with self._ws.lock:
            return [
                self._ws.views[view_id].to_slack()
                for owner, stack in self._ws.modal_stacks.items()
                if user in (None, owner)
                for view_id in stack
            ]

    def view(self, view_id: str) -> Json:
        with self._ws.lock:
            if view_id not in self._ws.views:
                raise KeyError(f"no view {view_id}")
            return self._ws.views[view_id].to_slack()

    def view_errors(self, view_id: str) -> dict[str, str]:
        """What a modal shows after a refused submission: the app's `errors` by input block, or Slack's banner ("")."""
        with self._ws.lock:
            return dict(self._ws.views[view_id].errors)

    def responses(self, response_url: str | None = None) -> list[Json]:
        """Bodies posted to fake-issued response_urls (via respond() or WebhookClient)."""
        with self._ws.lock:
            return [copy.deepcopy(r["body"]) for r in self._ws.responses if response_url in (None, r["response_url"])]

    @property
    def calls(self) -> list[ApiCall]:
        with self._ws.lock:
            return list(self._ws.calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def reset_calls(self) -> None:
        with self._ws.lock:
            self._ws.calls.clear()

    @staticmethod
    def rendered_text(message_or_view: Json) -> str:
        return rendered_text(message_or_view)

    def wait_for(self, condition: Callable[[], T | None], timeout: float = 10.0) -> T:
        """Block until `condition()` is truthy (re-checked after every request the fake handles)."""
        with self._ws.changed:
            result = self._ws.changed.wait_for(condition, timeout)
        if not result:
            raise TimeoutError(f"condition still false after {timeout}s")
        return result
