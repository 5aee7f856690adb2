"""Walking Block Kit structures: where the interactive elements are, and the block ids Slack fills in."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from sandbox.slack.model import Json


def element_slots(block: Json) -> Iterator[Json]:
    """The elements a user can act on inside one block (section accessory, actions, input)."""
    block_type = block.get("type")
    if block_type == "section" and isinstance(block.get("accessory"), dict):
        yield block["accessory"]
    elif block_type == "actions":
        yield from (element for element in block.get("elements", []) if isinstance(element, dict))
    elif block_type == "input" and isinstance(block.get("element"), dict):
        yield block["element"]


def interactive_elements(blocks: list[Json]) -> Iterator[tuple[Json, Json]]:
    for block in blocks:
        for element in element_slots(block):
            if "action_id" in element:
                yield block, element


def find_element(blocks: list[Json], action_id: str, block_id: str | None = None) -> tuple[str, Json]:
    """(block_id, element) for an action_id; raises LookupError naming what is there instead."""
    for block, element in interactive_elements(blocks):
        if element.get("action_id") == action_id and block_id in (None, block.get("block_id")):
            return str(block.get("block_id", "")), element
    present = sorted(str(element.get("action_id")) for _, element in interactive_elements(blocks))
    raise LookupError(f"no element with action_id={action_id!r} (block_id={block_id!r}); present: {present}")


def with_block_ids(blocks: list[Json]) -> list[Json]:
    """A copy where every block has a block_id, as Slack assigns short ones to blocks sent without."""
    stored = copy.deepcopy(blocks)
    for index, block in enumerate(stored):
        if isinstance(block, dict) and not block.get("block_id"):
            digest = hashlib.sha1(f"{index}:{json.dumps(block, sort_keys=True)}".encode()).hexdigest()
            block["block_id"] = digest[:5]
        for element in element_slots(block) if isinstance(block, dict) else ():
            if "action_id" not in element and element.get("type") not in (None, "image"):
                element["action_id"] = hashlib.sha1(json.dumps(element, sort_keys=True).encode()).hexdigest()[:5]
    return stored


def parse_blocks_arg(value: Any) -> list[Json] | None:
    """Blocks arrive as a JSON list (JSON bodies) or as a JSON string (form bodies)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else []
    if not isinstance(value, list):
        raise ValueError("blocks must be an array")
    return value


def all_options(element: Json) -> Iterator[Json]:
    yield from element.get("options", [])
    for group in element.get("option_groups", []):
        yield from group.get("options", [])
