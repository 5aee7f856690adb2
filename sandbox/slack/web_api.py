"""One Web API call end to end: parse, rate-limit, authenticate, run the method, record it."""

from __future__ import annotations

import json
import time

from sandbox.slack.api_request import ApiRequest, parse_api_request
from sandbox.slack.errors import SlackError
from sandbox.slack.files import HttpReply
from sandbox.slack.issued import ApiCall
from sandbox.slack.methods import METHODS, ApiMethod
from sandbox.slack.model import Json
from sandbox.slack.outage import DropConnection, Outage
from sandbox.slack.rate_limits import RateLimits
from sandbox.slack.workspace import Workspace

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
# What Slack answers while it is down: its documented server errors, with the HTTP status they come with.
OUTAGE_ERRORS = {"503": (503, "service_unavailable"), "500": (500, "fatal_error")}


class WebApi:
    def __init__(self, ws: Workspace, rate_limits: RateLimits, outage: Outage) -> None:
        self._ws = ws
        self._rate_limits = rate_limits
        self._outage = outage

    def handle(self, method: str, query: str, body: bytes, headers: dict[str, str]) -> HttpReply:
        ws = self._ws
        with ws.lock:
            request = ApiRequest(method=method, args={}, token=None, basic_auth=None)
            status, extra_headers = 200, dict(JSON_HEADERS)
            try:
                request = parse_api_request(method, query, body, headers)
                self._check_outage(request)
                result = self._run(request)
                if result.get("ok") and self._outage.answer_lost(method):
                    raise DropConnection()
            except DropConnection:
                ws.calls.append(ApiCall(method, request.args, request.token, time.time(), 0, "connection_dropped"))
                ws.changed.notify_all()
                raise
            except SlackError as error:
                status = error.status
                extra_headers.update(error.headers)
                result = error.body()
            if request.grant is not None:
                extra_headers["x-oauth-scopes"] = ",".join(request.grant.scopes)
            ws.calls.append(
                ApiCall(
                    method=method,
                    args=request.args,
                    token=request.token,
                    time=time.time(),
                    status=status,
                    error=None if result.get("ok") else str(result.get("error")),
                )
            )
            ws.changed.notify_all()
            return status, extra_headers, json.dumps(result).encode()

    def _check_outage(self, request: ApiRequest) -> None:
        """During an outage nothing runs: no message is stored, whatever the caller is told."""
        if not self._outage.hits(request.method):
            return
        if self._outage.kind == "connection":
            raise DropConnection()
        status, code = OUTAGE_ERRORS[self._outage.kind]
        raise SlackError(code, status=status)

    def _run(self, request: ApiRequest) -> Json:
        api_method = METHODS.get(request.method)
        if api_method is None:
            raise SlackError("unknown_method", status=404, extra={"req_method": request.method})
        self._rate_limits.check(request)
        self._authenticate(request, api_method)
        return api_method.handler(self._ws, request)

    def _authenticate(self, request: ApiRequest, api_method: ApiMethod) -> None:
        if api_method.credential == "client":
            return
        request.grant = self._ws.grant(request.token)
        wants_app_token = api_method.credential == "app_token"
        if (request.grant.kind == "app") != wants_app_token:
            raise SlackError("not_allowed_token_type")
