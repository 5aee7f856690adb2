"""The loopback HTTP server: routes /api/*, file downloads, response_urls and the OAuth authorize page."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from sandbox.slack.files import HttpReply, download
from sandbox.slack.outage import DropConnection
from sandbox.slack.response_urls import post_to_response_url
from sandbox.slack.web_api import WebApi
from sandbox.slack.workspace import Workspace

HTML = {"Content-Type": "text/html; charset=utf-8"}
FATAL: HttpReply = 500, {"Content-Type": "application/json; charset=utf-8"}, b'{"ok":false,"error":"fatal_error"}'
logger = logging.getLogger(__name__)


class Router:
    def __init__(self, ws: Workspace, web_api: WebApi) -> None:
        self._ws = ws
        self._web_api = web_api

    def route(self, verb: str, target: str, headers: dict[str, str], body: bytes) -> HttpReply:
        parts = urlsplit(target)
        path = parts.path
        if path.startswith("/api/"):
            return self._web_api.handle(path.removeprefix("/api/"), parts.query, body, headers)
        if verb == "GET" and path.startswith("/files-pri/"):
            with self._ws.lock:
                return download(self._ws, path, _bearer(headers.get("authorization", "")))
        if verb == "POST" and path.startswith("/actions/"):
            return post_to_response_url(self._ws, path, body)
        if verb == "GET" and path == "/oauth/v2/authorize":
            return self._authorize(parse_qs(parts.query))
        if verb == "GET" and path.startswith(("/archives/", "/files/")):
            return 200, dict(HTML), b"<!DOCTYPE html><html><body>Slack</body></html>"
        return 404, dict(HTML), b"<!DOCTYPE html><html><body>Not found</body></html>"

    def _authorize(self, query: dict[str, list[str]]) -> HttpReply:
        """Skips the consent screen: redirects straight back with a code, as if the user clicked Allow."""
        ws = self._ws
        redirect_uri = (query.get("redirect_uri") or [""])[0]
        if (query.get("client_id") or [""])[0] != ws.oauth.client_id or not redirect_uri:
            return 400, dict(HTML), b"<!DOCTYPE html><html><body>invalid_client_id or redirect_uri</body></html>"
        with ws.lock:
            installer = (query.get("user") or [""])[0] or next(
                (user.id for user in ws.users.values() if not user.is_bot and not user.deleted), ""
            )
            code = f"{ws.ids.next_id('')}.{ws.ids.secret(24)}"
            ws.oauth_codes[code] = installer
        separator = "&" if "?" in redirect_uri else "?"
        location = redirect_uri + separator + urlencode({"code": code, "state": (query.get("state") or [""])[0]})
        return 302, {"Location": location, **HTML}, b""


def _bearer(authorization: str) -> str | None:
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value else None


class _Handler(BaseHTTPRequestHandler):
    router: Router
    server_version = "FakeSlack/1.0"

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, verb: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        try:
            status, reply_headers, reply_body = self.router.route(verb, self.path, headers, body)
        except DropConnection:
            self.close_connection = True
            return
        except Exception:
            logger.exception("FakeSlack failed on %s %s", verb, self.path)
            status, reply_headers, reply_body = FATAL
        self.send_response(status)
        for key, value in reply_headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply_body)))
        self.end_headers()
        self.wfile.write(reply_body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read fake.calls instead of access logs."""


class LoopbackServer:
    def __init__(self, router: Router) -> None:
        handler = type("FakeSlackHandler", (_Handler,), {"router": router})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()
