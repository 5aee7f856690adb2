"""auth.test, auth.revoke and apps.connections.open: who a token is, ending it, and Socket Mode's URL."""

from __future__ import annotations

from sandbox.slack.api_request import ApiRequest
from sandbox.slack.errors import SlackError
from sandbox.slack.model import Json
from sandbox.slack.workspace import Workspace


def auth_test(ws: Workspace, request: ApiRequest) -> Json:
    grant = request.caller
    body: Json = {
        "ok": True,
        "url": f"{ws.base_url}/",
        "team": ws.team.name,
        "user": ws.users[grant.user_id].name if grant.user_id in ws.users else ws.bot.name,
        "team_id": ws.team.id,
        "user_id": grant.user_id,
        "is_enterprise_install": False,
    }
    if grant.kind == "bot":
        body["bot_id"] = ws.bot.bot_id
    return body


def auth_revoke(ws: Workspace, request: ApiRequest) -> Json:
    if request.flag("test"):
        return {"ok": True, "revoked": False}
    request.caller.revoked = True
    return {"ok": True, "revoked": True}


def apps_connections_open(ws: Workspace, request: ApiRequest) -> Json:
    """A single-use WebSocket URL for Socket Mode; only an app-level token (xapp-) may ask for one."""
    if request.caller.kind != "app":
        raise SlackError("not_allowed_token_type")
    ticket = ws.ids.secret(32)
    ws.socket_tickets.add(ticket)
    return {"ok": True, "url": f"{ws.socket_mode_url}/link/?ticket={ticket}&app_id={ws.bot.app_id}"}
