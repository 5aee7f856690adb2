"""HTTP 429 answers: scripted ones for tests, and Slack's one-message-per-second-per-channel rule."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from sandbox.slack.api_request import ApiRequest
from sandbox.slack.errors import SlackError

WINDOW_SECONDS = 1.0


@dataclass
class RateLimits:
    post_message_per_channel_per_second: int | None = None
    scripted: dict[str, deque[int]] = field(default_factory=dict)
    recent_posts: dict[str, deque[float]] = field(default_factory=dict)

    def script(self, method: str, count: int, retry_after: int) -> None:
        self.scripted.setdefault(method, deque()).extend([retry_after] * count)

    def check(self, request: ApiRequest) -> None:
        pending = self.scripted.get(request.method)
        if pending:
            raise _ratelimited(pending.popleft())
        if request.method == "chat.postMessage" and self.post_message_per_channel_per_second is not None:
            self._check_channel(str(request.args.get("channel", "")))

    def _check_channel(self, channel: str) -> None:
        now = time.monotonic()
        recent = self.recent_posts.setdefault(channel, deque())
        while recent and now - recent[0] >= WINDOW_SECONDS:
            recent.popleft()
        limit = self.post_message_per_channel_per_second
        if limit is not None and len(recent) >= limit:
            raise _ratelimited(1)
        recent.append(now)


def _ratelimited(retry_after: int) -> SlackError:
    return SlackError("ratelimited", status=429, headers={"Retry-After": str(retry_after)})
