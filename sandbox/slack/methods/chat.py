"""chat.* methods: what the bot posts, edits and shows to one person."""

from __future__ import annotations

import time

from sandbox.slack.api_request import ApiRequest
from sandbox.slack.blocks import parse_blocks_arg, with_block_ids
from sandbox.slack.errors import SlackError
from sandbox.slack.limits import check_message_blocks
from sandbox.slack.model import Ephemeral, Json, Message
from sandbox.slack.workspace import Workspace


def message_content(request: ApiRequest, *, require: bool = True) -> tuple[str, list[Json], list[Json]]:
    """(text, blocks with ids, attachments), validated as Slack validates them."""
    try:
        blocks = parse_blocks_arg(request.args.get("blocks"))
    except ValueError as error:
        raise SlackError("invalid_blocks_format") from error
    attachments = request.json_arg("attachments") or []
    text = request.text("text") or ""
    if blocks is not None:
        check_message_blocks(blocks)
    if require and not text and not blocks and not attachments:
        raise SlackError("no_text")
    return text, with_block_ids(blocks or []), attachments


def post_message(ws: Workspace, request: ApiRequest) -> Json:
    channel = ws.postable_channel(request.required("channel", "channel_not_found"))
    text, blocks, attachments = message_content(request)
    message = ws.store_message(
        Message(
            channel=channel.id,
            ts=ws.ids.next_ts(),
            text=text,
            blocks=blocks,
            attachments=attachments,
            user=ws.bot.user_id,
            bot_id=ws.bot.bot_id,
            app_id=ws.bot.app_id,
            team=ws.team.id,
            thread_ts=request.text("thread_ts") or None,
            reply_broadcast=request.flag("reply_broadcast"),
            metadata=_metadata(request),
        )
    )
    return {"ok": True, "channel": channel.id, "ts": message.ts, "message": message.to_slack()}


def _metadata(request: ApiRequest) -> Json | None:
    """Message metadata as Slack accepts it: an `event_type` name and an `event_payload` object."""
    metadata = request.json_arg("metadata")
    if metadata is None:
        return None
    if (
        not isinstance(metadata, dict)
        or not isinstance(metadata.get("event_type"), str)
        or not metadata["event_type"]
        or not isinstance(metadata.get("event_payload"), dict)
    ):
        raise SlackError("invalid_metadata_format")
    return {"event_type": metadata["event_type"], "event_payload": metadata["event_payload"]}


def update_message(ws: Workspace, request: ApiRequest) -> Json:
    channel = ws.visible_channel(request.required("channel", "channel_not_found"))
    message = ws.message(channel.id, request.required("ts", "message_not_found"))
    if message.bot_id != ws.bot.bot_id:
        raise SlackError("cant_update_message")
    text, blocks, attachments = message_content(request, require=False)
    if "text" not in request.args and "blocks" not in request.args and "attachments" not in request.args:
        raise SlackError("no_text")
    replace_message(
        ws,
        message,
        text=text if "text" in request.args else message.text,
        blocks=blocks if "blocks" in request.args else message.blocks,
        attachments=attachments if "attachments" in request.args else message.attachments,
        editor=ws.bot.user_id,
    )
    return {"ok": True, "channel": channel.id, "ts": message.ts, "text": message.text, "message": message.to_slack()}


def replace_message(
    ws: Workspace, message: Message, *, text: str, blocks: list[Json], attachments: list[Json], editor: str
) -> None:
    message.history.append(message.to_slack())
    message.text, message.blocks, message.attachments = text, blocks, attachments
    message.edited = {"user": editor, "ts": f"{int(time.time())}.000000"}
    ws.forget_ui_state(f"message:{message.channel}:{message.ts}")


def delete_message(ws: Workspace, request: ApiRequest) -> Json:
    channel = ws.visible_channel(request.required("channel", "channel_not_found"))
    message = ws.message(channel.id, request.required("ts", "message_not_found"))
    if message.bot_id != ws.bot.bot_id:
        raise SlackError("cant_delete_message")
    message.deleted = True
    return {"ok": True, "channel": channel.id, "ts": message.ts}


def post_ephemeral(ws: Workspace, request: ApiRequest) -> Json:
    channel = ws.postable_channel(request.required("channel", "channel_not_found"))
    user = ws.user(request.required("user", "user_not_found"))
    if user.id not in channel.members:
        raise SlackError("user_not_in_channel")
    text, blocks, _ = message_content(request)
    ephemeral = Ephemeral(
        channel=channel.id,
        user=user.id,
        message_ts=ws.ids.next_ts(),
        text=text,
        blocks=blocks,
        thread_ts=request.text("thread_ts"),
        source="chat.postEphemeral",
    )
    ws.ephemerals.append(ephemeral)
    return {"ok": True, "message_ts": ephemeral.message_ts}


def get_permalink(ws: Workspace, request: ApiRequest) -> Json:
    channel = ws.visible_channel(request.required("channel", "channel_not_found"))
    message = ws.message(channel.id, request.required("message_ts", "message_not_found"))
    return {"ok": True, "channel": channel.id, "permalink": ws.permalink(channel.id, message.ts, message.thread_ts)}
