"""The run's HTTP targets on loopback: real servers the webhook connectors post to.

A :class:`Target` records each message once by its ``Idempotency-Key`` and counts repeats (a
redelivery after a worker was killed carries the same key, and a real back end drops it), answers
500 to a share of calls, 422 to messages chosen for rejection, and can go down (its socket
closed: connection refused) and come back on the same port. With a ``reply`` function it is the
back end of the first hop: before answering 200 it publishes the function's reply message to the
hub, confirmed, as a real system answers on the bus; when the broker is away it answers 503.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kombu import Connection

from hub import codec
from hub.app import InboundPublisher
from hub.heartbeats import Heartbeats
from hub.publisher import LockedPublisher
from hub.topology import Topology
from schemas.envelope import Envelope

Reply = Callable[[Envelope], Envelope]


@dataclass
class Faults:
    """What a target does wrong: ``error_rate`` of calls get 500, ``reject`` ids get 422."""

    error_rate: float = 0.0
    reject: frozenset[str] = frozenset()
    seed: int = 0


@dataclass
class Record:
    """What a target saw. ``first`` holds each message once, in arrival order."""

    first: list[dict[str, Any]] = field(default_factory=list)
    at: list[float] = field(default_factory=list)  # monotonic time of each first arrival
    keys: Counter[str] = field(default_factory=Counter)  # Idempotency-Key -> accepted calls
    errors: int = 0  # 500s answered on purpose
    rejected: int = 0  # 422s answered on purpose
    unavailable: int = 0  # 503s: the reply could not be published
    replies: int = 0  # reply publications confirmed (repeats included)

    @property
    def repeats(self) -> int:
        return sum(n - 1 for n in self.keys.values())


class Target:
    """``with Target("backend", faults) as t:``; ``t.url`` is where the webhook posts."""

    def __init__(self, name: str, faults: Faults, reply: Reply | None = None,
                 broker_url: str | None = None, topology: Topology | None = None,
                 connect: Callable[[], Connection] | None = None,
                 failed: Callable[[Connection], None] | None = None,
                 heartbeats: Heartbeats | None = None) -> None:
        self.name = name
        self.faults = faults
        self.record = Record()
        self._reply = reply
        self._broker_url = broker_url
        # How the reply publisher connects (default: broker_url), fails over and beats.
        self._connect, self._failed, self._heartbeats = connect, failed, heartbeats
        self._topology = topology
        self._publisher: InboundPublisher | None = None
        self._lock = threading.Lock()
        self._rng = random.Random(faults.seed)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.name}"

    @property
    def is_up(self) -> bool:
        return self._server is not None

    def up(self) -> None:
        """Listen (again, on the same port after :meth:`down`)."""
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name=f"target:{self.name}", daemon=True)
        self._thread.start()

    def down(self) -> None:
        """Close the socket: calls are refused until :meth:`up`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Target:
        self.up()
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()
        if self._publisher is not None:
            self._publisher._publisher.close()

    def first(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.record.first)

    def delivered(self) -> int:
        with self._lock:
            return len(self.record.first)

    def handle(self, key: str, body: bytes) -> int:
        """The status to answer for one call; records it. Public for the handler thread."""
        with self._lock:
            if key in self.faults.reject:
                self.record.rejected += 1
                return 422
            if self._rng.random() < self.faults.error_rate:
                self.record.errors += 1
                return 500
        if self._reply is not None and not self._publish_reply(body):
            with self._lock:
                self.record.unavailable += 1
            return 503
        with self._lock:
            if key not in self.record.keys:
                self.record.first.append(json.loads(body))
                self.record.at.append(time.monotonic())
            self.record.keys[key] += 1
        return 200

    def _publish_reply(self, body: bytes) -> bool:
        assert self._reply is not None and self._broker_url and self._topology
        reply = self._reply(codec.decode(body))
        publisher: InboundPublisher | None = None
        try:
            with self._lock:  # one publisher, made on first use and after a broker restart
                if self._publisher is None:
                    url = self._broker_url
                    self._publisher = InboundPublisher(LockedPublisher(
                        self._connect or (lambda: Connection(url, connect_timeout=2)),
                        confirm_timeout_s=10, failed=self._failed,
                        heartbeats=self._heartbeats), self._topology)
                publisher = self._publisher
            publisher.publish([reply])
        except Exception:  # broker away (restart): the hub retries the call later
            with self._lock:
                if publisher is not None and self._publisher is publisher:
                    self._publisher = None
            if publisher is not None:  # a dead connection: drop it, the next call reconnects
                with contextlib.suppress(Exception):
                    publisher._publisher.close()
            return False
        with self._lock:
            self.record.replies += 1
        return True

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        target = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = target.handle(self.headers.get("Idempotency-Key", ""), body)
                payload = b'{"ok": true}' if status == 200 else b'{"error": "chaos"}'
                # The caller may have given up (timeout while the reply waited for the broker);
                # it retries the call, so a closed socket here is part of the run, not an error.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
