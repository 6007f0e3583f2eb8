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
from typing import Any

from hub.toolkit.inbound import InboundServer, Request, Response


@dataclass
class SinkState:
    received: list[dict[str, Any]] = field(default_factory=list)  # every request, in order
    keys: Counter[str] = field(default_factory=Counter)  # Idempotency-Key -> times seen
    fail_next: int = 0  # answer the next N requests with fail_status
    fail_status: int = 500
    fail_always: int | None = None  # answer every request with this status
    fail_for: set[str] = field(default_factory=set)  # case ids that always fail (fail_status)
    # Answer a repeated Idempotency-Key with the first answer to it, an error too, as gridhub
    # asks targets to (as Stripe-style APIs do): key -> the status first answered.
    answers_per_key: dict[str, int] | None = None
    headers: list[dict[str, str]] = field(default_factory=list)  # of every request, in order
    # what arrived besides the body: method, path and headers (lower case) of every accepted one
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Sink:
    """Start with ``with Sink() as sink:``; ``sink.url`` is where to POST."""

    def __init__(self) -> None:
        self.state = SinkState()
        self._server = InboundServer(self._handle, None)

    def _handle(self, request: Request) -> Response:
        state = self.state
        status = 200
        key = request.headers.get("idempotency-key", "")
        with state.lock:
            state.headers.append(dict(request.headers))
            doc = json.loads(request.body)
            cached = (state.answers_per_key or {}).get(key)
            if cached is not None:
                status = cached
            elif state.fail_always is not None:
                status = state.fail_always
            elif doc.get("case_id") in state.fail_for:
                status = state.fail_status
            elif state.fail_next > 0:
                state.fail_next -= 1
                status = state.fail_status
            else:
                state.received.append(doc)
                state.keys[key] += 1
                state.requests.append({"method": request.method, "path": request.path,
                                       "headers": dict(request.headers)})
            if state.answers_per_key is not None and cached is None:
                state.answers_per_key[key] = status
        payload = b'{"ok": true}' if status == 200 else b'{"error": "sink told to fail"}'
        return Response(status, payload)

    @property
    def url(self) -> str:
        return f"{self._server.url}/in"

    def __enter__(self) -> Sink:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

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
