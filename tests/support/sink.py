"""An HTTP target on loopback that records what it receives and fails when told to.

A real server, not a mock: the webhook connector talks to it over a socket exactly as it
would to a grid owner's system.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class SinkState:
    received: list[dict[str, Any]] = field(default_factory=list)  # every request, in order
    keys: Counter[str] = field(default_factory=Counter)  # Idempotency-Key -> times seen
    fail_next: int = 0  # answer the next N requests with fail_status
    fail_status: int = 500
    fail_always: int | None = None  # answer every request with this status
    fail_for: set[str] = field(default_factory=set)  # case ids that always fail (fail_status)
    # what arrived besides the body: method, path and headers of every accepted request
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Sink:
    """Start with ``with Sink() as sink:``; ``sink.url`` is where to POST."""

    def __init__(self) -> None:
        self.state = SinkState()
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                status = 200
                with state.lock:
                    doc = json.loads(body)
                    if state.fail_always is not None:
                        status = state.fail_always
                    elif doc.get("case_id") in state.fail_for:
                        status = state.fail_status
                    elif state.fail_next > 0:
                        state.fail_next -= 1
                        status = state.fail_status
                    else:
                        state.received.append(doc)
                        state.keys[self.headers.get("Idempotency-Key", "")] += 1
                        state.requests.append({"method": self.command, "path": self.path,
                                               "headers": dict(self.headers.items())})
                payload = b'{"ok": true}' if status == 200 else b'{"error": "sink told to fail"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_PUT = do_POST

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/in"

    def __enter__(self) -> Sink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def unique(self) -> set[str]:
        with self.state.lock:
            return {d["message_id"] for d in self.state.received}

    def docs(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return list(self.state.received)

    def wait_for(self, predicate: Any, timeout: float = 30.0, what: str = "condition") -> None:
        """Poll until ``predicate(self)`` holds; fail fast with what was awaited."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out after {timeout:g}s waiting for {what}; "
                             f"sink has {len(self.state.received)} requests")
