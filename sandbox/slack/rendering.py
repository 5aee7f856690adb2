"""Flattening a message or view to the text a person would see, so tests can assert on it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sandbox.slack.model import Json


def rendered_text(message_or_view: Json) -> str:
    """Visible text of a message (blocks, else `text`) or of a view (title, blocks, buttons)."""
    lines: list[str] = []
    if "title" in message_or_view or message_or_view.get("type") in ("modal", "home"):
        lines += _texts(message_or_view.get("title"))
    blocks = message_or_view.get("blocks") or []
    if blocks:
        for block in blocks:
            lines += _block_texts(block)
    elif message_or_view.get("text"):
        lines.append(str(message_or_view["text"]))
    for attachment in message_or_view.get("attachments") or []:
        lines += [str(attachment[key]) for key in ("pretext", "title", "text") if attachment.get(key)]
        for block in attachment.get("blocks") or []:
            lines += _block_texts(block)
    for key in ("submit", "close"):
        lines += _texts(message_or_view.get(key))
    return "\n".join(line for line in lines if line)


def _texts(obj: Any) -> list[str]:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        return [obj["text"]]
    return []


def _block_texts(block: Json) -> Iterator[str]:
    block_type = block.get("type")
    if block_type in ("section", "header", "markdown"):
        yield from _texts(block.get("text")) if isinstance(block.get("text"), dict) else [str(block.get("text", ""))]
        for field in block.get("fields") or []:
            yield from _texts(field)
        if isinstance(block.get("accessory"), dict):
            yield from _element_texts(block["accessory"])
    elif block_type == "context":
        for element in block.get("elements") or []:
            yield from _texts(element)
    elif block_type == "actions":
        for element in block.get("elements") or []:
            yield from _element_texts(element)
    elif block_type == "input":
        yield from _texts(block.get("label"))
        yield from _element_texts(block.get("element") or {})
        yield from _texts(block.get("hint"))
    elif block_type == "image":
        yield from _texts(block.get("title"))
    elif block_type == "rich_text":
        yield "".join(_rich_text(block.get("elements") or []))


def _element_texts(element: Json) -> Iterator[str]:
    if element.get("type") == "button":
        yield from _texts(element.get("text"))
        return
    initial = element.get("initial_option")
    if isinstance(initial, dict):
        yield from _texts(initial.get("text"))
    elif element.get("initial_options"):
        for option in element["initial_options"]:
            yield from _texts(option.get("text"))
    elif isinstance(element.get("initial_value"), str):
        yield element["initial_value"]
    elif element.get("initial_date") or element.get("initial_user"):
        yield str(element.get("initial_date") or element.get("initial_user"))
    else:
        yield from _texts(element.get("placeholder"))
    if element.get("type") in ("checkboxes", "radio_buttons"):
        for option in element.get("options") or []:
            yield from _texts(option.get("text"))


def _rich_text(elements: list[Any]) -> Iterator[str]:
    for element in elements:
        if not isinstance(element, dict):
            continue
        if element.get("type") == "text":
            yield str(element.get("text", ""))
        elif element.get("type") == "link":
            yield str(element.get("text") or element.get("url", ""))
        elif element.get("type") == "user":
            yield f"<@{element.get('user_id')}>"
        yield from _rich_text(element.get("elements") or [])
