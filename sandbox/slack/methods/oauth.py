"""oauth.v2.access: exchanging an install code for a bot token, and rotating tokens when enabled."""

from __future__ import annotations

import time

from sandbox.slack.api_request import ApiRequest
from sandbox.slack.errors import SlackError
from sandbox.slack.issued import TokenGrant
from sandbox.slack.model import Json
from sandbox.slack.workspace import Workspace


def oauth_v2_access(ws: Workspace, request: ApiRequest) -> Json:
    _check_client(ws, request)
    grant_type = request.text("grant_type") or "authorization_code"
    if grant_type == "refresh_token":
        return _rotate(ws, request.required("refresh_token", "invalid_refresh_token"))
    if grant_type != "authorization_code":
        raise SlackError("invalid_grant_type")
    installer = ws.oauth_codes.pop(request.required("code", "invalid_code"), None)
    if installer is None:
        raise SlackError("invalid_code")
    body = _installation_body(ws)
    body["authed_user"] = {"id": installer}
    return body


def _check_client(ws: Workspace, request: ApiRequest) -> None:
    client_id, secret = request.basic_auth or (request.text("client_id"), request.text("client_secret"))
    if client_id != ws.oauth.client_id:
        raise SlackError("invalid_client_id")
    if secret != ws.oauth.client_secret:
        raise SlackError("bad_client_secret")


def _installation_body(ws: Workspace) -> Json:
    rotation = ws.oauth.token_rotation
    token = ("xoxe.xoxb-1-" if rotation else "xoxb-") + ws.ids.secret(40)
    expires_at = time.time() + ws.oauth.token_expires_in if rotation else None
    ws.tokens[token] = TokenGrant(
        token=token, kind="bot", user_id=ws.bot.user_id, scopes=ws.oauth.scopes, expires_at=expires_at
    )
    body: Json = {
        "ok": True,
        "app_id": ws.bot.app_id,
        "scope": ",".join(ws.oauth.scopes),
        "token_type": "bot",
        "access_token": token,
        "bot_user_id": ws.bot.user_id,
        "team": {"id": ws.team.id, "name": ws.team.name},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if rotation:
        refresh_token = "xoxe-1-" + ws.ids.secret(40)
        ws.refresh_tokens[refresh_token] = token
        body.update({"refresh_token": refresh_token, "expires_in": ws.oauth.token_expires_in})
    return body


def _rotate(ws: Workspace, refresh_token: str) -> Json:
    """Each refresh token works once; the old access token stays valid until it expires, as in Slack."""
    if ws.refresh_tokens.pop(refresh_token, None) is None:
        raise SlackError("invalid_refresh_token")
    return _installation_body(ws)
