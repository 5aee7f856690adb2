"""files.info: the full file object, also for stubs that Slack Connect events carry."""

from __future__ import annotations

from sandbox.slack.api_request import ApiRequest
from sandbox.slack.files import file_object, hosted_file
from sandbox.slack.model import Json
from sandbox.slack.workspace import Workspace


def files_info(ws: Workspace, request: ApiRequest) -> Json:
    hosted = hosted_file(ws, request.required("file", "file_not_found"))
    return {"ok": True, "file": file_object(ws, hosted), "comments": [], "response_metadata": {"next_cursor": ""}}
