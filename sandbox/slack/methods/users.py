"""users.* and usergroups.*: who people are, and who is in the finance group."""

from __future__ import annotations

from sandbox.slack.api_request import ApiRequest
from sandbox.slack.errors import SlackError
from sandbox.slack.model import Json, Usergroup
from sandbox.slack.workspace import Workspace


def users_info(ws: Workspace, request: ApiRequest) -> Json:
    return {"ok": True, "user": ws.user(request.required("user", "user_not_found")).to_slack()}


def users_lookup_by_email(ws: Workspace, request: ApiRequest) -> Json:
    email = request.required("email", "users_not_found").lower()
    for user in ws.users.values():
        if user.email is not None and user.email.lower() == email and not user.deleted:
            return {"ok": True, "user": user.to_slack()}
    raise SlackError("users_not_found")


def usergroups_list(ws: Workspace, request: ApiRequest) -> Json:
    include_users = request.flag("include_users")
    include_disabled = request.flag("include_disabled")
    groups = [group for group in ws.usergroups.values() if include_disabled or not group.is_disabled]
    return {"ok": True, "usergroups": [_usergroup(ws, group, include_users) for group in groups]}


def usergroups_users_list(ws: Workspace, request: ApiRequest) -> Json:
    group = ws.usergroups.get(request.required("usergroup", "no_such_subteam"))
    if group is None:
        raise SlackError("no_such_subteam")
    if group.is_disabled and not request.flag("include_disabled"):
        raise SlackError("no_such_subteam")
    return {"ok": True, "users": list(group.users)}


def _usergroup(ws: Workspace, group: Usergroup, include_users: bool) -> Json:
    body: Json = {
        "id": group.id,
        "team_id": ws.team.id,
        "is_usergroup": True,
        "is_subteam": True,
        "name": group.name,
        "description": "",
        "handle": group.handle,
        "is_external": False,
        "date_create": 1700000000,
        "date_update": 1700000000,
        "date_delete": 1700000000 if group.is_disabled else 0,
        "auto_type": None,
        "created_by": ws.bot.user_id,
        "updated_by": ws.bot.user_id,
        "deleted_by": None,
        "prefs": {"channels": [], "groups": []},
        "user_count": len(group.users),
    }
    if include_users:
        body["users"] = list(group.users)
    return body
