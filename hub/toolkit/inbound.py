"""The HTTP server of every inbound endpoint (and of the simulators): Starlette on uvicorn.

Handlers stay plain functions ``(Request) -> Response``; this module owns sockets, parsing,
authentication and limits. The request line and headers are parsed by h11 (through uvicorn),
a real HTTP parser: two different ``Content-Length`` headers, a length that is not ASCII
digits (``Content-Length: ²``) or a header line without a colon get a 400 and a closed
connection, never a second request smuggled out of the first body (issue 13 item 8).

One event loop thread serves every connection; only a request that passed authentication and
the limits reaches a handler thread (a small pool). What bounds an attacker:

- ``header_timeout``: a connection must deliver a complete request head within this many
  seconds of connecting (or of its previous answer); half a header is closed, not waited on.
- ``body_timeout``: the whole body must arrive within this many seconds: else 408 and close.
- ``max_connections``: connections beyond it are answered 503 and closed at once.
- ``max_body``: a longer declared body is refused (413) before a byte of it is read;
  ``max_header_bytes`` caps the request head (h11 answers 400 beyond it).
- idle kept-alive connections close after ``keep_alive`` seconds.

The header deadline needs a hook in uvicorn's h11 protocol, which has none of its own:
``_GuardedH11`` uses its ``cycle``, ``connections`` and ``on_response_complete``;
``test_inbound_server.py`` fails clearly if an upgrade changes them.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import logging
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, ClassVar

import structlog
import uvicorn
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response as StarletteResponse
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

MAX_BODY = 10 * 1024 * 1024
DRAIN_LIMIT = 64 * 1024  # the most we read of a body we refuse without closing the connection
START_TIMEOUT_S = 15.0
ABORT = "gridhub.abort"  # scope extension: drop this connection unanswered
log = structlog.get_logger("gridhub.http")
_PARSER_LOG = logging.getLogger("gridhub.http.parser")  # "Invalid HTTP request received." ...
_PARSER_LOG.setLevel(logging.INFO)  # not uvicorn's TRACE, whatever the root level


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the query string, as sent: "/elsmart?wsdl"
    headers: dict[str, str]  # names lower case
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


@dataclass(frozen=True)
class Limits:
    """What one client may hold of the server; the defaults suit a portal's traffic."""

    max_body: int = MAX_BODY
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    keep_alive: float = 5.0
    max_connections: int = 512
    max_header_bytes: int = 16 * 1024
    handler_threads: int = 16


class _GuardedH11(H11Protocol):
    """uvicorn's h11 protocol with a request-head deadline and a hard connection cap."""

    limits: ClassVar[Limits] = Limits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Our own logger, propagating to the root's JSON handler: uvicorn's may have been
        # given a text handler of its own by another uvicorn in this process (the ops web).
        self.logger = _PARSER_LOG
        self._head_timer: asyncio.TimerHandle | None = None
        inner = self.app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            # The app may drop the connection unanswered (a simulator playing "down").
            extensions = {**scope.get("extensions", {}), ABORT: {"abort": self._abort}}
            await inner({**scope, "extensions": extensions}, receive, send)

        self.app = app

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # asyncio sets TCP_NODELAY only on sockets made with proto=IPPROTO_TCP, which a
        # listener from socket.create_server is not: without it the body of each answer
        # waits ~40 ms for the client's delayed ACK of the head (Nagle).
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if len(self.connections) > self.limits.max_connections:
            transport.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                            b"Connection: close\r\n\r\n")
            transport.close()
            return
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_head_timer()  # the next request head has the same deadline

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_late)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        # No request in hand: the head has not come (or the rest of a refused body is
        # trickling in). A request in hand has the body deadline (in the app) instead.
        if (self.cycle is None or self.cycle.response_complete) \
                and not self.transport.is_closing():
            log.info("http.header_timeout", client=_client(self.client),
                     seconds=self.limits.header_timeout)
            self.transport.close()

    def _abort(self) -> None:
        self.transport.abort()


class InboundServer:
    """``InboundServer(handler, credentials, port=0).start()``; ``.url`` once bound.

    ``drop(path)`` true makes the server close that connection unanswered (simulators)."""

    def __init__(self, handler: Handler, credentials: Credentials | None, *,
                 host: str = "127.0.0.1", port: int = 0, max_body: int = MAX_BODY,
                 realm: str = "gridhub", drop: Callable[[str], bool] | None = None,
                 limits: Limits | None = None) -> None:
        self.limits = limits or Limits(max_body=max_body)
        self._handler, self._credentials, self._realm, self._drop = \
            handler, credentials, realm, drop
        self._handler_threads = f"inbound-{realm}-{id(self):x}-handler"
        self._pool = ThreadPoolExecutor(self.limits.handler_threads,
                                        thread_name_prefix=self._handler_threads)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.create_server((host, port), family=family, backlog=1024)
        self.host = host
        protocol = type("GuardedH11", (_GuardedH11,), {"limits": self.limits})
        config = uvicorn.Config(
            self._asgi, http=protocol, loop="asyncio", lifespan="off", ws="none",
            interface="asgi3", log_config=None, log_level="warning", access_log=False,
            proxy_headers=False, server_header=False, timeout_keep_alive=int(
                max(1, self.limits.keep_alive)), limit_concurrency=self.limits.max_connections
            + 1, h11_max_incomplete_event_size=self.limits.max_header_bytes,
            timeout_graceful_shutdown=5)
        self._port = int(self._socket.getsockname()[1])
        self._server = uvicorn.Server(config)
        self._loop = asyncio.new_event_loop()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=f"inbound-{realm}", daemon=True)

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> InboundServer:
        self._thread.start()
        wait_listening(self._server, self._thread, f"the inbound server on {self.url}")
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._server.serve(sockets=[self._socket]))
        finally:
            self._loop.close()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop listening at once (the port is free when this returns), drop kept-alive
        connections, finish the requests in hand. A handler may stop its own server (a
        simulator going "down"): then the rest finishes after that handler's answer."""
        self._stopping = True  # a request on a kept-alive connection from now on: dropped
        if self._thread.is_alive() and self._server.started:
            closing = asyncio.run_coroutine_threadsafe(self._close_listeners(), self._loop)
            closing.result(timeout)
        self._server.should_exit = True
        if not self._thread.is_alive():
            self._socket.close()
            if not self._loop.is_closed() and self._thread.ident is None:  # never started
                self._loop.close()
        elif not threading.current_thread().name.startswith(self._handler_threads):
            self._thread.join(timeout)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _close_listeners(self) -> None:
        for listener in self._server.servers:
            listener.close()

    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = StarletteRequest(scope, receive)
        path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        if scope.get("query_string"):
            path += "?" + scope["query_string"].decode("latin-1")
        if self._stopping or (self._drop is not None and self._drop(path)):
            await _abort(scope)
            return
        response = await self._answer(request, path)
        await _starlette(response)(scope, receive, send)

    async def _answer(self, request: StarletteRequest, path: str) -> Response:
        refused = self._refusal(request)
        if refused is not None:
            return refused
        try:
            body = await _read_body(request, self.limits)
        except _Refused as exc:
            return exc.response
        headers = {k.lower(): v for k, v in request.headers.items()}
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._pool, self._handler, Request(request.method, path, headers, body))
        except Exception as exc:  # a handler bug answers 500 and the server keeps serving
            log.error("http.handler_failed", path=path, error=repr(exc))
            return Response(500, b'{"error": "internal error"}')

    def _refusal(self, request: StarletteRequest) -> Response | None:
        """An answer given before reading the body, or None to read it."""
        # h11 caps a head still arriving; one that came whole in a single read is measured.
        head = sum(len(k) + len(v) + 4 for k, v in request.scope["headers"])
        if head > self.limits.max_header_bytes:
            return _closing(431, b'{"error": "request headers larger than %d bytes"}'
                            % self.limits.max_header_bytes)
        if "transfer-encoding" in request.headers:
            # The length must be known up front to refuse a big body before reading it.
            return _closing(411, b'{"error": "Content-Length required (no chunked bodies)"}')
        length = int(request.headers.get("content-length") or 0)  # h11 checked the digits
        credentials = self._credentials
        if credentials is not None and not credentials.accepts(
                request.headers.get("authorization")):
            # A small body is drained to keep the connection; a big one from a stranger is
            # not read at all: the connection is closed instead.
            response = Response(401, b'{"error": "authentication required"}',
                                headers={"WWW-Authenticate": f'Basic realm="{self._realm}"'})
            if length > DRAIN_LIMIT:
                response.headers["Connection"] = "close"
            return response
        if length > self.limits.max_body:
            return _closing(413, b'{"error": "body larger than %d bytes"}'
                            % self.limits.max_body)
        return None


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


async def _read_body(request: StarletteRequest, limits: Limits) -> bytes:
    """The whole body within ``body_timeout`` seconds (else 408), at most ``max_body``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limits.body_timeout
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            message = await asyncio.wait_for(request.receive(), deadline - loop.time())
        except TimeoutError:
            raise _Refused(_closing(408, b'{"error": "the body did not arrive within %d s"}'
                                    % limits.body_timeout)) from None
        if message["type"] == "http.disconnect":
            raise _Refused(_closing(400, b'{"error": "the client went away"}'))
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limits.max_body:
            raise _Refused(_closing(413, b'{"error": "body larger than %d bytes"}'
                                    % limits.max_body))
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _closing(status: int, body: bytes) -> Response:
    return Response(status, body, headers={"Connection": "close"})


def _starlette(response: Response) -> StarletteResponse:
    return StarletteResponse(response.body, status_code=response.status,
                             headers=response.headers, media_type=response.content_type)


async def _abort(scope: Scope) -> None:
    scope["extensions"][ABORT]["abort"]()
    # Let the transport report the loss before returning, so uvicorn sees a disconnected
    # client (and answers nothing) rather than an app that forgot to answer.
    for _ in range(3):
        await asyncio.sleep(0)


def _client(client: tuple[str, int] | None) -> str:
    return f"{client[0]}:{client[1]}" if client else "?"


def wait_listening(server: uvicorn.Server, thread: threading.Thread, what: str) -> None:
    """Return once ``server`` (run by ``thread``) listens. uvicorn offers only a ``started``
    flag, no event, so it is polled; a thread that died (port in use) or a server that does
    not listen within START_TIMEOUT_S is a RuntimeError naming ``what``."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError(f"{what} did not start (port in use?)")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not listen within {START_TIMEOUT_S:g}s")
        time.sleep(0.01)
