"""The one place that decides how a refused or failed Slack request is told to the person, per surface.

Why every listener runs inside `answered`: when a listener raises after `ack()`, Bolt's thread runner
(slack_bolt/listener/thread_runner.py, `run_ack_function_asynchronously`) treats the request as "already
acknowledged", sets `ack.response = None` and hands the error handler no response. The request thread, which
polls `ack.response` every 10 ms, then often never sees the ack, waits out `ack_timeout` (3 s) and answers 404:
Slack shows the person an error banner, a waitress thread is held for 3 s, and the refusal may never arrive.
So no exception ever reaches that runner: `answered` catches it in the listener's own thread and hands it here,
where the request is acknowledged (with the refusal itself when Slack allows: a command's reply, a submission's
`response_action`, an options list) and the refusal is then shown where the person is.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse
from slack_sdk.errors import SlackApiError

from bot.errors import DomainError
from bot.home.view import HomeFilter
from bot.services import Services
from bot.slack.replays import REPLAY_CHECK, ReplayedRequest
from handlers.blocks import Block, refusal_modal, refusal_text
from handlers.common import actor_from, missing_context
from handlers.home_blocks import home_view
from handlers.kit import clip, option
from handlers.replay_marks import replay_changes_nothing

logger = logging.getLogger(__name__)

APOLOGY = (
    "Sorry, something went wrong on my side (reference {ref}). "
    "Please try again; if it keeps happening, tell your admin the reference."
)
REFUSED_OPTION = "refused"  # the value of the one option an options load answers when it is refused
MODAL_STACK_MAX = 3
ANSWERED = "_answered_by_refusals"  # marks a listener already wrapped by `answered`
# views.push cannot be used (three views open already, or the trigger is spent): the modal is updated instead.
CANNOT_PUSH = frozenset({"push_limit_reached", "expired_trigger_id", "invalid_trigger_id", "trigger_exchanged"})

Answer = Callable[..., bool]  # acknowledges Slack with these fields; False when Slack was already answered


@dataclass(frozen=True)
class Told:
    text: str
    unexpected: bool


class Refusals:
    def __init__(self, services: Services) -> None:
        self._services = services

    # --- the two ways in: a listener's exception, and Bolt's error handler for middleware -------------------

    def from_listener(self, error: Exception, body: dict[str, Any], context: BoltContext) -> None:
        ack: Ack = context.ack

        def answer(**fields: Any) -> bool:
            if ack.response is not None:
                return False
            ack(**fields)
            return True

        self.show(error, body, context, answer)

    def from_middleware(
        self, error: Exception, body: dict[str, Any], context: BoltContext, response: BoltResponse | None
    ) -> BoltResponse | None:
        """A failure before any listener ran (the database down in the workspace middleware, say)."""
        answered: list[BoltResponse] = []

        def answer(**fields: Any) -> bool:
            answered.append(Ack()(**fields))  # type: ignore[no-untyped-call]
            return True

        self.show(error, body, context, answer)
        if answered:
            return answered[0]
        # An event: a non-2xx makes Slack deliver it again later instead of it being lost.
        return response

    # --- deciding per surface ---------------------------------------------------------------------------------

    def show(self, error: Exception, body: dict[str, Any], context: BoltContext, answer: Answer) -> None:
        told = self.told(error)
        kind = body.get("type")
        if "command" in body:  # a slash command's form body has no "type"
            if not answer(text=refusal_text(told.text), response_type="ephemeral"):
                self._ephemeral(body, context, told)
        elif kind == "view_submission":
            if not answer(**submission_answer(told, body.get("view") or {})):
                self._open_modal(body, context, told)
        elif kind == "block_suggestion":
            answer(options=[refusal_option(told.text)])
        elif kind == "block_actions":
            answer()
            self._on_surface(body, context, told)
        elif kind != "event_callback":
            answer()

    def told(self, error: Exception) -> Told:
        """What the person reads: a domain error as it is; anything else an apology with a logged reference."""
        if isinstance(error, DomainError):
            self._services.metrics.slack_errors.labels(kind="domain").inc()
            return Told(error.message, unexpected=False)
        ref = uuid.uuid4().hex[:8]
        self._services.metrics.slack_errors.labels(kind="unexpected").inc()
        logger.error("unexpected error handling a Slack request (reference %s)", ref, exc_info=error)
        return Told(APOLOGY.format(ref=ref), unexpected=True)

    def _on_surface(self, body: dict[str, Any], context: BoltContext, told: Told) -> None:
        container = body.get("container") or {}
        view = body.get("view") or {}
        if container.get("type") == "view" and view.get("type") == "home":
            self._home(body, context, told)
        elif container.get("type") == "view":
            self._modal(body, context, told)
        else:
            self._ephemeral(body, context, told)

    # --- the surfaces -----------------------------------------------------------------------------------------

    def _ephemeral(self, body: dict[str, Any], context: BoltContext, told: Told) -> None:
        """Only the person sees it, in the conversation they acted in: through response_url, else postEphemeral."""
        text = refusal_text(told.text)
        if context.respond is not None:
            try:
                sent = context.respond(text=text, response_type="ephemeral", replace_original=False)
                if sent.status_code == 200:
                    return
            except (OSError, ValueError):
                pass  # the response_url is spent or unreachable: post the ephemeral message directly instead
        channel = (body.get("channel") or {}).get("id") or body.get("channel_id") or context.channel_id
        if not channel or not context.user_id:
            logger.warning("could not tell a user why their request was refused: no conversation to tell them in")
            return
        try:
            context.client.chat_postEphemeral(channel=channel, user=context.user_id, text=text)
        except SlackApiError as failed:
            logger.warning("could not tell a user why their request was refused: %s", failed.response.get("error"))

    def _modal(self, body: dict[str, Any], context: BoltContext, told: Told) -> None:
        """Inside a modal: a small view pushed on top (closing it returns to the modal), else the modal updated."""
        view = body.get("view") or {}
        try:
            context.client.views_push(trigger_id=body.get("trigger_id"), view=refusal_modal(told.text))
            return
        except SlackApiError as failed:
            if failed.response.get("error") not in CANNOT_PUSH:
                logger.warning("could not show a refusal in a modal: %s", failed.response.get("error"))
                return
        try:
            context.client.views_update(
                view_id=view.get("id"), hash=view.get("hash"), view=with_notice(view, told.text)
            )
        except SlackApiError as failed:
            logger.warning("could not show a refusal in a modal: %s", failed.response.get("error"))

    def _home(self, body: dict[str, Any], context: BoltContext, told: Told) -> None:
        """On the App Home: the Home re-published with the notice on top; if that cannot be built, a modal."""
        home_filter = HomeFilter.from_json((body.get("view") or {}).get("private_metadata"))
        try:
            actor = actor_from(context)
            shown = self._services.home.view(actor, home_filter)
            context.client.views_publish(user_id=actor.user_id, view=home_view(shown, notice=told.text))
            return
        except Exception:  # the Home could not be rebuilt (the database is down, say): tell them another way
            logger.warning("could not re-publish the App Home with a refusal", exc_info=True)
        self._open_modal(body, context, told)

    def _open_modal(self, body: dict[str, Any], context: BoltContext, told: Told) -> None:
        try:
            context.client.views_open(trigger_id=body.get("trigger_id"), view=refusal_modal(told.text))
        except SlackApiError as failed:
            logger.warning("could not open a modal with a refusal: %s", failed.response.get("error"))


def submission_answer(told: Told, view: dict[str, Any]) -> dict[str, Any]:
    """A refused submission keeps its modal open: the message under the first input, or a view pushed on top."""
    first_input = next((b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"), None)
    if not told.unexpected and first_input:
        return {"response_action": "errors", "errors": {str(first_input): clip(told.text, 2000)}}
    action = "push" if _stack_depth(view) < MODAL_STACK_MAX else "update"
    return {"response_action": action, "view": refusal_modal(told.text)}


def _stack_depth(view: dict[str, Any]) -> int:
    if not view.get("previous_view_id"):
        return 1
    return 2 if view.get("previous_view_id") == view.get("root_view_id") else 3


def refusal_option(text: str) -> Block:
    """An options load can only answer options: the refusal is the one option offered."""
    return option(text, REFUSED_OPTION)


VIEW_FIELDS = ("type", "callback_id", "title", "submit", "close", "private_metadata", "clear_on_close")


def with_notice(view: dict[str, Any], text: str) -> dict[str, Any]:
    """The modal as the person sees it, with the refusal on top (replacing an earlier one)."""
    notice = refusal_modal(text)["blocks"][0]
    blocks = [b for b in view.get("blocks") or [] if b.get("block_id") != notice["block_id"]]
    updated = {key: view[key] for key in VIEW_FIELDS if view.get(key) is not None}
    updated["blocks"] = [notice, *blocks][:100]
    return updated


def answered(listener: Callable[..., Any], refusals: Refusals) -> Callable[..., Any]:
    """`listener` as Bolt runs it, but an exception it raises is handed to `refusals` instead of Bolt's runner.

    Bolt passes a listener the arguments its parameters name; the wrapper asks for those plus `body` and
    `context`, and passes the listener only its own. One that asks for an `actor` or a `payment` the request does
    not carry is refused without running.
    """
    if getattr(listener, ANSWERED, False):
        return listener  # stacked `@app.action` decorators hand Bolt the already wrapped listener
    own = inspect.getfullargspec(inspect.unwrap(listener)).args
    if inspect.ismethod(listener):
        own = own[1:]  # Bolt skips `self` the same way
    wanted = own + [name for name in ("ack", "body", "context") if name not in own]

    def run(**arguments: Any) -> Any:
        given = {name: arguments[name] for name in own}
        check = arguments["context"].get(REPLAY_CHECK)
        if replay_changes_nothing(listener, arguments["body"]):
            check = None  # no record to write
        unanswered = arguments["ack"].response is None  # clicks and events were acknowledged before this ran
        acks_first = arguments["body"].get("type") == "block_actions"
        try:
            if check is not None and unanswered and acks_first and "ack" in given:
                given["ack"] = _then(arguments["ack"], check)  # it acks first: record right after the ack
            elif check is not None:
                check()  # before the listener changes anything
            missing = missing_context(own, arguments)
            if missing is not None:
                raise missing
            return listener(**given)
        except ReplayedRequest:
            logger.warning("dropped a replayed Slack request (another instance had handled it)")
            if arguments["ack"].response is None:
                arguments["ack"]()
            return None
        except Exception as error:
            try:
                refusals.from_listener(error, arguments["body"], arguments["context"])
            except Exception:
                logger.exception("could not tell a user about an error")
            return None

    setattr(run, ANSWERED, True)
    run.__name__ = getattr(listener, "__name__", "listener")
    run.__qualname__ = getattr(listener, "__qualname__", run.__name__)
    run.__doc__ = listener.__doc__
    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in wanted]
    )
    return run


def _then(ack: Ack, check: Callable[[], None]) -> Callable[..., Any]:
    """`ack` that, once Slack has its answer, runs the check middleware left (in this listener's thread)."""

    def acknowledge(*args: Any, **kwargs: Any) -> Any:
        answer = ack(*args, **kwargs)
        check()
        return answer

    return acknowledge
