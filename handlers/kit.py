"""Block Kit in one place: the pieces every builder is made of, Slack's limits, and how outside text is made safe.

Every builder in handlers/ composes these, so a limit or an escape is fixed here once: text that could be too
long is shortened with "…" rather than letting Slack refuse the whole message or view.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

Block = dict[str, Any]

MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
SECTION_TEXT_MAX = 3000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
SELECT_OPTIONS_MAX = 100
ACTIONS_ELEMENTS_MAX = 25
PLACEHOLDER_MAX = 150
LABEL_MAX = 2000
INPUT_VALUE_MAX = 3000
MODAL_TEXT_MAX = 24
BUTTON_VALUE_MAX = 2000

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}", re.ASCII)


# ---------------------------------------------------------------- text


def mrkdwn_escape(text: str) -> str:
    """Make outside text literal in mrkdwn: no mention, link or formatting takes effect."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A zero-width space after each formatting character stops *bold*, _italic_, ~strike~ and `code`.
    for char in "*_~`":
        escaped = escaped.replace(char, char + "\u200b")
    return escaped


def clip(text: str, limit: int) -> str:
    """`text` at most `limit` characters, ending in "…" when it had to be cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape_clip(text: str, limit: int) -> str:
    """`text` escaped for mrkdwn and at most `limit` characters, cut between characters, never inside an escape."""
    escaped = mrkdwn_escape(text)
    if len(escaped) <= limit:
        return escaped
    pieces: list[str] = []
    used = 0
    for char in text:
        piece = mrkdwn_escape(char)
        if used + len(piece) > limit - 1:
            break
        pieces.append(piece)
        used += len(piece)
    return "".join(pieces) + "…"


def mention(user_id: str | None) -> str | None:
    """ "<@U123>" for a real Slack user id; None for anything else, so no outside text becomes a mention."""
    return f"<@{user_id}>" if user_id and _SLACK_USER_ID.fullmatch(user_id) else None


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def day_text(when: date, *, year: bool = True) -> str:
    """ "20 Nov 2026" (or "20 Nov"), whatever the process locale."""
    day = f"{when.day} {_MONTHS[when.month - 1]}"
    return f"{day} {when.year}" if year else day


def date_text(when: datetime | None, *, seconds: bool = False) -> str:
    """A date and time Slack shows in each reader's own time zone."""
    if when is None:
        return "never"
    if seconds:
        return f"<!date^{int(when.timestamp())}^{{date_short_pretty}} {{time_secs}}|{when:%Y-%m-%d %H:%M:%S} UTC>"
    return f"<!date^{int(when.timestamp())}^{{date_short_pretty}} {{time}}|{when:%Y-%m-%d %H:%M} UTC>"


# ---------------------------------------------------------------- blocks and elements


def plain(text: str, limit: int = OPTION_TEXT_MAX) -> Block:
    """A plain_text object, never empty (Slack refuses an empty one)."""
    return {"type": "plain_text", "text": clip(text, limit) or " "}


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_TEXT_MAX]}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_TEXT_MAX]}]}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, 150)}


def button(text: str, action_id: str, value: str = "", *, style: str | None = None, url: str | None = None) -> Block:
    element: Block = {"type": "button", "text": {"type": "plain_text", "text": text[:75]}, "action_id": action_id}
    if value:
        element["value"] = value[:BUTTON_VALUE_MAX]
    if style:
        element["style"] = style
    if url:
        element["url"] = url
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def option(text: str, value: str) -> Block:
    return {"text": plain(text, OPTION_TEXT_MAX), "value": value[:OPTION_VALUE_MAX]}


def limit_options(options: list[Block], keep_value: str | None) -> list[Block]:
    """At most 100 options, keeping the chosen one even when it is past the 100th."""
    if len(options) <= SELECT_OPTIONS_MAX:
        return options
    kept = options[:SELECT_OPTIONS_MAX]
    if keep_value is not None and all(choice["value"] != keep_value for choice in kept):
        chosen = next((choice for choice in options if choice["value"] == keep_value), None)
        if chosen is not None:
            kept[-1] = chosen
    return kept


def static_select(
    action_id: str, options: list[Block], initial_value: str | None = None, *, placeholder: str | None = None
) -> Block:
    """A static select; the initial option is kept only if it is one of the options (Slack refuses it otherwise)."""
    element: Block = {"type": "static_select", "action_id": action_id, "options": options[:SELECT_OPTIONS_MAX]}
    if placeholder is not None:
        element["placeholder"] = plain(placeholder, PLACEHOLDER_MAX)
    initial = next((choice for choice in element["options"] if choice["value"] == initial_value), None)
    if initial is not None:
        element["initial_option"] = initial
    return element


def text_input(*, initial: str | None, max_length: int, multiline: bool = False) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": "value", "max_length": max_length}
    if multiline:
        element["multiline"] = True
    if initial:
        element["initial_value"] = initial[:max_length]
    return element


def input_block(block_id: str, label: str, element: Block, *, optional: bool, hint: str | None = None) -> Block:
    block: Block = {
        "type": "input",
        "block_id": str(block_id),
        "label": plain(label, LABEL_MAX),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, LABEL_MAX)
    return block


def modal(
    title: str,
    blocks: list[Block],
    *,
    callback_id: str | None = None,
    private_metadata: str | None = None,
    submit: str | None = None,
    close: str = "Cancel",
) -> Block:
    """A modal view, cut to Slack's 100 blocks."""
    view: Block = {"type": "modal", "title": plain(title, MODAL_TEXT_MAX), "close": plain(close, MODAL_TEXT_MAX)}
    if callback_id is not None:
        view["callback_id"] = str(callback_id)
    if private_metadata is not None:
        view["private_metadata"] = private_metadata
    if submit is not None:
        view["submit"] = plain(submit, MODAL_TEXT_MAX)
    view["blocks"] = blocks[:VIEW_BLOCKS_MAX]
    return view


def linked(url: str | None, text: str) -> str:
    """`text` (already escaped) as a link to `url` when that is a web address; the text alone otherwise."""
    if not url or not url.startswith(("https://", "http://")):
        return text
    safe = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{safe}|{text}>"
