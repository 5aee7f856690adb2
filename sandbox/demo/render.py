"""Block Kit → HTML, as Slack's client would draw what the bot sent. Every outside text is escaped.

Interactive elements carry `data-*` attributes that the page's script sends back (see page.py); nothing
from a message is ever put in the page unescaped, so a payee named `<script>` stays text.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

Json = dict[str, Any]
_TOKEN = re.compile(r"<([^<>]*)>")
_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])")
_CODE = re.compile(r"`([^`\n]+)`")


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _slack_unescape(text: str) -> str:
    """Slack mrkdwn carries only three entities; anything else (e.g. `&#60;`) is shown as typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mrkdwn(text: str, names: Callable[[str], str]) -> str:
    """Slack's mrkdwn to HTML: links, mentions, *bold*, _italic_, ~strike~, `code`, line breaks."""
    out: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        out.append(_formatted(text[position : match.start()]))
        out.append(_token(match.group(1), names))
        position = match.end()
    out.append(_formatted(text[position:]))
    return "".join(out).replace("\n", "<br>")


def _formatted(segment: str) -> str:
    escaped = esc(_slack_unescape(segment))
    escaped = _CODE.sub(r"<code>\1</code>", escaped)
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    escaped = _ITALIC.sub(r"<i>\1</i>", escaped)
    return _STRIKE.sub(r"<s>\1</s>", escaped)


def _token(inner: str, names: Callable[[str], str]) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return f'<span class="mention">@{esc(names(target[1:]))}</span>'
    if target.startswith("#"):
        return f'<span class="mention">#{esc(_slack_unescape(label) or target[1:])}</span>'
    if target.startswith("!"):
        return f'<span class="mention">@{esc(target[1:].split("^")[0])}</span>'
    shown = esc(_slack_unescape(label or target))
    if target.startswith(("http://", "https://", "mailto:")):
        return f'<a href="{esc(_slack_unescape(target))}" target="_blank" rel="noopener">{shown}</a>'
    return shown


def text_object(obj: Any, names: Callable[[str], str]) -> str:
    if not isinstance(obj, dict):
        return esc(obj) if isinstance(obj, str) else ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn(str(obj.get("text", "")), names)
    return esc(obj.get("text", ""))


class BlockRenderer:
    """Renders one surface (a message or a view); `surface` is what the page sends back with each action."""

    def __init__(
        self,
        surface: Json,
        names: Callable[[str], str],
        state: Json | None = None,
        users: Iterable[tuple[str, str]] = (),
        channels: Iterable[tuple[str, str]] = (),
        errors: dict[str, str] | None = None,
    ) -> None:
        self.surface = json.dumps(surface, separators=(",", ":"))
        self.names = names
        self.state = state or {}
        self.users = list(users)
        self.channels = list(channels)
        self.errors = errors or {}

    def blocks(self, blocks: list[Json]) -> str:
        return "".join(self.block(block) for block in blocks)

    def block(self, block: Json) -> str:
        kind = block.get("type")
        block_id = str(block.get("block_id", ""))
        if kind == "section":
            body = f'<div class="text">{text_object(block.get("text"), self.names)}</div>'
            fields = block.get("fields") or []
            if fields:
                body += (
                    '<div class="fields">'
                    + "".join(f"<div>{text_object(f, self.names)}</div>" for f in fields)
                    + "</div>"
                )
            accessory = block.get("accessory")
            side = self.element(accessory, block_id) if isinstance(accessory, dict) else ""
            return f'<div class="block section"><div class="main">{body}</div>{side}</div>'
        if kind == "header":
            return f'<div class="block header">{text_object(block.get("text"), self.names)}</div>'
        if kind == "divider":
            return '<hr class="block divider">'
        if kind == "context":
            parts = [
                f'<img alt="{esc(e.get("alt_text"))}" src="{esc(_safe_url(e.get("image_url")))}">'
                if e.get("type") == "image"
                else f"<span>{text_object(e, self.names)}</span>"
                for e in block.get("elements") or []
            ]
            return f'<div class="block context">{"".join(parts)}</div>'
        if kind == "actions":
            inner = "".join(self.element(e, block_id) for e in block.get("elements") or [])
            return f'<div class="block actions">{inner}</div>'
        if kind == "image":
            return (
                f'<div class="block image"><img alt="{esc(block.get("alt_text"))}" '
                f'src="{esc(_safe_url(block.get("image_url")))}"></div>'
            )
        if kind == "input":
            element = block.get("element") or {}
            error = self.errors.get(block_id)
            optional = ' <span class="optional">(optional)</span>' if block.get("optional") else ""
            hint = f'<div class="hint">{text_object(block.get("hint"), self.names)}</div>' if block.get("hint") else ""
            shown_error = f'<div class="error" role="alert">{esc(error)}</div>' if error else ""
            return (
                f'<div class="block input{" has-error" if error else ""}" data-block-id="{esc(block_id)}">'
                f"<label>{text_object(block.get('label'), self.names)}{optional}</label>"
                f"{self.element(element, block_id, in_input=True)}{hint}{shown_error}</div>"
            )
        if kind == "rich_text":
            return f'<div class="block rich">{esc(_rich_text(block.get("elements") or []))}</div>'
        return f'<div class="block unknown">[{esc(kind)} block]</div>'

    def element(self, element: Json, block_id: str, *, in_input: bool = False) -> str:
        kind = str(element.get("type"))
        action_id = str(element.get("action_id", ""))
        data = (
            f'data-surface="{esc(self.surface)}" data-block-id="{esc(block_id)}" '
            f'data-action-id="{esc(action_id)}" data-type="{esc(kind)}"' + (' data-in-input="1"' if in_input else "")
        )
        current = self.state.get(block_id, {}).get(action_id, {})
        if kind == "button":
            return self._button(element, data)
        if kind in ("static_select", "overflow"):
            return self._select(element, data, current, overflow=kind == "overflow")
        if kind == "radio_buttons":
            return self._choices(element, data, "radio", current)
        if kind == "checkboxes":
            return self._choices(element, data, "checkbox", current)
        if kind in ("external_select", "multi_external_select"):
            return self._external(element, data, current)
        if kind == "datepicker":
            value = current.get("selected_date") or element.get("initial_date") or ""
            return f'<input type="date" {data} value="{esc(value)}">'
        if kind in ("plain_text_input", "number_input", "email_text_input", "url_text_input"):
            return self._text_input(element, data, current)
        if kind in ("users_select", "conversations_select", "channels_select"):
            return self._directory_select(element, data, current)
        return f'<span class="unknown">[{esc(kind)}]</span>'

    def _button(self, element: Json, data: str) -> str:
        style = esc(element.get("style", ""))
        url = element.get("url")
        url_attr = f' data-url="{esc(_safe_url(url))}"' if url else ""
        return f'<button class="btn {style}" {data}{url_attr}>{text_object(element.get("text"), self.names)}</button>'

    def _external(self, element: Json, data: str, current: Json) -> str:
        chosen = current.get("selected_option") or element.get("initial_option")
        label = text_object(chosen.get("text"), self.names) if chosen else ""
        placeholder = esc((element.get("placeholder") or {}).get("text", "Search…"))
        option = esc(json.dumps(chosen)) if chosen else ""
        return (
            f'<span class="external" {data} data-option="{option}">'
            f'<span class="chosen">{label or placeholder}</span>'
            '<input type="search" placeholder="Type to search" '
            f'data-min="{esc(element.get("min_query_length", 1))}">'
            '<span class="suggestions"></span></span>'
        )

    def _text_input(self, element: Json, data: str, current: Json) -> str:
        kind = str(element.get("type"))
        value = current.get("value") or element.get("initial_value") or ""
        placeholder = esc((element.get("placeholder") or {}).get("text", ""))
        if element.get("multiline"):
            return f'<textarea {data} placeholder="{placeholder}">{esc(value)}</textarea>'
        kind_attr = "number" if kind == "number_input" else "text"
        step = ' step="any"' if kind == "number_input" and element.get("is_decimal_allowed") else ""
        return f'<input type="{kind_attr}"{step} {data} value="{esc(value)}" placeholder="{placeholder}">'

    def _directory_select(self, element: Json, data: str, current: Json) -> str:
        """A select of the workspace's people or conversations."""
        kind = str(element.get("type"))
        pairs = self.users if kind == "users_select" else self.channels
        key = {"users_select": "user", "conversations_select": "conversation", "channels_select": "channel"}[kind]
        chosen_id = current.get(f"selected_{key}") or element.get(f"initial_{key}")
        options = '<option value="">Choose…</option>' + "".join(
            f'<option value="{esc(i)}"{" selected" if i == chosen_id else ""}>{esc(n)}</option>' for i, n in pairs
        )
        return f"<select {data}>{options}</select>"

    def _select(self, element: Json, data: str, current: Json, *, overflow: bool) -> str:
        chosen = (current.get("selected_option") or element.get("initial_option") or {}).get("value")
        placeholder = "⋯" if overflow else (element.get("placeholder") or {}).get("text", "Choose…")
        parts = [f'<option value="">{esc(placeholder)}</option>']
        groups = element.get("option_groups")
        if groups:
            for group in groups:
                inner = "".join(self._option(o, chosen) for o in group.get("options") or [])
                parts.append(f'<optgroup label="{esc((group.get("label") or {}).get("text", ""))}">{inner}</optgroup>')
        else:
            parts += [self._option(o, chosen) for o in element.get("options") or []]
        css = ' class="overflow"' if overflow else ""
        return f"<select{css} {data}>{''.join(parts)}</select>"

    def _option(self, option: Json, chosen: Any) -> str:
        value = option.get("value")
        selected = " selected" if value == chosen and chosen is not None else ""
        return f'<option value="{esc(value)}"{selected}>{esc((option.get("text") or {}).get("text", ""))}</option>'

    def _choices(self, element: Json, data: str, kind: str, current: Json) -> str:
        if kind == "radio":
            chosen_values = {(current.get("selected_option") or element.get("initial_option") or {}).get("value")}
        else:
            picked = current.get("selected_options")
            picked = element.get("initial_options") or [] if picked is None else picked
            chosen_values = {o.get("value") for o in picked}
        rows = "".join(
            f'<label class="choice"><input type="{kind}" value="{esc(o.get("value"))}"'
            f"{' checked' if o.get('value') in chosen_values else ''}> {text_object(o.get('text'), self.names)}</label>"
            for o in element.get("options") or []
        )
        return f'<div class="choices" {data}>{rows}</div>'


def _safe_url(url: Any) -> str:
    text = str(url or "")
    return text if text.startswith(("http://", "https://")) else "#"


def _rich_text(elements: list[Any]) -> str:
    out = []
    for element in elements:
        if isinstance(element, dict):
            out.append(str(element.get("text") or element.get("url") or ""))
            out.append(_rich_text(element.get("elements") or []))
    return "".join(out)
