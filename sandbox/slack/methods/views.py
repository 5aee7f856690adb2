"""views.* methods: modals (a stack of up to three per user) and each user's App Home."""

from __future__ import annotations

import copy
import time
from typing import Any

from sandbox.slack.api_request import ApiRequest
from sandbox.slack.blocks import with_block_ids
from sandbox.slack.errors import SlackError
from sandbox.slack.limits import check_view
from sandbox.slack.model import Json, View
from sandbox.slack.state_values import merged_state
from sandbox.slack.workspace import Workspace

MODAL_STACK_MAX = 3


def open_view(ws: Workspace, request: ApiRequest) -> Json:
    definition = _view_arg(request, "modal")
    trigger = ws.use_trigger(request.required("trigger_id"))
    _check_external_id(ws, definition)
    view = _new_view(ws, definition, trigger.user_id)
    for old_view_id in ws.modal_stacks.get(trigger.user_id, []):
        ws.views[old_view_id].is_open = False
    ws.modal_stacks[trigger.user_id] = [view.id]
    return {"ok": True, "view": view.to_slack()}


def push_view(ws: Workspace, request: ApiRequest) -> Json:
    definition = _view_arg(request, "modal")
    trigger = ws.use_trigger(request.required("trigger_id"))
    return {"ok": True, "view": push_onto_stack(ws, trigger.user_id, definition).to_slack()}


def push_onto_stack(ws: Workspace, user_id: str, definition: Json) -> View:
    stack = ws.modal_stacks.get(user_id, [])
    if not stack:
        raise SlackError("not_found")
    if len(stack) >= MODAL_STACK_MAX:
        raise SlackError("push_limit_reached")
    _check_external_id(ws, definition)
    view = _new_view(ws, definition, user_id, root_view_id=stack[0], previous_view_id=stack[-1])
    stack.append(view.id)
    return view


def update_view(ws: Workspace, request: ApiRequest) -> Json:
    view = _find_view(ws, request.text("view_id"), request.text("external_id"))
    definition = _view_arg(request, view.type)
    _check_hash(view, request.text("hash"))
    _check_external_id(ws, definition, ignore=view.id)
    replace_view(ws, view, definition)
    return {"ok": True, "view": view.to_slack()}


def publish_view(ws: Workspace, request: ApiRequest) -> Json:
    user = ws.user(request.required("user_id", "user_not_found"))
    definition = _view_arg(request, "home")
    existing_id = ws.home_views.get(user.id)
    if existing_id is None:
        view = _new_view(ws, definition, user.id)
        ws.home_views[user.id] = view.id
    else:
        view = ws.views[existing_id]
        _check_hash(view, request.text("hash"))
        replace_view(ws, view, definition)
    return {"ok": True, "view": view.to_slack()}


def replace_view(ws: Workspace, view: View, definition: Json) -> None:
    """New definition and hash; inputs keep what users typed where block_id and action_id survive."""
    view.definition = definition
    view.hash = _new_hash(ws)
    view.errors = {}
    view.state_values = merged_state(view.blocks, view.state_values)


def _view_arg(request: ApiRequest, expected_type: str) -> Json:
    return prepared_definition(request.json_arg("view"), expected_type)


def prepared_definition(view: Any, expected_type: str) -> Json:
    """A validated copy of a view as sent by the app, with the block ids Slack fills in."""
    check_view(view)
    if view["type"] != expected_type:
        raise SlackError("invalid_arguments", messages=[f"[ERROR] must be {expected_type} [json-pointer:/view/type]"])
    definition: Json = copy.deepcopy(view)
    definition["blocks"] = with_block_ids(view.get("blocks", []))
    return definition


def _new_view(
    ws: Workspace,
    definition: Json,
    user_id: str,
    *,
    root_view_id: str | None = None,
    previous_view_id: str | None = None,
) -> View:
    view = View(
        id=ws.ids.next_id("V"),
        team_id=ws.team.id,
        type=definition["type"],
        user_id=user_id,
        app_id=ws.bot.app_id,
        bot_id=ws.bot.bot_id,
        hash=_new_hash(ws),
        definition=definition,
        root_view_id=root_view_id,
        previous_view_id=previous_view_id,
    )
    view.state_values = merged_state(view.blocks, {})
    ws.views[view.id] = view
    return view


def _find_view(ws: Workspace, view_id: str | None, external_id: str | None) -> View:
    if not view_id and not external_id:
        raise SlackError("invalid_arguments", messages=["[ERROR] either view_id or external_id is required"])
    for view in ws.views.values():
        if view.is_open and ((view_id and view.id == view_id) or (external_id and view.external_id == external_id)):
            return view
    raise SlackError("not_found")


def _check_hash(view: View, expected_hash: str | None) -> None:
    if expected_hash and expected_hash != view.hash:
        raise SlackError("hash_conflict")


def _check_external_id(ws: Workspace, definition: Json, ignore: str | None = None) -> None:
    external_id = definition.get("external_id")
    if external_id and any(v.external_id == external_id and v.id != ignore for v in ws.views.values()):
        raise SlackError("duplicate_external_id")


def _new_hash(ws: Workspace) -> str:
    return f"{int(time.time())}.{ws.ids.secret(8)}"
