"""The Web API methods the fake answers, and which credential each one needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sandbox.slack.api_request import ApiRequest
from sandbox.slack.methods import auth, chat, conversations, files, oauth, users, views
from sandbox.slack.model import Json
from sandbox.slack.workspace import Workspace

Handler = Callable[[Workspace, ApiRequest], Json]
Credential = Literal["token", "app_token", "client"]


@dataclass(frozen=True)
class ApiMethod:
    handler: Handler
    credential: Credential = "token"


METHODS: dict[str, ApiMethod] = {
    "auth.test": ApiMethod(auth.auth_test),
    "auth.revoke": ApiMethod(auth.auth_revoke),
    "apps.connections.open": ApiMethod(auth.apps_connections_open, "app_token"),
    "oauth.v2.access": ApiMethod(oauth.oauth_v2_access, "client"),
    "chat.postMessage": ApiMethod(chat.post_message),
    "chat.update": ApiMethod(chat.update_message),
    "chat.delete": ApiMethod(chat.delete_message),
    "chat.postEphemeral": ApiMethod(chat.post_ephemeral),
    "chat.getPermalink": ApiMethod(chat.get_permalink),
    "views.open": ApiMethod(views.open_view),
    "views.push": ApiMethod(views.push_view),
    "views.update": ApiMethod(views.update_view),
    "views.publish": ApiMethod(views.publish_view),
    "users.info": ApiMethod(users.users_info),
    "users.lookupByEmail": ApiMethod(users.users_lookup_by_email),
    "usergroups.list": ApiMethod(users.usergroups_list),
    "usergroups.users.list": ApiMethod(users.usergroups_users_list),
    "conversations.open": ApiMethod(conversations.conversations_open),
    "conversations.info": ApiMethod(conversations.conversations_info),
    "conversations.join": ApiMethod(conversations.conversations_join),
    "conversations.history": ApiMethod(conversations.conversations_history),
    "conversations.replies": ApiMethod(conversations.conversations_replies),
    "reactions.add": ApiMethod(conversations.reactions_add),
    "files.info": ApiMethod(files.files_info),
}
