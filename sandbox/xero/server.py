"""The loopback HTTP server: turns http.server requests into EmulatorRequests and back."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from sandbox.xero.messages import EmulatorRequest, EmulatorResponse

RequestHandler = Callable[[EmulatorRequest], EmulatorResponse]


class _EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, handle: RequestHandler) -> None:
        self.handle_emulator_request = handle
        super().__init__(("127.0.0.1", port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = -1  # one buffered write per response; flushed by handle_one_request
    server: _EmulatorHTTPServer

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        target = urlsplit(self.path)
        request = EmulatorRequest(
            method=self.command,
            path=target.path,
            query_string=target.query,
            headers={key.lower(): value for key, value in self.headers.items()},
            body=body,
        )
        response = self.server.handle_emulator_request(request)
        if response.drop_connection:
            self.close_connection = True  # the socket closes with no response: the client sees a drop
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: every request is in the emulator's request log instead."""


class LoopbackServer:
    def __init__(self, handle: RequestHandler, port: int = 0) -> None:
        self._handle = handle
        self._port = port
        self._server: _EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        if self._server is not None:
            return
        self._server = _EmulatorHTTPServer(self._port, self._handle)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="xero-emulator", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
