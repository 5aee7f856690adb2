"""The bot's middleware is called with just what it asks for, the same as Bolt would call it."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware.custom_middleware import CustomMiddleware

from bot.slack.direct import DirectMiddleware

BODY = "payload=%7B%22type%22%3A%22block_actions%22%2C%22team%22%3A%7B%22id%22%3A%22T1%22%7D%7D"


def run(middleware: Any, request: BoltRequest) -> tuple[BoltResponse | None, list[str]]:
    called: list[str] = []
    answer = middleware.process(req=request, resp=BoltResponse(status=200), next=lambda: called.append("next"))
    return answer, called


def test_a_middleware_gets_the_request_body_context_and_next_as_bolt_gives_them() -> None:
    seen: list[tuple[Any, ...]] = []

    def middleware(request: BoltRequest, body: dict[str, Any], context: Any, next: Any) -> BoltResponse:
        seen.append((request, body, context))
        context["workspace_id"] = 7
        next()
        return BoltResponse(status=201)

    for wrapped in (DirectMiddleware.of(middleware), CustomMiddleware(app_name="bot", func=middleware)):
        request = BoltRequest(body=BODY)
        answer, called = run(wrapped, request)
        assert answer is not None and answer.status == 201 and called == ["next"]
        assert seen.pop() == (request, {"type": "block_actions", "team": {"id": "T1"}}, request.context)
        assert request.context["workspace_id"] == 7 and request.context.team_id == "T1"


def test_a_middleware_asking_for_anything_else_is_left_to_bolt() -> None:
    def wants_a_client(client: Any, next: Any) -> None:
        next()

    def wants_everything(*args: Any, **kwargs: Any) -> None:
        kwargs["next"]()

    def only_next(next: Any) -> None:
        next()

    assert DirectMiddleware.of(wants_a_client) is None
    assert DirectMiddleware.of(wants_everything) is None
    direct = DirectMiddleware.of(only_next)
    assert direct is not None and run(direct, BoltRequest(body=BODY)) == (None, ["next"])
