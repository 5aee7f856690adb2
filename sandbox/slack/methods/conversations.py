"""conversations.* and reactions.add: DMs, channel facts, and emoji on messages."""

from __future__ import annotations

from sandbox.slack.api_request import ApiRequest
from sandbox.slack.errors import SlackError
from sandbox.slack.model import Json, Message
from sandbox.slack.workspace import Workspace


def conversations_open(ws: Workspace, request: ApiRequest) -> Json:
    channel_id = request.text("channel")
    if channel_id:
        return {"ok": True, "channel": {"id": ws.visible_channel(channel_id).id}}
    users = [user for user in (request.text("users") or "").split(",") if user]
    if not users:
        raise SlackError("users_list_not_supplied")
    others = [user for user in users if user != ws.bot.user_id]
    if len(others) != 1:
        raise SlackError("not_enough_users" if not others else "too_many_users")
    existed = others[0] in ws.dm_by_user
    channel = ws.open_dm(others[0])
    body: Json = {"ok": True, "channel": channel.to_slack() if request.flag("return_im") else {"id": channel.id}}
    if existed:
        body.update({"no_op": True, "already_open": True})
    return body


def conversations_info(ws: Workspace, request: ApiRequest) -> Json:
    channel = ws.visible_channel(request.required("channel", "channel_not_found"))
    info = channel.to_slack()
    if not channel.is_im:
        info["is_member"] = ws.bot.user_id in channel.members
    return {"ok": True, "channel": info}


HISTORY_MAX_LIMIT = 999


def conversations_history(ws: Workspace, request: ApiRequest) -> Json:
    """Newest first: top-level messages and replies also sent to the channel, paged by cursor.

    As in Slack, a message's `metadata` is returned only when the caller asks with `include_all_metadata`."""
    channel = ws.visible_channel(request.required("channel", "channel_not_found"))
    _check_member(ws, channel.id)
    listed = [
        m
        for m in reversed(ws.messages.get(channel.id, {}).values())
        if not m.deleted and (not m.is_reply or m.reply_broadcast) and _in_range(m.ts, request)
    ]
    return _page(listed, request)


def conversations_replies(ws: Workspace, request: ApiRequest) -> Json:
    """The parent then its replies, oldest first, as Slack returns a thread; paged by cursor."""
    channel = ws.visible_channel(request.required("channel", "channel_not_found"))
    _check_member(ws, channel.id)
    parent = ws.message(channel.id, request.required("ts", "thread_not_found"))
    root_ts = parent.thread_ts or parent.ts
    thread = [
        m
        for m in ws.messages.get(channel.id, {}).values()
        if not m.deleted and (m.ts == root_ts or m.thread_ts == root_ts) and _in_range(m.ts, request)
    ]
    page = _page(thread, request)
    page.pop("pin_count")
    return page


def _in_range(ts: str, request: ApiRequest) -> bool:
    oldest, latest = request.text("oldest"), request.text("latest")
    inclusive = request.flag("inclusive")
    if oldest and (float(ts) < float(oldest) or (float(ts) == float(oldest) and not inclusive)):
        return False
    return not (latest and (float(ts) > float(latest) or (float(ts) == float(latest) and not inclusive)))


def _page(messages: list[Message], request: ApiRequest) -> Json:
    try:
        limit = min(max(int(request.text("limit") or 100), 1), HISTORY_MAX_LIMIT)
        start = int(request.text("cursor") or "0")
    except ValueError as error:
        raise SlackError("invalid_cursor") from error
    page = messages[start : start + limit]
    more = start + limit < len(messages)
    with_metadata = request.flag("include_all_metadata")
    shown = []
    for message in page:
        body = message.to_slack()
        if not with_metadata:
            body.pop("metadata", None)
        shown.append(body)
    return {
        "ok": True,
        "messages": shown,
        "has_more": more,
        "pin_count": 0,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }


def _check_member(ws: Workspace, channel_id: str) -> None:
    if ws.bot.user_id not in ws.channels[channel_id].members:
        raise SlackError("not_in_channel")


def conversations_join(ws: Workspace, request: ApiRequest) -> Json:
    channel = ws.visible_channel(request.required("channel", "channel_not_found"))
    if channel.is_private or channel.is_im:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise SlackError("is_archived")
    channel.members.add(ws.bot.user_id)
    return {"ok": True, "channel": channel.to_slack()}


def reactions_add(ws: Workspace, request: ApiRequest) -> Json:
    channel = ws.visible_channel(request.required("channel", "channel_not_found"))
    message = ws.message(channel.id, request.required("timestamp", "no_item_specified"))
    name = request.required("name", "invalid_name").strip(":")
    users = message.reactions.setdefault(name, [])
    if ws.bot.user_id in users:
        raise SlackError("already_reacted")
    users.append(ws.bot.user_id)
    return {"ok": True}
