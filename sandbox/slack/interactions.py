"""Interaction payloads (block_actions, view_submission, block_suggestion, view_closed) as Slack builds them."""

from __future__ import annotations

from typing import Any

from sandbox.slack.blocks import find_element
from sandbox.slack.fake import FakeSlack
from sandbox.slack.model import Json
from sandbox.slack.state_values import STATELESS, is_empty, merged_state, option_for, state_entry
from sandbox.slack.surfaces import Surface

UNSET: Any = object()


def user_ref(fake: FakeSlack, user_id: str) -> Json:
    name = fake.user(user_id)["name"]
    return {"id": user_id, "username": name, "name": name, "team_id": fake.team_id}


def common_fields(fake: FakeSlack, user_id: str, kind: str, verification_token: str) -> Json:
    return {
        "type": kind,
        "user": user_ref(fake, user_id),
        "api_app_id": fake.app_id,
        "token": verification_token,
        "team": {"id": fake.team_id, "domain": fake.team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
    }


def block_actions(
    fake: FakeSlack,
    surface: Surface,
    *,
    user_id: str,
    action_id: str,
    chosen: Any,
    block_id: str | None,
    verification_token: str,
) -> Json:
    """A click or choice on `surface`; a stateful choice is remembered for later payloads, as the client does."""
    block_id, element = find_element(surface.blocks, action_id, block_id)
    values = merged_state(surface.blocks, fake.remembered_choices(surface, user_id))
    action: Json = {"type": element.get("type"), "action_id": action_id, "block_id": block_id}
    if element.get("type") == "button":
        action["text"] = element.get("text")
        value = element.get("value") if chosen is UNSET else chosen
        if value is not None:
            action["value"] = value
        if element.get("style"):
            action["style"] = element["style"]
    elif element.get("type") == "overflow":
        action["selected_option"] = option_for(element, chosen)
    elif element.get("type") not in STATELESS:
        entry = state_entry(element, None if chosen is UNSET else chosen)
        values.setdefault(block_id, {})[action_id] = entry
        fake.remember_choices(surface, user_id, values)
        action.update({key: value for key, value in entry.items() if key != "type"})
        if "placeholder" in element:
            action["placeholder"] = element["placeholder"]
    action["action_ts"] = fake.next_ts()
    payload = common_fields(fake, user_id, "block_actions", verification_token)
    payload.update(_surface_fields(fake, surface, user_id, values))
    payload.update({"trigger_id": fake.issue_trigger(user_id), "state": {"values": values}, "actions": [action]})
    return payload


def view_submission(
    fake: FakeSlack, view_id: str, *, user_id: str, values: dict[str, dict[str, Any]], verification_token: str
) -> Json:
    surface = fake.view_surface(view_id)
    state = merged_state(surface.blocks, fake.remembered_choices(surface, user_id))
    for block_id, actions in values.items():
        for action_id, value in actions.items():
            _, element = find_element(surface.blocks, action_id, block_id)
            state.setdefault(block_id, {})[action_id] = state_entry(element, value)
    _check_required_inputs(surface, state)
    fake.remember_choices(surface, user_id, state)
    payload = common_fields(fake, user_id, "view_submission", verification_token)
    payload.update({"trigger_id": fake.issue_trigger(user_id), "view": fake.view(view_id), "response_urls": []})
    return payload


def view_closed(fake: FakeSlack, view_id: str, *, user_id: str, verification_token: str) -> Json:
    payload = common_fields(fake, user_id, "view_closed", verification_token)
    payload.update({"view": fake.view(view_id), "is_cleared": False})
    return payload


def block_suggestion(
    fake: FakeSlack,
    surface: Surface,
    *,
    user_id: str,
    action_id: str,
    value: str,
    block_id: str | None,
    verification_token: str,
) -> Json:
    block_id, _ = find_element(surface.blocks, action_id, block_id)
    values = merged_state(surface.blocks, fake.remembered_choices(surface, user_id))
    payload = common_fields(fake, user_id, "block_suggestion", verification_token)
    payload.update(_surface_fields(fake, surface, user_id, values, with_response_url=False))
    payload.update({"action_id": action_id, "block_id": block_id, "value": value})
    return payload


def _surface_fields(
    fake: FakeSlack, surface: Surface, user_id: str, values: Json, *, with_response_url: bool = True
) -> Json:
    if surface.view_id is not None:
        view = fake.view(surface.view_id)
        view["state"] = {"values": values}
        return {"container": {"type": "view", "view_id": surface.view_id}, "view": view}
    assert surface.channel_id is not None and surface.ts is not None
    channel = fake.channel_info(surface.channel_id)
    fields: Json = {
        "container": {
            "type": "message",
            "message_ts": surface.ts,
            "channel_id": surface.channel_id,
            "is_ephemeral": surface.is_ephemeral,
        },
        "channel": {"id": surface.channel_id, "name": channel.get("name", "directmessage")},
    }
    if not surface.is_ephemeral:
        fields["message"] = surface.payload
    if with_response_url:
        fields["response_url"] = fake.issue_response_url(user_id, surface.channel_id, surface.ts, surface.is_ephemeral)
    return fields


def _check_required_inputs(surface: Surface, state: Json) -> None:
    """Slack's client refuses to submit while a required input is empty; so does the sender."""
    for block in surface.blocks:
        if block.get("type") != "input" or block.get("optional"):
            continue
        element = block.get("element", {})
        entry = state.get(str(block.get("block_id")), {}).get(str(element.get("action_id")))
        if entry is None or is_empty(entry):
            raise ValueError(
                f"required input {block.get('block_id')}/{element.get('action_id')} is empty; "
                "Slack would not submit this view"
            )
