"""`state.values` entries typed per element, as Slack builds them for block_actions and view_submission."""

from __future__ import annotations

import copy
from typing import Any

from sandbox.slack.blocks import all_options, interactive_elements
from sandbox.slack.model import Json

TEXT_INPUTS = frozenset({"plain_text_input", "number_input", "email_text_input", "url_text_input"})
SINGLE_OPTION = frozenset({"static_select", "external_select", "radio_buttons", "overflow"})
MULTI_OPTION = frozenset({"multi_static_select", "multi_external_select", "checkboxes"})
SINGLE_PICK = {
    "users_select": ("selected_user", "initial_user"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "channels_select": ("selected_channel", "initial_channel"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
}
MULTI_PICK = {
    "multi_users_select": ("selected_users", "initial_users"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
}
STATELESS = frozenset({"button", "overflow", "workflow_button"})


def option_for(element: Json, value: Any) -> Json:
    """The option a user picked: a full option dict as given, or looked up by value in the element."""
    if isinstance(value, dict):
        return copy.deepcopy(value)
    for option in all_options(element):
        if option.get("value") == value:
            return copy.deepcopy(option)
    if element.get("type", "").endswith("external_select"):
        return {"text": {"type": "plain_text", "text": str(value), "emoji": True}, "value": str(value)}
    values = [option.get("value") for option in all_options(element)]
    raise LookupError(f"{element.get('action_id')!r} has no option with value {value!r}; options: {values}")


def state_entry(element: Json, value: Any) -> Json:
    """The typed entry for one element holding `value` (None means nothing chosen)."""
    element_type = str(element.get("type"))
    entry: Json = {"type": element_type}
    if element_type in TEXT_INPUTS:
        entry["value"] = None if value is None else str(value)
    elif element_type in SINGLE_OPTION:
        entry["selected_option"] = None if value is None else option_for(element, value)
    elif element_type in MULTI_OPTION:
        entry["selected_options"] = [option_for(element, item) for item in (value or [])]
    elif element_type in SINGLE_PICK:
        entry[SINGLE_PICK[element_type][0]] = value
    elif element_type in MULTI_PICK:
        entry[MULTI_PICK[element_type][0]] = list(value or [])
    else:
        entry["value"] = value
    return entry


def initial_value(element: Json) -> Any:
    element_type = str(element.get("type"))
    if element_type in TEXT_INPUTS:
        return element.get("initial_value")
    if element_type in SINGLE_OPTION:
        return element.get("initial_option")
    if element_type in MULTI_OPTION:
        return element.get("initial_options") or []
    if element_type in SINGLE_PICK:
        return element.get(SINGLE_PICK[element_type][1])
    if element_type in MULTI_PICK:
        return element.get(MULTI_PICK[element_type][1]) or []
    return None


def initial_state(blocks: list[Json]) -> Json:
    """state.values for blocks nobody has touched: every stateful element at its initial value."""
    values: Json = {}
    for block, element in interactive_elements(blocks):
        if element.get("type") in STATELESS:
            continue
        values.setdefault(str(block.get("block_id")), {})[str(element["action_id"])] = state_entry(
            element, initial_value(element)
        )
    return values


def merged_state(blocks: list[Json], remembered: Json) -> Json:
    """Initial state overlaid with what this user already chose, for elements that still exist."""
    values = initial_state(blocks)
    for block_id, actions in remembered.items():
        for action_id, entry in actions.items():
            if action_id in values.get(block_id, {}):
                values[block_id][action_id] = copy.deepcopy(entry)
    return values


def is_empty(entry: Json) -> bool:
    chosen = [value for key, value in entry.items() if key != "type"]
    return all(value in (None, "", []) for value in chosen)
