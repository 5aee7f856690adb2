"""response_url endpoints on the fake's host: what `respond()` and WebhookClient post to."""

from __future__ import annotations

import json
import time

from sandbox.slack.blocks import with_block_ids
from sandbox.slack.errors import SlackError
from sandbox.slack.files import HttpReply
from sandbox.slack.issued import ResponseUrl
from sandbox.slack.limits import check_message_blocks
from sandbox.slack.methods.chat import replace_message
from sandbox.slack.model import Ephemeral, Json, Message
from sandbox.slack.workspace import Workspace

MAX_USES = 5
LIFETIME_SECONDS = 30 * 60
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def issue_response_url(
    ws: Workspace, *, user_id: str, channel_id: str | None, message_ts: str | None = None, is_ephemeral: bool = False
) -> str:
    path = f"/actions/{ws.team.id}/{ws.ids.next_id('')}/{ws.ids.secret(24)}"
    ws.response_urls[path] = ResponseUrl(
        url=ws.base_url + path,
        user_id=user_id,
        channel_id=channel_id,
        message_ts=message_ts,
        is_ephemeral=is_ephemeral,
        issued_at=time.time(),
    )
    return ws.base_url + path


def post_to_response_url(ws: Workspace, path: str, body: bytes) -> HttpReply:
    with ws.lock:
        try:
            target = _usable(ws, path)
            payload = json.loads(body.decode("utf-8") or "{}")
            ws.responses.append({"response_url": target.url, "body": payload})
            _apply(ws, target, payload)
            reply: HttpReply = 200, dict(JSON_HEADERS), b'{"ok":true}'
        except SlackError as error:
            reply = error.status, dict(JSON_HEADERS), json.dumps(error.body()).encode()
        ws.changed.notify_all()
        return reply


def show_acknowledgement(ws: Workspace, *, user_id: str, channel_id: str, payload: Json) -> None:
    """What Slack does with a slash command's acknowledgement body: show it as the command's reply."""
    with ws.lock:
        target = ResponseUrl(
            url="", user_id=user_id, channel_id=channel_id, message_ts=None, is_ephemeral=False, issued_at=time.time()
        )
        _apply(ws, target, payload)
        ws.changed.notify_all()


def _usable(ws: Workspace, path: str) -> ResponseUrl:
    target = ws.response_urls.get(path)
    if target is None or time.time() - target.issued_at > LIFETIME_SECONDS:
        raise SlackError("expired_url", status=404)
    if target.uses >= MAX_USES:
        raise SlackError("used_url", status=404)
    target.uses += 1
    return target


def _apply(ws: Workspace, target: ResponseUrl, payload: Json) -> None:
    blocks = payload.get("blocks")
    if blocks is not None:
        try:
            check_message_blocks(blocks)
        except SlackError as error:
            error.status = 400
            raise
    text, blocks = str(payload.get("text") or ""), with_block_ids(blocks or [])
    if payload.get("delete_original") and target.message_ts:
        _original(ws, target).deleted = True
    elif payload.get("replace_original") and target.message_ts:
        _replace(ws, target, payload, text, blocks)
    elif not text and not blocks:
        raise SlackError("no_text", status=400)
    else:
        _post(ws, target, payload, text, blocks)


def _replace(ws: Workspace, target: ResponseUrl, payload: Json, text: str, blocks: list[Json]) -> None:
    original = _original(ws, target)
    if isinstance(original, Ephemeral):
        original.text, original.blocks = text, blocks
        return
    attachments = payload.get("attachments") or []
    replace_message(ws, original, text=text, blocks=blocks, attachments=attachments, editor=ws.bot.user_id)


def _post(ws: Workspace, target: ResponseUrl, payload: Json, text: str, blocks: list[Json]) -> None:
    """A new message: in the channel for everyone, or (Slack's default) ephemeral for the person who acted."""
    channel_id = target.channel_id or ws.open_dm(target.user_id).id
    if payload.get("response_type") == "in_channel":
        ws.store_message(
            Message(
                channel=channel_id,
                ts=ws.ids.next_ts(),
                text=text,
                blocks=blocks,
                user=ws.bot.user_id,
                bot_id=ws.bot.bot_id,
                app_id=ws.bot.app_id,
                team=ws.team.id,
                thread_ts=payload.get("thread_ts"),
            )
        )
        return
    ws.ephemerals.append(
        Ephemeral(
            channel=channel_id,
            user=target.user_id,
            message_ts=ws.ids.next_ts(),
            text=text,
            blocks=blocks,
            thread_ts=payload.get("thread_ts"),
            source="response_url",
        )
    )


def _original(ws: Workspace, target: ResponseUrl) -> Message | Ephemeral:
    assert target.channel_id is not None and target.message_ts is not None
    if target.is_ephemeral:
        ephemeral = ws.ephemeral(target.channel_id, target.message_ts)
        if ephemeral is None:
            raise SlackError("message_not_found", status=404)
        return ephemeral
    return ws.message(target.channel_id, target.message_ts)
