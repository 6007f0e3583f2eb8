"""Publishing with pipelined publisher confirms.

All messages of a batch are written to the channel first, then we wait once until the broker
has confirmed every one of them. A synchronous confirm per message caps RabbitMQ near 1.5k
msg/s on two cores; a window of confirms lets it reach several times that. On the embedded
transport a publish is a committed SQLite write, so it is confirmed when it returns.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

import amqp
from kombu import Connection, Exchange, Producer

from hub.brokers import forget, node_fault
from hub.errors import TargetUnavailable
from hub.heartbeats import Heartbeats, check
from hub.topology import HUB_KEY, partition_key

CONFIRM_TIMEOUT_S = 30.0
JSON = "application/json"


@dataclass(frozen=True)
class Outgoing:
    """One message to publish: raw JSON body, where to, and its headers. A message for the
    hub (``HUB_KEY`` on the inbound exchange) carries its envelope's ``case_id``: on RabbitMQ
    it picks the hub partition, so the body is never parsed again to find it."""

    exchange: Exchange
    routing_key: str
    body: bytes
    headers: Mapping[str, Any] = field(default_factory=dict)
    case_id: str | None = None


class Publisher:
    """Publishes batches and returns only when the broker confirmed all of them."""

    def __init__(self, connection: Connection,
                 confirm_timeout_s: float = CONFIRM_TIMEOUT_S) -> None:
        self._connection = connection
        self._confirm_timeout = confirm_timeout_s
        self._channel = connection.channel()
        self._producer = Producer(self._channel)
        self._confirms = connection.transport.driver_type == "amqp"
        self._published = 0
        self._unconfirmed: set[int] = set()
        self._nacked: list[int] = []
        # Set when a settle failed: its connection may be dead, and the consumer that called
        # settle cannot drop it; the next publish raises, so its owner reconnects.
        self._failed: str | None = None
        if self._confirms:
            self._channel.confirm_select()
            self._channel.events["basic_ack"].add(self._on_ack)
            self._channel.events["basic_nack"].add(self._on_nack)

    def _on_ack(self, tag: int, multiple: bool) -> None:
        if multiple:
            self._unconfirmed = {t for t in self._unconfirmed if t > tag}
        else:
            self._unconfirmed.discard(tag)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        self._nacked.append(tag)
        self._on_ack(tag, multiple)

    def publish(self, messages: Sequence[Outgoing]) -> None:
        """Publish persistently; block until every message is confirmed (or raise)."""
        upto = self.publish_unconfirmed(messages)
        if upto is not None:
            self.settle(upto)

    def publish_unconfirmed(self, messages: Sequence[Outgoing]) -> int | None:
        """Publish persistently and return at once: the result is the tag to pass to
        :meth:`settle` before the inputs may be acked (None: nothing to wait for)."""
        if self._failed is not None:
            raise TargetUnavailable(f"publisher is unusable after an earlier failure: "
                                    f"{self._failed}", where="broker")
        if not self._confirms:  # the embedded transport: a publish is a committed write
            for out in messages:
                self._producer.publish(
                    out.body, exchange=out.exchange, routing_key=out.routing_key,
                    headers=dict(out.headers), delivery_mode=2, content_type=JSON,
                    content_encoding="utf-8", retry=False)
            return None
        for out in messages:
            # py-amqp directly: the message kombu's Producer would build (same properties),
            # without its per-message preparation (a sixth of the publish cost in a profile).
            self._channel.basic_publish(  # type: ignore[attr-defined]
                amqp.Message(out.body, content_type=JSON, content_encoding="utf-8",
                             application_headers=dict(out.headers), delivery_mode=2),
                exchange=out.exchange.name, routing_key=self._key(out))
            self._published += 1
            self._unconfirmed.add(self._published)
        return self._published if messages else None

    def _key(self, out: Outgoing) -> str:
        """On RabbitMQ the hub queue is partitioned by case (``hub.topology``): every
        publisher of inbound messages goes through here, so every one partitions alike."""
        if out.routing_key == HUB_KEY and out.exchange.name.endswith(".in"):
            if out.case_id is None:  # a caller's bug: its case would land in a wrong partition
                raise ValueError(f"a message for the hub on {out.exchange.name} needs its "
                                 "envelope's case_id to pick its partition (Outgoing.case_id)")
            return partition_key(out.case_id)
        return out.routing_key

    def settle(self, upto: int) -> None:
        """Block until the broker confirmed every message up to tag ``upto`` (or raise).
        Later messages may still be in flight: a batch's confirms can arrive while the
        next batch is being worked on."""
        deadline = time.monotonic() + self._confirm_timeout
        while self._unconfirmed and min(self._unconfirmed) <= upto:
            left = deadline - time.monotonic()
            if left <= 0:
                self._fail(f"broker did not confirm {len(self._unconfirmed)} messages in "
                           f"{self._confirm_timeout:g}s")
            try:
                self._connection.drain_events(timeout=min(left, 1.0))
            except (TimeoutError, socket.timeout):  # noqa: UP041 - py-amqp's older paths
                try:  # a node that stopped answering shows here, before the confirm time-out
                    check(self._connection)
                except Exception as exc:
                    self._failed = f"broker stopped answering while confirming: {exc!r}"
                    raise
                continue
            except Exception as exc:
                self._failed = f"connection failed while waiting for confirms: {exc!r}"
                raise
        if self._nacked:  # a refusal fails the batch being settled, even if it was a later one
            count, self._nacked = len(self._nacked), []
            self._fail(f"broker refused {count} messages (nack)")

    def _fail(self, reason: str) -> NoReturn:
        self._failed = reason
        raise TargetUnavailable(reason, where="broker")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._channel.close()


class LockedPublisher:
    """A publisher that many threads (connector servers) may share; one batch at a time.

    It connects on first use and, after a failure, drops its connection without the close
    handshake and connects again on the next publish (to the next node of a cluster): a
    connector's caller gets the failure at once and retries, instead of waiting for a node
    that stopped answering. Between publishes, ``heartbeats`` keeps the idle connection alive.
    """

    def __init__(self, connect: Callable[[], Connection] | Connection, *, attempts: int = 4,
                 confirm_timeout_s: float = CONFIRM_TIMEOUT_S,
                 heartbeats: Heartbeats | None = None,
                 failed: Callable[[Connection], None] | None = None) -> None:
        self._lock = threading.Lock()
        # A connection instead of a factory (the older signature): use it first, then clones.
        self._connect = _factory(connect) if isinstance(connect, Connection) else connect
        self._attempts = attempts
        self._confirm_timeout = confirm_timeout_s
        self._heartbeats = heartbeats
        self._failed = failed
        self._connection: Connection | None = None
        self._publisher: Publisher | None = None

    def publish(self, messages: Sequence[Outgoing]) -> None:
        with self._lock:
            if self._publisher is None or self._connection is None:
                conn = self._connect()
                try:
                    conn.ensure_connection(max_retries=max(1, self._attempts - 1))
                    self._publisher = Publisher(conn, self._confirm_timeout)
                except Exception:
                    forget(conn)
                    raise
                self._connection = conn
                if self._heartbeats is not None:
                    self._heartbeats.register(conn)
            elif self._heartbeats is not None:
                self._heartbeats.take(self._connection)
            try:
                self._publisher.publish(messages)
            except Exception as exc:
                self._drop(failed=node_fault(exc))
                raise
            if self._heartbeats is not None:
                self._heartbeats.give(self._connection)

    def _drop(self, *, failed: bool) -> None:
        conn, self._connection, self._publisher = self._connection, None, None
        if conn is None:
            return
        if self._heartbeats is not None:
            self._heartbeats.drop(conn)
        if failed and self._failed is not None:
            self._failed(conn)
        forget(conn)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._heartbeats is not None:
                self._heartbeats.take(self._connection)
            if self._publisher is not None:
                self._publisher.close()
            conn, self._connection, self._publisher = self._connection, None, None
            if conn is not None:
                if self._heartbeats is not None:
                    self._heartbeats.drop(conn)
                conn.release()


def _factory(first: Connection) -> Callable[[], Connection]:
    given = [first]

    def connect() -> Connection:
        return given.pop() if given else first.clone()
    return connect
