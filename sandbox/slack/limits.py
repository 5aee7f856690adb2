"""The Block Kit limits Slack enforces server-side, reported the way Slack reports them."""

from __future__ import annotations

from typing import Any

from sandbox.slack.blocks import all_options, element_slots
from sandbox.slack.errors import SlackError
from sandbox.slack.model import Json

MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
HEADER_TEXT_MAX = 150
ACTIONS_ELEMENTS_MAX = 25
CONTEXT_ELEMENTS_MAX = 10
ID_MAX = 255
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
SELECT_OPTIONS_MAX = 100
PRIVATE_METADATA_MAX = 3000
VIEW_TITLE_MAX = 24
KNOWN_BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "video",
        "call",
        "table",
        "context_actions",
    }
)


def block_problems(blocks: list[Any], pointer: str, max_blocks: int) -> list[str]:
    """Slack-style `[ERROR] ... [json-pointer:/blocks/0/text]` messages; empty when the blocks are valid."""
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(f"[ERROR] no more than {max_blocks} items allowed [json-pointer:{pointer}]")
    seen_block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict) or block.get("type") not in KNOWN_BLOCK_TYPES:
            problems.append(f"[ERROR] unsupported type [json-pointer:{where}/type]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if len(str(block_id)) > ID_MAX:
                problems.append(f"[ERROR] must be less than {ID_MAX + 1} characters [json-pointer:{where}/block_id]")
            if block_id in seen_block_ids:
                problems.append(f"[ERROR] duplicate block_id [json-pointer:{where}/block_id]")
            seen_block_ids.add(str(block_id))
        problems.extend(_block_type_problems(block, where))
    return problems


def _text_of(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


def _too_long(text: str, limit: int, where: str) -> list[str]:
    if len(text) > limit:
        return [f"[ERROR] must be less than {limit + 1} characters [json-pointer:{where}]"]
    return []


def _block_type_problems(block: Json, where: str) -> list[str]:
    block_type = block["type"]
    problems: list[str] = []
    if block_type == "section":
        if "text" not in block and "fields" not in block:
            problems.append(f"[ERROR] must provide either text or fields [json-pointer:{where}]")
        problems += _too_long(_text_of(block.get("text")), SECTION_TEXT_MAX, f"{where}/text/text")
        fields = block.get("fields", [])
        if len(fields) > SECTION_FIELDS_MAX:
            problems.append(f"[ERROR] no more than {SECTION_FIELDS_MAX} items allowed [json-pointer:{where}/fields]")
        for n, item in enumerate(fields):
            problems += _too_long(_text_of(item), 2000, f"{where}/fields/{n}/text")
    elif block_type == "header":
        problems += _too_long(_text_of(block.get("text")), HEADER_TEXT_MAX, f"{where}/text/text")
    elif block_type == "actions" and len(block.get("elements", [])) > ACTIONS_ELEMENTS_MAX:
        problems.append(f"[ERROR] no more than {ACTIONS_ELEMENTS_MAX} items allowed [json-pointer:{where}/elements]")
    elif block_type == "context" and len(block.get("elements", [])) > CONTEXT_ELEMENTS_MAX:
        problems.append(f"[ERROR] no more than {CONTEXT_ELEMENTS_MAX} items allowed [json-pointer:{where}/elements]")
    for element in element_slots(block):
        problems += _element_problems(element, f"{where}/element")
    return problems


def _element_problems(element: Json, where: str) -> list[str]:
    problems = _too_long(str(element.get("action_id", "")), ID_MAX, f"{where}/action_id")
    if element.get("type") == "button":
        problems += _too_long(_text_of(element.get("text")), BUTTON_TEXT_MAX, f"{where}/text/text")
        problems += _too_long(str(element.get("value", "")), BUTTON_VALUE_MAX, f"{where}/value")
    options = list(all_options(element))
    if element.get("type") in ("static_select", "multi_static_select"):
        if len(element.get("options", [])) > SELECT_OPTIONS_MAX:
            problems.append(f"[ERROR] no more than {SELECT_OPTIONS_MAX} items allowed [json-pointer:{where}/options]")
        if not options:
            problems.append(f"[ERROR] must provide either options or option_groups [json-pointer:{where}]")
    for n, option in enumerate(options):
        problems += _too_long(_text_of(option.get("text")), OPTION_TEXT_MAX, f"{where}/options/{n}/text/text")
        problems += _too_long(str(option.get("value", "")), OPTION_VALUE_MAX, f"{where}/options/{n}/value")
    return problems


def check_message_blocks(blocks: list[Any]) -> None:
    problems = block_problems(blocks, "/blocks", MESSAGE_BLOCKS_MAX)
    if problems:
        raise SlackError("invalid_blocks", messages=problems)


def check_view(view: Any) -> None:
    """views.* report every problem with the view as invalid_arguments."""
    if not isinstance(view, dict):
        raise SlackError("invalid_arguments", messages=["[ERROR] missing required field: view"])
    view_type = view.get("type")
    problems: list[str] = []
    if view_type not in ("modal", "home"):
        problems.append("[ERROR] must be one of modal, home [json-pointer:/view/type]")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        problems.append("[ERROR] missing required field: blocks [json-pointer:/view]")
        blocks = []
    problems += block_problems(blocks, "/view/blocks", VIEW_BLOCKS_MAX)
    problems += _too_long(str(view.get("private_metadata", "")), PRIVATE_METADATA_MAX, "/view/private_metadata")
    problems += _too_long(str(view.get("callback_id", "")), ID_MAX, "/view/callback_id")
    if view_type == "modal":
        if not isinstance(view.get("title"), dict):
            problems.append("[ERROR] missing required field: title [json-pointer:/view]")
        for key in ("title", "submit", "close"):
            problems += _too_long(_text_of(view.get(key)), VIEW_TITLE_MAX, f"/view/{key}/text")
        if any(block.get("type") == "input" for block in blocks if isinstance(block, dict)) and not view.get("submit"):
            problems.append("[ERROR] must provide submit when using input blocks [json-pointer:/view]")
    if problems:
        raise SlackError("invalid_arguments", messages=problems)
