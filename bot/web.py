"""The HTTP surface (CONTRACT §2) as a WSGI app; `bot.server` serves it with waitress."""

from __future__ import annotations

import hmac
import time
from typing import Any

from flask import Flask, Response, g, jsonify, request
from pydantic import SecretStr
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.adapter.flask.handler import to_flask_response
from slack_bolt.request import BoltRequest
from sqlalchemy.exc import SQLAlchemyError

from bot.bootstrap import Deps
from bot.connection.pages import xero_callback_page
from bot.metrics import CONTENT_TYPE
from bot.payments.webhook import MAX_BODY_BYTES, receive
from bot.services import Services
from bot.slack.request_body import slack_request
from storage.db import ping

SLACK_BODY_LIMIT = 1024 * 1024
# What Bolt's request parsing raises on bodies Slack never sends (see _unreadable_by_bolt).
_UNREADABLE = (ValueError, RecursionError, TypeError, AttributeError, KeyError, IndexError)


def create_web_app(deps: Deps, services: Services, slack_app: App | None) -> Flask:
    """Routes that exist so far; `slack_app` is None in Socket Mode, where Slack does not call us."""
    web = Flask("xero-expense-bot")
    web.config["MAX_CONTENT_LENGTH"] = 6 * 1024 * 1024
    _measure(web, deps)
    _add_bot_routes(web, deps, services)
    if slack_app is not None:
        _add_slack_routes(web, slack_app)
    return web


def _measure(web: Flask, deps: Deps) -> None:
    """Count every request and its latency by route, for /metrics."""
    metrics = deps.metrics

    @web.before_request
    def _start_timer() -> None:
        g.started = time.perf_counter()

    @web.after_request
    def _count(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        metrics.http_requests.labels(route=route, status=str(response.status_code)).inc()
        metrics.http_latency.labels(route=route).observe(time.perf_counter() - g.get("started", time.perf_counter()))
        return response


def _add_bot_routes(web: Flask, deps: Deps, services: Services) -> None:
    """Health, metrics, Xero's OAuth redirect and the payments webhook."""

    @web.get("/healthz")
    def healthz() -> Any:
        try:
            ping(deps.engine)
        except SQLAlchemyError:
            return jsonify(status="unavailable", reason="the database does not answer"), 503
        return jsonify(status="ok")

    @web.get("/metrics")
    def prometheus() -> Response:
        if not _metrics_allowed(services.settings.metrics_token, request.headers.get("Authorization", "")):
            return Response(
                "metrics need Authorization: Bearer <METRICS_TOKEN>\n",
                status=401,
                content_type="text/plain",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        return Response(deps.metrics.render(), content_type=CONTENT_TYPE)

    @web.get("/xero/callback")
    def xero_callback() -> Any:
        args = request.args
        return xero_callback_page(services, args.get("state"), args.get("code"), args.get("error"))

    @web.post("/payments")
    def payments_webhook() -> Any:
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return jsonify(errors=[{"index": None, "field": "", "message": "the body is larger than 5 MB"}]), 413
        body = request.stream.read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            return jsonify(errors=[{"index": None, "field": "", "message": "the body is larger than 5 MB"}]), 413
        secret = services.settings.payments_webhook_secret
        answer = receive(
            secret=secret.get_secret_value() if secret else None,
            header=request.headers.get("X-Payments-Signature"),
            body=body,
            workspace=lambda: services.workspaces.for_incoming(request.args.get("team")),
            ingest=services.ingest,
        )
        if answer.status == 201:
            services.wake("post_new_payments")
        return jsonify(answer.body), answer.status


def _add_slack_routes(web: Flask, slack_app: App) -> None:
    """What Slack calls over HTTP: events and interactions, and the install flow in multi-workspace mode."""
    handler = SlackRequestHandler(slack_app)

    @web.post("/slack/events")
    def slack_events() -> Any:
        if (request.content_length or 0) > SLACK_BODY_LIMIT:
            return jsonify(error="request body too large"), 413
        bolt_request = _read_by_bolt()
        if bolt_request is None:
            return jsonify(error="the request body is not one Slack sends"), 400
        return to_flask_response(slack_app.dispatch(bolt_request))  # the body parsed once, not again by Bolt

    if slack_app.oauth_flow is None:
        return

    @web.get("/slack/install")
    def slack_install() -> Any:
        if _unreadable_by_bolt():
            return jsonify(error="the request is not one Slack sends"), 400
        return handler.handle(request)

    @web.get("/slack/oauth_redirect")
    def slack_oauth_redirect() -> Any:
        if _unreadable_by_bolt():
            return jsonify(error="the request is not one Slack sends"), 400
        return handler.handle(request)


def _metrics_allowed(token: SecretStr | None, authorization: str) -> bool:
    """Open when no METRICS_TOKEN is set; otherwise the bearer token must match, compared in constant time."""
    if token is None:
        return True
    scheme, _, given = authorization.partition(" ")
    expected = token.get_secret_value().encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected)


def _read_by_bolt() -> BoltRequest | None:
    """Bolt parses the body and reads its context before checking the signature, and raises on what Slack never
    sends (JSON nested past the recursion limit, a list, a number where the team should be): an unsigned request
    would get a 500. Reading it here lets those be answered 400; None for those."""
    try:
        return slack_request(request.get_data(as_text=True), request.query_string.decode("utf-8"), request.headers)
    except _UNREADABLE:
        return None


def _unreadable_by_bolt() -> bool:
    return _read_by_bolt() is None
