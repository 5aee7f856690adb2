"""The demo page's Slack pane: a conversation, a thread, the App Home or the open modal, drawn as Slack's client
would draw what the bot put in the fake workspace (with what this person chose so far)."""

from __future__ import annotations

import json
from typing import Any

from sandbox.demo.render import BlockRenderer, esc, mrkdwn
from sandbox.demo.world import FINANCE_CHANNEL, PEOPLE
from sandbox.slack import FakeSlack

Json = dict[str, Any]


class SlackPane:
    def __init__(self, slack: FakeSlack) -> None:
        self.slack = slack

    def _name(self, user_id: str) -> str:
        if user_id == self.slack.bot_user_id:
            return "expense-bot"
        return next((p.real_name for p in PEOPLE if p.user_id == user_id), user_id)

    def _renderer(
        self, surface: Json, state: Json | None = None, errors: dict[str, str] | None = None
    ) -> BlockRenderer:
        return BlockRenderer(
            surface,
            self._name,
            state,
            users=[(p.user_id, p.real_name) for p in PEOPLE],
            channels=[(FINANCE_CHANNEL, "#finance")],
            errors=errors,
        )

    def _message(self, user: str, channel: str, message: Json, *, in_thread: bool = False) -> str:
        ts = str(message["ts"])
        surface = {"kind": "message", "channel": channel, "ts": ts}
        state = self.slack.remembered_choices(self.slack.message_surface(channel, ts), user)
        blocks = message.get("blocks") or []
        body = (
            self._renderer(surface, state).blocks(blocks)
            if blocks
            else mrkdwn(str(message.get("text", "")), self._name)
        )
        ephemeral = message.get("subtype") == "ephemeral"
        author = "expense-bot" if message.get("bot_id") or ephemeral else self._name(str(message.get("user", "")))
        files = "".join(
            f'<div class="file">{esc(f.get("name"))} <small>{esc(f.get("pretty_type"))}, '
            f"{int(f.get('size') or 0):,} bytes</small></div>"
            for f in message.get("files") or []
        )
        reactions = "".join(
            f'<span class="reaction">:{esc(r.get("name"))}: {int(r.get("count") or 0)}</span>'
            for r in message.get("reactions") or []
        )
        replies = ""
        if message.get("reply_count") and not in_thread:
            count = int(message["reply_count"])
            noun = "reply" if count == 1 else "replies"
            replies = f'<a href="#" class="replies" data-thread="{esc(ts)}">{count} {noun}</a>'
        elif not in_thread and not ephemeral:
            replies = f'<a href="#" class="replies start" data-thread="{esc(ts)}">Reply in thread</a>'
        note = '<span class="only-you">Only visible to you</span>' if ephemeral else ""
        updates = 0 if ephemeral else len(self.slack.edit_history(channel, ts))  # how often the bot redrew it
        return (
            f'<div class="message{" ephemeral" if ephemeral else ""}" data-ts="{esc(ts)}" data-updates="{updates}">'
            f'<div class="author">{esc(author)} {note}</div>'
            f'<div class="blocks">{body}</div>{files}{reactions}{replies}</div>'
        )

    def conversation(self, user: str, channel: str) -> str:
        shown = [(float(m["ts"]), m) for m in self.slack.messages(channel)]
        shown += [(float(e["ts"]), e) for e in self.slack.ephemerals(user, channel) if not e.get("thread_ts")]
        shown.sort(key=lambda pair: pair[0])
        if not shown:
            return '<p class="empty">Nothing here yet.</p>'
        return "".join(self._message(user, channel, message) for _, message in shown)

    def thread(self, user: str, channel: str, thread_ts: str) -> str:
        try:
            parent = self.slack.message(channel, thread_ts)
        except KeyError:
            return ""
        replies = [(float(m["ts"]), m) for m in self.slack.replies(channel, thread_ts)]
        replies += [
            (float(e["ts"]), e) for e in self.slack.ephemerals(user, channel) if e.get("thread_ts") == thread_ts
        ]
        replies.sort(key=lambda pair: pair[0])
        inner = "".join(self._message(user, channel, m, in_thread=True) for _, m in replies)
        return (
            f'<div class="parent">{self._message(user, channel, parent, in_thread=True)}</div>'
            f'<div class="thread-replies">{inner or "<p class=empty>No replies yet.</p>"}</div>'
        )

    def home(self, user: str) -> str:
        view = self.slack.home_view(user)
        if view is None:
            return '<p class="empty">Opening the App Home…</p>'
        surface = {"kind": "view", "view_id": view["id"]}
        state = (view.get("state") or {}).get("values") or {}
        drawn = self._renderer(surface, state).blocks(view.get("blocks") or [])
        return f'<div class="home" data-hash="{esc(view.get("hash"))}">{drawn}</div>'

    def modal(self, user: str) -> str:
        stack = self.slack.modals(user)
        if not stack:
            return ""
        view = stack[-1]
        errors = self.slack.view_errors(view["id"])
        surface = {"kind": "view", "view_id": view["id"]}
        state = (view.get("state") or {}).get("values") or {}
        banner = f'<div class="banner" role="alert">{esc(errors[""])}</div>' if errors.get("") else ""
        submit = view.get("submit")
        close = view.get("close") or {"text": "Cancel"}
        submit_button = (
            f'<button class="btn primary" id="modal-submit">{esc(submit.get("text"))}</button>' if submit else ""
        )
        return (
            f'<div class="modal" data-view-id="{esc(view["id"])}" data-key="{esc(view["id"])}:{esc(view.get("hash"))}:'
            f'{esc(json.dumps(errors, sort_keys=True))}">'
            f'<div class="modal-title">{esc((view.get("title") or {}).get("text"))}</div>{banner}'
            f'<div class="modal-body">{self._renderer(surface, state, errors).blocks(view.get("blocks") or [])}</div>'
            f'<div class="modal-foot"><button class="btn" id="modal-close">{esc(close.get("text"))}</button>'
            f"{submit_button}</div></div>"
        )
