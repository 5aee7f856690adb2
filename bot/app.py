"""`create_app`: the Bolt app with its middleware, error handler and every Slack surface registered."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.services import Services
from bot.settings import Settings
from bot.slack.answers_first import answers
from bot.slack.clients import BOT_SCOPES, slack_authorize_url, slack_client
from bot.slack.direct import BodyMatcher, DirectMiddleware
from bot.slack.listener_pool import Answer, ListenerPool, for_request, forget_request
from bot.slack.replays import REPLAY_CHECK, ReplayGuard, without_waiting_for_disk
from handlers import (
    actions,
    commands,
    duplicate_actions,
    events,
    exports,
    home,
    options,
    payment_actions,
    receipt_check_actions,
    rules,
    split_actions,
    views,
)
from handlers.common import context_middleware
from handlers.refusals import Refusals, answered
from storage.models import SLACK_OAUTH_STATES_TABLE

logger = logging.getLogger(__name__)

# Every Slack surface, each with its `register(app, services)` (tests/handlers/test_listeners.py checks that every
# id the bot hands Slack reaches exactly one of their listeners).
SURFACES = (
    commands,
    actions,
    payment_actions,
    duplicate_actions,
    receipt_check_actions,
    views,
    options,
    events,
    exports,
    home,
    rules,
    split_actions,
)

# Requests whose ack carries nothing Slack shows: acknowledged by `_ack_first_middleware` on the request thread
# before any listener runs, so Slack's answer never waits for a listener thread. Slash commands, view
# submissions and options loads answer with content (a reply, `response_action`, options), computed by their
# listener without a Slack or Xero call or a database write before it (tests/e2e/test_ack_first.py).
ACK_FIRST = frozenset({"block_actions", "shortcut", "message_action", "event_callback", "view_closed"})


class SlackApp(App):
    """Bolt's App with every listener registered through `handlers.refusals.answered`.

    A listener that raises after `ack()` makes Bolt's thread runner withdraw the ack and answer Slack 404 after
    its 3-second timeout (the mechanism is described in handlers/refusals.py). Wrapping each listener where Bolt
    registers it means no listener, including one added later, can bring that back.
    """

    def __init__(self, *, refusals: Refusals, **bolt_settings: Any) -> None:
        self.refusals = refusals  # before Bolt's own setup, which may register listeners
        super().__init__(**bolt_settings)

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        try:
            with answers.answering():  # Socket Mode's requests too (over HTTP, waitress counts them from its queue)
                return super().dispatch(req)
        finally:
            forget_request()  # the listener pool's lane was for this request only

    def _register_listener(
        self,
        functions: Sequence[Callable[..., BoltResponse | None]],
        primary_matcher: Any,
        matchers: Sequence[Callable[..., bool]] | None,
        middleware: Sequence[Any] | None,
        auto_acknowledgement: bool = False,
        ack_timeout: int = 3,
    ) -> Callable[..., BoltResponse | None] | None:
        wrapped = [answered(function, self.refusals) for function in functions]
        registered = super()._register_listener(
            wrapped, primary_matcher, matchers, middleware, auto_acknowledgement, ack_timeout
        )
        listener = self._listeners[-1]
        listener.matchers = [BodyMatcher.of(matcher) for matcher in listener.matchers]
        return registered

    def middleware(self, *args: Any) -> Callable[..., Any] | None:
        """Bolt's `middleware`, but a function asking only for `request`, `body`, `context` or `next` is called with
        just those (bot/slack/direct.py)."""
        func = args[0] if args else None
        direct = DirectMiddleware.of(func) if callable(func) else None
        if direct is None:
            return super().middleware(*args)
        super().middleware(direct)
        return func


def create_app(settings: Settings, services: Services) -> App:
    bot_token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    client = slack_client(settings, bot_token)
    refusals = Refusals(services)
    app = SlackApp(
        refusals=refusals,
        signing_secret=signing_secret or "socket-mode-does-not-sign",
        client=client,
        oauth_settings=_oauth_settings(settings, services, client),
        token_verification_enabled=False,
        request_verification_enabled=signing_secret is not None,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("bot.bolt"),
        listener_executor=ListenerPool(),  # its lanes and sizes: bot/slack/listener_pool.py
    )
    app.middleware(_replay_middleware(services))
    app.middleware(_workspace_middleware(services))
    app.middleware(context_middleware(services.roles))
    app.middleware(_dedupe_events_middleware(services))
    app.middleware(_ack_first_middleware())  # last: what runs before it reads memory (events: see dedupe)
    app.error(_error_handler(refusals))
    for surface in SURFACES:
        surface.register(app, services)
    events.acknowledge_other_events(app)
    return app


def _oauth_settings(settings: Settings, services: Services, client: WebClient) -> OAuthSettings | None:
    """Multi-workspace "Add to Slack": installs stored encrypted; every Slack call, rotation included,
    goes to SLACK_API_URL."""
    if services.installations is None or not settings.slack_client_id or settings.slack_client_secret is None:
        return None
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=BOT_SCOPES,
        installation_store=services.installations,
        state_store=SQLAlchemyOAuthStateStore(
            expiration_seconds=600, engine=services.engine, table_name=SLACK_OAUTH_STATES_TABLE
        ),
        redirect_uri=f"{settings.base_url}/slack/oauth_redirect",
        authorization_url=slack_authorize_url(settings),
    )
    oauth.authorize.token_rotator.client = client  # type: ignore[attr-defined]
    return oauth


def _replay_middleware(services: Services) -> Any:
    """A replayed signed command or interaction is refused (see bot/slack/replays.py); events are left to
    `event_id` de-duplication, since Slack itself re-delivers them, and options loads change nothing and carry
    no unique id, so a person typing the same search twice in a second is not refused."""
    guard = ReplayGuard(services.uow, services.clock.now)

    def refuse_replays(request: BoltRequest, body: dict[str, Any], context: BoltContext, next: Any) -> Any:
        signature = (request.headers.get("x-slack-signature") or [""])[0]
        if signature and body.get("type") not in ("event_callback", "block_suggestion"):
            if not guard.first_here(signature):
                logger.warning("refused a replayed Slack request (the same signature was already handled)")
                return BoltResponse(status=401, body={"error": "replayed request"})
            context[REPLAY_CHECK] = lambda: guard.record(signature)
        return next()

    return refuse_replays


def _workspace_middleware(services: Services) -> Any:
    """Put the acting workspace's id in the context; every query is scoped to it. Workspace rows are never
    deleted (an uninstall only marks them), so an id once known is kept in memory and the ack waits on nothing."""
    known: dict[str, int] = {}

    def workspace(context: Any, next: Any) -> Any:
        team_id = context.team_id or context.enterprise_id
        if team_id and team_id not in known:
            with services.uow() as uow:
                known[team_id] = uow.workspaces.ensure(team_id, enterprise_id=context.enterprise_id).id
                uow.commit()
        if team_id:
            context["workspace_id"] = known[team_id]
        return next()

    return workspace


def _ack_first_middleware() -> Any:
    """Acknowledge a click, a shortcut or an event here, on the request thread, before any listener runs: the
    middleware before this one reads memory only (the replay check, the workspace id, the actor; a workspace seen
    for the first time is written once per process, an event's id is recorded). Then tell the listener pool which
    workspace's queue the listener's work joins, whether Slack already has its answer, and whether that answer
    is all the listener does (then the listener runs on this thread)."""

    def ack_first(body: dict[str, Any], context: BoltContext, next: Any) -> Any:
        workspace = str(context.team_id or context.enterprise_id or "")
        if body.get("type") in ACK_FIRST:
            context.ack()
            for_request(workspace, answer=None, first=may_open_a_window(body))
        elif answer_is_all(body):
            context["ack"] = answer = Answer(goes_on=False)
            for_request(workspace, answer=answer)
        else:
            context["ack"] = answer = Answer()  # its listener answers: the pool waits for that, not Bolt's poll
            for_request(workspace, answer=answer)
        return next()

    return ack_first


def answer_is_all(body: dict[str, Any]) -> bool:
    """An options load, or a `/xero` subcommand that only answers: nothing follows the answer."""
    return body.get("type") == "block_suggestion" or commands.answer_is_all(body)


def may_open_a_window(body: dict[str, Any]) -> bool:
    """A shortcut, or a click on a button or an overflow menu: what opens a modal, with a trigger that lasts 3 s."""
    if body.get("type") in ("shortcut", "message_action"):
        return True
    actions = body.get("actions") if body.get("type") == "block_actions" else None
    first = actions[0] if isinstance(actions, list) and actions else None
    return isinstance(first, dict) and first.get("type") in ("button", "overflow")


def _dedupe_events_middleware(services: Services) -> Any:
    """Slack re-delivers events it thinks were lost; each event id is handled once. The id is recorded before
    the ack, the one write an event waits for: with the database down the event is answered 500 and Slack
    delivers it again later, instead of it being acknowledged and lost."""

    def dedupe(body: dict[str, Any], context: Any, next: Any) -> Any:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            with services.uow() as uow:
                without_waiting_for_disk(uow)  # a record lost in a crash lets one re-delivery through
                first = uow.events.first_time(str(event_id), context.team_id)
                uow.commit()
            if not first:
                return BoltResponse(status=200, body="")
        return next()

    return dedupe


def _error_handler(refusals: Refusals) -> Any:
    """Bolt's one error handler. Listener errors never get here (see `SlackApp`); middleware errors do."""

    def handle(
        error: Exception, body: dict[str, Any], context: BoltContext, response: BoltResponse | None
    ) -> BoltResponse | None:
        return refusals.from_middleware(error, body, context, response)

    return handle
