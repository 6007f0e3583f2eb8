"""A small threaded HTTP server for inbound endpoints and simulators.

Every inbound endpoint requires authentication (HTTP Basic or a bearer token, compared in
constant time), bounds the body size, and answers errors a caller can act on. Handlers are
plain functions ``(Request) -> Response``; the server owns sockets, auth and limits.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import structlog

MAX_BODY = 10 * 1024 * 1024
DRAIN_LIMIT = 64 * 1024  # the most we read of a body we refuse without closing the connection
log = structlog.get_logger("gridhub.http")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Credentials:
    """Accepted credentials: a Basic user/password pair and/or a bearer token."""

    username: str | None = None
    password: str | None = None
    token: str | None = None

    def accepts(self, header: str | None) -> bool:
        if not header:
            return False
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and self.token:
            return hmac.compare_digest(value.encode(), self.token.encode())
        if scheme.lower() == "basic" and self.username is not None:
            try:
                user, _, pwd = base64.b64decode(value).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return False
            ok_user = hmac.compare_digest(user.encode(), self.username.encode())
            ok_pwd = hmac.compare_digest(pwd.encode(), (self.password or "").encode())
            return ok_user and ok_pwd
        return False


class HttpServer:
    """``HttpServer(handler, credentials, port=0).start()``; ``.url`` once started."""

    def __init__(self, handler: Handler, credentials: Credentials | None, *,
                 host: str = "127.0.0.1", port: int = 0, max_body: int = MAX_BODY,
                 realm: str = "gridhub", drop: Callable[[str], bool] | None = None) -> None:
        self._handler = handler
        # Simulators play "down" by dropping a connection unanswered (``drop(path)`` true).
        self._drop = drop
        self._closed = False
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                outer._dispatch(self, credentials, max_body, realm)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closed = True  # kept-alive connections outlive the listener: drop them too
        self._server.shutdown()
        self._server.server_close()

    def _dispatch(self, h: BaseHTTPRequestHandler, credentials: Credentials | None,
                  max_body: int, realm: str) -> None:
        if self._closed or (self._drop is not None and self._drop(h.path)):
            h.close_connection = True
            with contextlib.suppress(OSError):
                h.connection.shutdown(socket.SHUT_RDWR)
            return
        try:
            self._serve(h, credentials, max_body, realm)
        except (BrokenPipeError, ConnectionResetError):  # the caller gave up (e.g. timed out)
            h.close_connection = True

    def _serve(self, h: BaseHTTPRequestHandler, credentials: Credentials | None,
               max_body: int, realm: str) -> None:
        length = _content_length(h)
        if length is None:
            return
        if credentials is not None and not credentials.accepts(h.headers.get("Authorization")):
            # A small body is drained to keep the connection usable; a big one from a
            # stranger is not read at all: the connection is closed instead.
            big = length > DRAIN_LIMIT
            _reply(h, Response(401, b'{"error": "authentication required"}',
                               headers={"WWW-Authenticate": f'Basic realm="{realm}"'}),
                   drain=0 if big else length, close=big)
            return
        if length > max_body:
            _reply(h, Response(413, b'{"error": "body larger than %d bytes"}' % max_body),
                   drain=0, close=True)
            return
        body = h.rfile.read(length) if length else b""
        request = Request(h.command, h.path, {k.lower(): v for k, v in h.headers.items()}, body)
        try:
            response = self._handler(request)
        except Exception as exc:  # a handler bug answers 500 and the server keeps serving
            log.error("http.handler_failed", path=h.path, error=repr(exc))
            response = Response(500, b'{"error": "internal error"}')
        _reply(h, response, drain=0)


def _content_length(h: BaseHTTPRequestHandler) -> int | None:
    """The declared body length, or None after answering a request we will not read: a
    chunked body (we need the length up front to refuse big bodies early) or a length that
    is not a plain number (a negative one would read to the end of the stream)."""
    if "chunked" in (h.headers.get("Transfer-Encoding") or "").lower():
        _reply(h, Response(411, b'{"error": "Content-Length required (no chunked bodies)"}'),
               drain=0, close=True)
        return None
    raw = (h.headers.get("Content-Length") or "0").strip()
    if not raw.isdigit():
        _reply(h, Response(400, b'{"error": "Content-Length is not a non-negative number"}'),
               drain=0, close=True)
        return None
    return int(raw)


def _reply(h: BaseHTTPRequestHandler, response: Response, *, drain: int,
           close: bool = False) -> None:
    while drain > 0:  # read and discard in pieces: never hold a refused body
        piece = h.rfile.read(min(drain, 65536))
        if not piece:
            break
        drain -= len(piece)
    h.send_response(response.status)
    h.send_header("Content-Type", response.content_type)
    h.send_header("Content-Length", str(len(response.body)))
    for key, value in response.headers.items():
        h.send_header(key, value)
    if close:
        h.send_header("Connection", "close")
        h.close_connection = True
    h.end_headers()
    h.wfile.write(response.body)
