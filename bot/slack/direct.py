"""Bolt's function matchers and middleware, called with just what they ask for.

Bolt calls a listener matcher or a function middleware with the arguments its parameters name, and to do so it
first builds every argument a listener could ask for: some forty, several of them objects (`say`, `respond`, a
client, …). With some sixty listeners and five middlewares, that was most of the work an ack waited for. The
bot's matchers ask only for `body` and its middlewares for `request`, `body`, `context` and `next`: those are
handed over directly. Anything else is left to Bolt.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.listener_matcher import ListenerMatcher
from slack_bolt.middleware import Middleware

MIDDLEWARE_ARGUMENTS = frozenset({"request", "body", "context", "next"})


class BodyMatcher(ListenerMatcher):
    """A listener matcher that is a function of the request body alone (as Bolt's own `app.action("id")` and the
    bot's are), called with the body alone; any other matcher is kept as it is."""

    def __init__(self, func: Callable[..., bool]) -> None:
        self.func = func

    @classmethod
    def of(cls, matcher: ListenerMatcher) -> ListenerMatcher:
        func = getattr(matcher, "func", None)
        if callable(func) and getattr(matcher, "arg_names", None) == ["body"] and not inspect.iscoroutinefunction(func):
            return cls(func)
        return matcher

    def matches(self, req: BoltRequest, resp: BoltResponse) -> bool:
        return bool(self.func(body=req.body))


class DirectMiddleware(Middleware):
    """A function middleware whose parameters are among `MIDDLEWARE_ARGUMENTS`, called with those alone."""

    def __init__(self, func: Callable[..., Any], wanted: list[str]) -> None:
        self.func = func
        self.wanted = wanted

    @classmethod
    def of(cls, func: Callable[..., Any]) -> DirectMiddleware | None:
        if isinstance(func, Middleware) or inspect.iscoroutinefunction(func):
            return None
        parameters = inspect.signature(func).parameters.values()
        wanted = [p.name for p in parameters]
        plain = all(p.kind is p.POSITIONAL_OR_KEYWORD for p in parameters)
        return cls(func, wanted) if plain and set(wanted) <= MIDDLEWARE_ARGUMENTS else None

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        given = {"request": req, "body": req.body, "context": req.context, "next": next}
        return self.func(**{name: given[name] for name in self.wanted})  # type: ignore[no-any-return]

    @property
    def name(self) -> str:
        return f"{type(self).__name__}({getattr(self.func, '__qualname__', self.func)})"
