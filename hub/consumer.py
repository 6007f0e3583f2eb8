"""A batch consumer: collect up to ``batch_max`` deliveries (or what arrives within the linger
time), hand them to a handler in one call, then ack them all with one multiple-ack.

Batching is what lets the hub write idempotency keys, projections, outbox rows and the trace
in one store transaction per batch instead of one per message. If the handler raises, nothing
of the batch is acked: the channel is closed, the broker requeues every unacked delivery, and
the loop reconnects after a pause. A stop request finishes the batch in hand first.

The queues may be a function (the hub's partitions on RabbitMQ, ``hub.partitions``): when its
answer changes, the consumer finishes the batch in hand, closes the channel (prefetched
deliveries go back to their queues) and subscribes to the new set.

A handler may return the wait for its publisher confirms (a ``Settle``) instead of waiting
itself: the batch is then acked after the NEXT batch has been handled, once those confirms
are in (the consumer calls the settle first), so the broker's confirm round trip overlaps the
next batch's transaction instead of idling the thread. The ack still follows the confirms,
and batches are still acked in order; a failure before the ack returns both batches to the
queue, as a crash would (their outputs are re-published from the outbox and suppressed as
duplicates downstream).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Sequence

import structlog
from kombu import Connection, Consumer, Queue
from kombu.message import Message

from hub.brokers import forget
from hub.heartbeats import Heartbeats, check

# Waits until the broker confirmed a handled batch's outputs (or raises); the batch may be
# acked only after it returned.
Settle = Callable[[], None]
# Handles one batch; returns the Settle its ack must wait for, or None: ack it at once.
Handler = Callable[[list[Message]], Settle | None]
Queues = Queue | Callable[[], Sequence[Queue]]
log = structlog.get_logger("gridhub.consumer")
PAUSE_MIN_S, PAUSE_MAX_S = 0.5, 15.0


class BatchConsumer:
    """Consumes one queue in batches on its own connection (kombu connections are per thread)."""

    def __init__(
        self,
        connect: Callable[[], Connection],
        queue: Queues,
        handler: Handler,
        *,
        prefetch: int,
        batch_max: int,
        linger_s: float,
        idle: Callable[[], None] | None = None,
        heartbeats: Heartbeats | None = None,
        attempts: int = 2,
        lost: Callable[[Connection, BaseException], None] | None = None,
    ) -> None:
        """``heartbeats`` beats for the connection while the handler runs; ``attempts``
        connection attempts per reconnect (one per cluster node); ``lost`` is told when the
        connection (or the handler) failed, with the failed connection, so its owner can drop
        what shares its fate (the stage's publishing connection) and fail over."""
        self._connect = connect
        self._queue = queue
        self._handler = handler
        self._prefetch = prefetch
        self._batch_max = min(batch_max, prefetch)
        self._linger = linger_s
        self._idle = idle
        self._heartbeats = heartbeats
        self._attempts = attempts
        self._lost = lost
        self._consuming = False
        self._batch: list[Message] = []
        # A handled batch whose ack waits for the settle its handler returned (at most one).
        self._unsettled: tuple[list[Message], Settle] | None = None

    def _queues(self) -> list[Queue]:
        return [self._queue] if isinstance(self._queue, Queue) else list(self._queue())

    def _name(self) -> str:
        return ",".join(q.name for q in self._queues()) or "(none)"

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop`` is set; reconnect with a growing pause after failures. The
        pause starts short again once consuming worked: a later outage is a new one."""
        pause = PAUSE_MIN_S
        while not stop.is_set():
            self._consuming = False
            try:
                self._run_connected(stop)
                pause = PAUSE_MIN_S
            except Exception as exc:  # the loop must outlive broker restarts and store outages
                if self._consuming:
                    pause = PAUSE_MIN_S
                log.warning("consumer.failed", queue=self._name(), error=repr(exc),
                            retry_in_s=pause)
                stop.wait(pause)
                pause = min(pause * 2, PAUSE_MAX_S)

    def _run_connected(self, stop: threading.Event) -> None:
        queues = self._queues()
        if not queues:  # more workers than partitions: nothing is ours for now
            stop.wait(0.5)
            return
        conn = self._connect()
        try:
            conn.ensure_connection(max_retries=max(1, self._attempts - 1))
            if self._heartbeats is not None:
                self._heartbeats.register(conn)
            self._consume(conn, queues, stop)
        except BaseException as exc:
            # No close handshake: a node that stopped answering would never complete it.
            self._drop(conn)
            forget(conn)
            if self._lost is not None:
                self._lost(conn, exc)
            raise
        self._drop(conn)
        conn.release()

    def _drop(self, conn: Connection) -> None:
        if self._heartbeats is not None:
            self._heartbeats.drop(conn)

    def _consume(self, conn: Connection, queues: list[Queue], stop: threading.Event) -> None:
        channel = conn.channel()
        # The prefetch is per consumer (quorum queues have no per-channel limit): share it
        # over the queues, so a process with many partitions holds no more than with one.
        share = max(1, -(-self._prefetch // len(queues)))
        channel.basic_qos(prefetch_size=0, prefetch_count=share, a_global=False)
        consumer = Consumer(channel, queues=queues, on_message=self._batch.append,
                            no_ack=False, auto_declare=False)
        self._batch.clear()
        self._unsettled = None
        consumer.consume()
        self._consuming = True
        try:
            while not stop.is_set() and _names(self._queues()) == _names(queues):
                self._fill(conn, stop)
                if self._batch:
                    self._flush(conn, channel)
                else:
                    self._settle(channel)  # nothing new: don't hold the last acks
                    if self._idle is not None:
                        self._idle()
            self._settle(channel)  # stop or hand-over: ack what is handled first
        finally:
            # Prefetched but unhandled deliveries go back to the queue on channel close.
            # On RabbitMQ we close without a basic.cancel first: a cancel would hand a
            # single-active-consumer partition to the next worker while our prefetched
            # deliveries are still out, and it could overtake them; a close returns
            # them and hands over in one step.
            if conn.transport.driver_type != "amqp":
                consumer.cancel()
            self._batch.clear()
            self._unsettled = None

    def _fill(self, conn: Connection, stop: threading.Event) -> None:
        check(conn)  # heartbeats: once per batch or idle wait (at most ~0.2 s apart)
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

    def _flush(self, conn: Connection, channel: object) -> None:
        batch = list(self._batch)
        self._batch.clear()
        if self._heartbeats is None:
            settle = self._handler(batch)
        else:  # a handler may take long (a slow target): heartbeats go on meanwhile
            with self._heartbeats.lent(conn):
                settle = self._handler(batch)
        self._settle(channel)  # the previous batch: its confirms came in meanwhile
        if settle is not None:
            self._unsettled = (batch, settle)
        else:
            _ack(channel, batch)

    def _settle(self, channel: object) -> None:
        if self._unsettled is None:
            return
        batch, settle = self._unsettled
        settle()
        self._unsettled = None
        _ack(channel, batch)


def _ack(channel: object, batch: list[Message]) -> None:
    # One multiple-ack per batch: one frame on AMQP, one transaction on the embedded broker.
    last = max(m.delivery_tag for m in batch)
    channel.basic_ack(delivery_tag=last, multiple=True)  # type: ignore[attr-defined]


def _names(queues: Sequence[Queue]) -> list[str]:
    return [q.name for q in queues]
