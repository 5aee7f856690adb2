"""What every listener is handed besides Bolt's own arguments: who acts, with which access, on which payment.

`context_middleware` puts them in Bolt's `context`, so a listener receives them by parameter name:
`actor` (the user and workspace), `access` (their bot role, looked up on first use) and, for the ids in
`handlers.ids.CARRIES_PAYMENT`, `payment` (the `PaymentRef` the payload names). A listener that asks for one
the request does not carry is refused before it runs (`missing_context`, used by `handlers.refusals.answered`).
Role and ownership checks stay in the services; `access` only decides what to show.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from bot.connection.roles import Access, Actor, Roles
from bot.errors import DomainError
from handlers.ids import OUT_OF_DATE, PaymentRef, carries_payment

UNKNOWN_ACTOR = "I could not tell which workspace or user this came from; please try again."
STALE_FORM = "This form is out of date; open it again from the payment."
STALE_ROW = "That row is out of date; reopen the Home tab."


class ActorAccess:
    """The acting user's bot access (workspace admins are admins): asked of Slack and the database on first use."""

    def __init__(self, roles: Roles, actor: Actor) -> None:
        self._roles = roles
        self._actor = actor

    @cached_property
    def level(self) -> Access:
        return self._roles.access_of(self._actor)

    @property
    def is_finance(self) -> bool:
        return self.level >= Access.FINANCE

    @property
    def is_admin(self) -> bool:
        return self.level >= Access.ADMIN


def actor_from(context: Any) -> Actor:
    """The acting user and workspace, from what Bolt verified, never from the payload's content."""
    workspace_id = context.get("workspace_id")
    team_id = context.team_id or context.enterprise_id
    if workspace_id is None or not team_id or not context.user_id:
        raise DomainError(UNKNOWN_ACTOR)
    return Actor(workspace_id=int(workspace_id), team_id=str(team_id), user_id=str(context.user_id))


def payment_of(body: dict[str, Any]) -> PaymentRef | None:
    """The payment a click or a submission names, read from where its builder put it (None for anything else,
    however malformed)."""
    if body.get("type") == "view_submission":
        view = _dict(body.get("view"))
        if not carries_payment(str(view.get("callback_id") or "")):
            return None
        metadata = view.get("private_metadata")
        return PaymentRef.from_metadata(metadata) if isinstance(metadata, str) else None
    actions = body.get("actions") if body.get("type") == "block_actions" else None
    action = _dict(actions[0]) if isinstance(actions, list) and actions else {}
    if not carries_payment(str(action.get("action_id") or "")):
        return None
    if action.get("type") == "button":
        return PaymentRef.from_value(str(action.get("value") or ""))
    if action.get("type") == "overflow":
        return PaymentRef.from_row_option(str(_dict(action.get("selected_option")).get("value") or ""))[1]
    return PaymentRef.from_block_id(str(action.get("block_id") or ""))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def context_middleware(roles: Roles) -> Callable[..., Any]:
    """Runs after the workspace middleware, which put the acting workspace's id in the context."""

    def acting(context: Any, body: dict[str, Any], next: Callable[[], Any]) -> Any:
        try:
            actor = actor_from(context)
        except DomainError:
            pass  # an event with no user (an uninstall, say); a listener that needs one is refused
        else:
            context["actor"] = actor
            context["access"] = ActorAccess(roles, actor)
        payment = payment_of(body)
        if payment is not None:
            context["payment"] = payment
        return next()

    return acting


def missing_context(wanted: list[str], arguments: dict[str, Any]) -> DomainError | None:
    """Why a listener cannot run: it asks for an actor or a payment this request does not carry."""
    if any(arguments.get(name) is None for name in ("actor", "access") if name in wanted):
        return DomainError(UNKNOWN_ACTOR)
    if "payment" in wanted and arguments.get("payment") is None:
        return DomainError(stale_reference(arguments.get("body") or {}))
    return None


def stale_reference(body: dict[str, Any]) -> str:
    if body.get("type") == "view_submission":
        return STALE_FORM
    if _dict(body.get("view")).get("type") == "home":
        return STALE_ROW
    return OUT_OF_DATE
