"""Hosted files: Slack's file object, and downloads that need the bot token (else an HTML login page)."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from sandbox.slack.errors import SlackError
from sandbox.slack.model import HostedFile, Json
from sandbox.slack.workspace import Workspace

FILE_PATH = re.compile(r"^/files-pri/(?P<team>[^/-]+)-(?P<file_id>F[^/]+)/(?:download/)?(?P<name>[^/]+)$")
LOGIN_PAGE = """<!DOCTYPE html>
<html lang="en-US">
<head><meta charset="utf-8"><title>Slack</title></head>
<body class="signin">
<h1>Sign in to {domain}</h1>
<p>Enter your email address and password, or continue with Google.</p>
<form id="signin_form" action="/" method="post"><input type="email" name="email"><input type="password"
name="password"><button type="submit">Sign in</button></form>
</body>
</html>
"""

HttpReply = tuple[int, dict[str, str], bytes]


def file_object(ws: Workspace, hosted: HostedFile) -> Json:
    base = f"{ws.base_url}/files-pri/{ws.team.id}-{hosted.id}"
    name = quote(hosted.name)
    return {
        "id": hosted.id,
        "created": hosted.created,
        "timestamp": hosted.created,
        "name": hosted.name,
        "title": hosted.title,
        "mimetype": hosted.mimetype,
        "filetype": hosted.filetype,
        "pretty_type": hosted.filetype.upper(),
        "user": hosted.user,
        "user_team": ws.team.id,
        "editable": False,
        "size": len(hosted.content),
        "mode": "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": bool(hosted.channels),
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        "url_private": f"{base}/{name}",
        "url_private_download": f"{base}/download/{name}",
        "media_display_type": "unknown",
        "permalink": f"{ws.base_url}/files/{hosted.user}/{hosted.id}/{name}",
        "permalink_public": f"{ws.base_url}/{ws.team.id}-{hosted.id}-{hosted.public_secret}",
        "channels": [c for c in hosted.channels if not c.startswith(("G", "D"))],
        "groups": [c for c in hosted.channels if c.startswith("G")],
        "ims": [c for c in hosted.channels if c.startswith("D")],
        "comments_count": 0,
        "has_rich_preview": False,
    }


def hosted_file(ws: Workspace, file_id: str) -> HostedFile:
    hosted = ws.files.get(file_id)
    if hosted is None:
        raise SlackError("file_not_found")
    return hosted


def download(ws: Workspace, path: str, bearer_token: str | None) -> HttpReply:
    """Bytes for a valid token that may read files; Slack's login page (HTTP 200, HTML) otherwise."""
    match = FILE_PATH.match(path)
    if not _may_read_files(ws, bearer_token):
        page = LOGIN_PAGE.format(domain=f"{ws.team.domain}.slack.com").encode()
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page
    hosted = ws.files.get(match["file_id"]) if match else None
    if match is None or hosted is None or unquote(match["name"]) != hosted.name or match["team"] != ws.team.id:
        return 404, {"Content-Type": "text/html; charset=utf-8"}, b"<!DOCTYPE html><html><body>Not found</body></html>"
    return (
        200,
        {"Content-Type": hosted.mimetype, "Content-Disposition": f'attachment; filename="{hosted.name}"'},
        hosted.content,
    )


def _may_read_files(ws: Workspace, bearer_token: str | None) -> bool:
    try:
        grant = ws.grant(bearer_token)
    except SlackError:
        return False
    return grant.kind in ("bot", "user") and "files:read" in grant.scopes
