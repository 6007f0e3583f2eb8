"""A metering coordinator on loopback: the work-order REST API, and its AMQP events.

HTTP (JSON, contract ``schemas/contracts/metering/``):

    POST /api/v1/workorders          create (idempotent on requestId): 201, or 200 if known;
                                     "hold": true creates it without starting it
    POST /api/v1/workorders/{id}/release   start a held order
    POST /api/v1/workorders/{id}/cancel    cancel an open order: a CANCELLED event at once
                                     (a finished order is left as it is); both answer the order
    GET  /api/v1/workorders/{id}     the work order
    GET  /api/v1/health
    GET  /api/v1/events?after=N&limit=M
                                     the event feed: every event published, numbered from 1
                                     ({"events": [{"seq", "routingKey", "event"}], "last": N})
    POST /_control/fail              {"mode": "slow|5xx|soap-fault|reject|down|none",
                                      "seconds": N}   (down: back up after N s, default 5)
    POST /_control/advance           {"workOrderId": optional}: one lifecycle step now
    POST /_control/outcome           {"outcome": "reported|deviation|cancelled"} for new orders
    POST /_control/meteringvalues    {"gsrn": ..., "day": "YYYY-MM-DD", "resolution": "PT15M"}

Events go to the feed and, when ``amqp_url`` is set, to a topic exchange on it (routing key
``workorder.<type>`` or ``meteringvalues.collected``), persistent, with publisher confirms.
With ``step_interval`` every open work order moves one step per interval; without it, steps
happen on request.
Failure modes: slow (answers after ``slow_seconds``), 5xx (503), soap-fault (400, the JSON
API's "malformed request"), reject (409, a business refusal), down (the port refuses).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pika
import structlog

from connectors.metering import events, lifecycle, wire
from hub.toolkit import (
    Credentials,
    FailureMode,
    InboundServer,
    Inbox,
    InvalidMessage,
    Request,
    Response,
    Simulator,
)

log = structlog.get_logger("gridhub.metering.simulator")
_JSON = "application/json"
FEED_MAX = 100_000


class MeteringSimulator(Simulator):
    name = "metering"
    default_port = 8104

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0,
                 state_dir: Path | None = None, amqp_url: str | None = None,
                 exchange: str | None = None, step_interval: float | None = None,
                 token: str | None = None, slow_seconds: float = 5.0,
                 clock: lifecycle.Clock | None = None) -> None:
        super().__init__(host=host, port=port, state_dir=state_dir)
        self.clock = clock  # the business clock its people work on; None: the real one
        self.amqp_url = amqp_url
        self.exchange = exchange
        self.step_interval = step_interval
        self.slow_seconds = slow_seconds
        self.market = Inbox()  # the datahub's reminders, canonical JSON (POST /api/v1/market)
        self._credentials = Credentials(token=token) if token else None
        self._lock = threading.RLock()
        self._server: InboundServer | None = None
        self._publisher: _EventPublisher | None = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._running = False
        self.outcome = "reported"
        self.orders: dict[str, dict[str, Any]] = {}
        self.by_request: dict[str, str] = {}
        self.cancelled: list[str] = []  # work orders cancelled on request, in order
        self.cancel_comments: dict[str, str] = {}  # work order -> the comment its people read
        # the events sent, newest last (for tests and the demo)
        self.published: deque[dict[str, Any]] = deque(maxlen=10_000)
        # the HTTP event feed: (seq, routing key, event), the oldest dropped past FEED_MAX
        self.feed: deque[tuple[int, str, Any]] = deque(maxlen=FEED_MAX)
        # seq -> fields served in that feed entry instead (a coordinator writing a bad feed)
        self.broken_entries: dict[int, dict[str, Any]] = {}
        self._seq = 0

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> MeteringSimulator:
        self.exchange = self.exchange or "quant.events"
        self._load()
        if self.amqp_url:
            self._publisher = _EventPublisher(self.amqp_url, self.exchange)
        self._running = True
        if self.failure != FailureMode.DOWN:
            self._listen()
        self._stop.clear()
        if self.step_interval:
            self._ticker = threading.Thread(target=self._tick, name="metering-sim-steps",
                                            daemon=True)
            self._ticker.start()
        return self

    def stop(self) -> None:
        self._running = False
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(5)
        with self._lock:
            if self._server is not None:
                self._server.stop()
                self._server = None
            if self._publisher is not None:
                self._publisher.close()

    def fail(self, mode: FailureMode | str) -> None:
        super().fail(mode)
        if not self._running:
            return
        with self._lock:
            if self.failure == FailureMode.DOWN and self._server is not None:
                self._server.stop()
                self._server = None
            elif self.failure != FailureMode.DOWN and self._server is None:
                self._listen()

    def _listen(self) -> None:
        self._server = InboundServer(self._handle, self._credentials, host=self.host,
                                  port=self.port).start()
        self.port = self._server.port  # a restart after "down" binds the same port

    def _tick(self) -> None:
        assert self.step_interval is not None
        while not self._stop.wait(self.step_interval):
            try:
                self.advance()
            except Exception as exc:  # keep ticking: the broker may come back
                log.warning("metering.sim.step_failed", error=str(exc)[:300])

    # -- business ------------------------------------------------------------------------------

    def advance(self, workorder_id: str | None = None) -> list[dict[str, Any]]:
        """Move one (or every open) work order one step and publish the events."""
        with self._lock:
            ids = [workorder_id] if workorder_id else list(self.orders)
            events = [e for i in ids if i in self.orders
                      for e in [lifecycle.advance(self.orders[i], clock=self.clock)]
                      if e is not None]
            for event in events:
                self._publish(f"workorder.{event['eventType'].lower()}", event)
            self._save()
        return events

    def publish_metering_values(self, gsrn: str, day: date,
                                resolution: str = "PT15M") -> dict[str, Any]:
        event = lifecycle.values_event(gsrn, day, resolution, clock=self.clock)
        with self._lock:
            self._publish("meteringvalues.collected", event)
        return event

    def publish_raw(self, body: bytes, routing_key: str = "workorder.broken") -> None:
        """Publish any bytes as an event (to show what a consumer does with a bad one); the
        feed carries it as JSON when it is JSON, else as a string."""
        with self._lock:
            if self._publisher is not None:
                self._publisher.publish(routing_key, body, message_id=None)
            try:
                event: Any = json.loads(body)
            except ValueError:
                event = body.decode("utf-8", "replace")
            self._seq += 1
            self.feed.append((self._seq, routing_key, event))

    def _publish(self, routing_key: str, event: dict[str, Any]) -> None:
        if self._publisher is not None:
            body = json.dumps(event, ensure_ascii=False).encode("utf-8")
            self._publisher.publish(routing_key, body, message_id=event["eventId"])
        self._seq += 1
        self.feed.append((self._seq, routing_key, event))
        self.published.append(event)

    def create(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            known = self.by_request.get(request["requestId"])
            if known is not None:
                return 200, lifecycle.resource(self.orders[known])
            order = lifecycle.new_order(request, len(self.orders) + 1, self.outcome,
                                        clock=self.clock)
            self.orders[order["workOrderId"]] = order
            self.by_request[order["requestId"]] = order["workOrderId"]
            self._save()
            return 201, lifecycle.resource(order)

    def reported(self) -> list[dict[str, Any]]:
        """The work orders reported done (their meter in place), as the REST API shows them:
        ``updatedAt`` is when the report came."""
        with self._lock:
            return [lifecycle.resource(o) for o in self.orders.values()
                    if o["status"] == "REPORTED"]

    # -- HTTP ----------------------------------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        path = request.path.split("?", 1)[0].rstrip("/")
        if path.startswith("/_control/"):
            return self._control(path.removeprefix("/_control/"), request)
        if self.failure == FailureMode.SLOW:
            time.sleep(self.slow_seconds)
        elif self.failure == FailureMode.SERVER_ERROR:
            return _error(503, "UNAVAILABLE", "the coordinator is restarting")
        if path == "/api/v1/market" and request.method == "POST":
            return self.market.take(request.body)
        if path == "/api/v1/health" and request.method == "GET":
            return Response(200, b'{"status": "ok"}')
        if path == "/api/v1/workorders" and request.method == "POST":
            return self._post_workorder(request)
        if path == "/api/v1/events" and request.method == "GET":
            return self._events(request)
        if path.startswith("/api/v1/workorders/") and request.method == "POST":
            return self._instruction(path, request)
        if path.startswith("/api/v1/workorders/") and request.method == "GET":
            order = self.orders.get(path.rsplit("/", 1)[1])
            if order is None:
                return _error(404, "NOT_FOUND", "no such work order")
            return _json(200, lifecycle.resource(order))
        return _error(404, "NOT_FOUND", f"no route {request.method} {path}")

    def _post_workorder(self, request: Request) -> Response:
        if self.failure == FailureMode.SOAP_FAULT:
            return _error(400, "INVALID_REQUEST", "malformed request (simulated)")
        if self.failure == FailureMode.REJECT:
            return _error(409, "REJECTED", "the coordinator refuses this order (simulated)")
        try:
            doc = wire.parse_json(request.body, where="request body")
        except InvalidMessage as exc:
            return _error(400, "INVALID_REQUEST", str(exc))
        violation = wire.first_violation(doc, wire.schema_of(wire.REQUEST))
        if violation is not None:
            return _error(400, "INVALID_REQUEST", f"{violation[0]}: {violation[1]}",
                          violation[0])
        status, body = self.create(doc)
        return _json(status, body)

    def _instruction(self, path: str, request: Request) -> Response:
        parts = path.split("/")  # '', api, v1, workorders, {id}, release|cancel
        if len(parts) != 6 or parts[5] not in ("release", "cancel"):
            return _error(404, "NOT_FOUND", f"no route POST {path}")
        try:
            doc = wire.parse_json(request.body, where="request body")
        except InvalidMessage as exc:
            return _error(400, "INVALID_REQUEST", str(exc))
        violation = wire.first_violation(doc, "workorder-instruction")
        if violation is not None:
            return _error(400, "INVALID_REQUEST", f"{violation[0]}: {violation[1]}",
                          violation[0])
        with self._lock:
            order = self.orders.get(parts[4])
            if order is None:
                return _error(404, "NOT_FOUND", "no such work order")
            if parts[5] == "release":
                order["_held"] = False
            elif lifecycle.cancel(order):
                self.cancelled.append(order["workOrderId"])
                if doc.get("comment"):
                    self.cancel_comments[order["workOrderId"]] = str(doc["comment"])
                self.advance(order["workOrderId"])  # the CANCELLED event, now
            self._save()
            return _json(200, lifecycle.resource(order))

    def _events(self, request: Request) -> Response:
        query = parse_qs(urlsplit(request.path).query)
        try:
            after = int(query.get("after", ["0"])[0])
            limit = min(int(query.get("limit", ["100"])[0]), 1000)
        except ValueError:
            return _error(400, "INVALID_REQUEST", "after and limit are whole numbers")
        with self._lock:
            items = [{"seq": seq, "routingKey": key, "event": event}
                     | self.broken_entries.get(seq, {})
                     for seq, key, event in self.feed if seq > after][:limit]
            return _json(200, {"events": items, "last": self._seq})

    def _control(self, action: str, request: Request) -> Response:
        try:
            body = json.loads(request.body or b"{}")
            if action == "fail":
                mode = FailureMode(body.get("mode", "none"))
                seconds = float(body.get("seconds", 5))
                # After answering: going down from inside a request closes our own listener.
                threading.Timer(0.05, self._switch, (mode, seconds)).start()
                return _json(200, {"mode": mode.value})
            if action == "advance":
                return _json(200, {"events": self.advance(body.get("workOrderId"))})
            if action == "outcome":
                if body.get("outcome") not in lifecycle.OUTCOMES:
                    raise ValueError(f"outcome is one of {', '.join(lifecycle.OUTCOMES)}")
                self.outcome = body["outcome"]
                return _json(200, {"outcome": self.outcome})
            if action == "meteringvalues":
                event = self.publish_metering_values(
                    body["gsrn"], date.fromisoformat(body["day"]),
                    body.get("resolution", "PT15M"))
                return _json(200, {"eventId": event["eventId"], "values": len(event["values"])})
        except (ValueError, KeyError, TypeError, RuntimeError) as exc:
            return _error(400, "INVALID_CONTROL", str(exc))
        return _error(404, "NOT_FOUND", f"no control action {action!r}")

    def _switch(self, mode: FailureMode, seconds: float) -> None:
        self.fail(mode)
        if mode == FailureMode.DOWN:
            threading.Timer(seconds, self._come_back).start()

    def _come_back(self) -> None:
        if self.failure == FailureMode.DOWN:
            self.fail(FailureMode.NONE)

    # -- state ---------------------------------------------------------------------------------

    @property
    def _state_file(self) -> Path | None:
        return self.state_dir / "metering.json" if self.state_dir else None

    def _load(self) -> None:
        if self._state_file is None or not self._state_file.exists():
            return
        state = json.loads(self._state_file.read_text(encoding="utf-8"))
        self.orders = state.get("orders", {})
        self.by_request = {o["requestId"]: i for i, o in self.orders.items()}
        self.outcome = state.get("outcome", "reported")
        self.feed.extend((int(seq), key, event) for seq, key, event in state.get("feed", []))
        self._seq = int(state.get("seq", 0))

    def _save(self) -> None:
        if self._state_file is None:
            return
        tmp = self._state_file.with_suffix(".tmp")
        # The feed and its numbering survive a restart: a consumer's cursor stays valid.
        tmp.write_text(json.dumps({"orders": self.orders, "outcome": self.outcome,
                                   "seq": self._seq, "feed": list(self.feed)},
                                  ensure_ascii=False), encoding="utf-8")
        tmp.replace(self._state_file)


class _EventPublisher:
    """One pika connection with publisher confirms; reconnects once on a lost connection."""

    def __init__(self, url: str, exchange: str) -> None:
        self.url = url
        self.exchange = exchange
        self._connection: pika.BlockingConnection | None = None
        self._channel: Any = None

    def publish(self, routing_key: str, body: bytes, *, message_id: str | None) -> None:
        props = pika.BasicProperties(content_type=_JSON, delivery_mode=2,
                                     message_id=message_id)
        for attempt in (1, 2):
            try:
                channel = self._open()
                channel.basic_publish(self.exchange, routing_key, body, props, mandatory=False)
                return
            except pika.exceptions.AMQPError:
                self.close()
                if attempt == 2:
                    raise

    def _open(self) -> Any:
        if self._channel is None or not self._channel.is_open:
            self._connection = pika.BlockingConnection(events.parameters(self.url))
            self._channel = self._connection.channel()
            self._channel.confirm_delivery()
            self._channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        return self._channel

    def close(self) -> None:
        if self._connection is not None and self._connection.is_open:
            with contextlib.suppress(pika.exceptions.AMQPError):
                self._connection.close()
        self._connection = None
        self._channel = None


def _json(status: int, body: Any) -> Response:
    return Response(status, json.dumps(body, ensure_ascii=False).encode("utf-8"), _JSON)


def _error(status: int, code: str, message: str, field: str | None = None) -> Response:
    error = {"code": code, "message": message} | ({"field": field} if field else {})
    return _json(status, {"error": error})
