"""Slack being down: every Web API call fails, as Slack does during an incident, until the test ends it."""

from __future__ import annotations

from dataclasses import dataclass, field

OUTAGE_KINDS = ("503", "500", "connection")


class DropConnection(Exception):
    """The server closes the connection without answering (a reset or a load balancer giving up)."""


@dataclass
class Outage:
    """Which Web API methods fail right now (all of them when `methods` is empty), and how; and calls whose
    answer will be lost after Slack carried them out (a timeout or reset on the way back)."""

    kind: str = ""
    methods: frozenset[str] = field(default_factory=frozenset)
    lost_answers: dict[str, int] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.kind)

    def start(self, kind: str, methods: frozenset[str]) -> None:
        if kind not in OUTAGE_KINDS:
            raise ValueError(f"unknown outage kind {kind!r}; expected one of {OUTAGE_KINDS}")
        self.kind, self.methods = kind, methods

    def end(self) -> None:
        self.kind, self.methods = "", frozenset()

    def hits(self, method: str) -> bool:
        return self.active and (not self.methods or method in self.methods)

    def lose_answers(self, method: str, count: int) -> None:
        self.lost_answers[method] = self.lost_answers.get(method, 0) + count

    def answer_lost(self, method: str) -> bool:
        """Whether this call's answer is lost (counted down per call)."""
        left = self.lost_answers.get(method, 0)
        if left <= 0:
            return False
        self.lost_answers[method] = left - 1
        return True
