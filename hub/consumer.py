"""A batch consumer: collect up to ``batch_max`` deliveries (or what arrives within the linger
time), hand them to a handler in one call, then ack them all with one multiple-ack.

Batching is what lets the hub write idempotency keys, projections, outbox rows and the trace
in one store transaction per batch instead of one per message. If the handler raises, nothing
of the batch is acked: the channel is closed, the broker requeues every unacked delivery, and
the loop reconnects after a pause. A stop request finishes the batch in hand first.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

import structlog
from kombu import Connection, Consumer, Queue
from kombu.message import Message

Handler = Callable[[list[Message]], None]
log = structlog.get_logger("gridhub.consumer")


class BatchConsumer:
    """Consumes one queue in batches on its own connection (kombu connections are per thread)."""

    def __init__(
        self,
        connect: Callable[[], Connection],
        queue: Queue,
        handler: Handler,
        *,
        prefetch: int,
        batch_max: int,
        linger_s: float,
        idle: Callable[[], None] | None = None,
    ) -> None:
        self._connect = connect
        self._queue = queue
        self._handler = handler
        self._prefetch = prefetch
        self._batch_max = min(batch_max, prefetch)
        self._linger = linger_s
        self._idle = idle
        self._batch: list[Message] = []

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop`` is set; reconnect with a growing pause after failures."""
        pause = 0.5
        while not stop.is_set():
            try:
                self._run_connected(stop)
                pause = 0.5
            except Exception as exc:  # the loop must outlive broker restarts and store outages
                log.warning("consumer.failed", queue=self._queue.name, error=repr(exc),
                            retry_in_s=pause)
                stop.wait(pause)
                pause = min(pause * 2, 15.0)

    def _run_connected(self, stop: threading.Event) -> None:
        with self._connect() as conn:
            conn.ensure_connection(max_retries=1)
            channel = conn.channel()
            channel.basic_qos(prefetch_size=0, prefetch_count=self._prefetch, a_global=False)
            consumer = Consumer(channel, queues=[self._queue], on_message=self._batch.append,
                                no_ack=False, auto_declare=False)
            self._batch.clear()
            with consumer:
                while not stop.is_set():
                    self._fill(conn, stop)
                    if self._batch:
                        self._flush(channel)
                    elif self._idle is not None:
                        self._idle()
                # Prefetched but unhandled deliveries go back to the queue on channel close.
            self._batch.clear()

    def _fill(self, conn: Connection, stop: threading.Event) -> None:
        deadline = time.monotonic() + (self._linger if self._batch else 0.2)
        while len(self._batch) < self._batch_max and not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                conn.drain_events(timeout=left)
            except (TimeoutError, socket.timeout):  # noqa: UP041
                return
            if self._batch:  # after the first arrival, wait at most the linger time
                deadline = min(deadline, time.monotonic() + self._linger)

    def _flush(self, channel: object) -> None:
        batch = list(self._batch)
        self._batch.clear()
        self._handler(batch)
        # One multiple-ack per batch: one frame on AMQP, one transaction on the embedded broker.
        last = max(m.delivery_tag for m in batch)
        channel.basic_ack(delivery_tag=last, multiple=True)  # type: ignore[attr-defined]

