"""RabbitMQ side of the benchmark: topology per contender, the load publisher, queue checks.

Every contender gets its own namespace and the very topology gridhub declares (quorum queues,
durable direct exchanges ``{ns}.in`` and ``{ns}.out``, output queues ``{ns}.out.sink-a`` and
``{ns}.out.sink-b``), so the three differ only in the program between the queues. The load
publisher is the hub's own pipelined-confirm publisher: persistent messages, confirmed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence

import pika
from kombu import Connection, Queue

from bench.messages import Input, stamp
from hub.publisher import Outgoing, Publisher
from hub.topology import HUB_KEY, PARTITIONS, Topology

SINKS = ("sink-a", "sink-b")
DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
PUBLISH_BATCH = 500


def topology(namespace: str) -> Topology:
    return Topology(namespace=namespace, quorum=True)


def output_queues(namespace: str) -> list[str]:
    return [topology(namespace).delivery_queue(s).name for s in SINKS]


def input_queue(namespace: str) -> str:
    return str(topology(namespace).hub_queue().name)


def input_queues(namespace: str) -> list[str]:
    """gridhub's partitions of the hub queue (``hub.topology``)."""
    return [str(q.name) for q in topology(namespace).hub_queues()]


def declare(url: str, namespace: str, partitioned: bool = True) -> None:
    """Exchanges, the input queue(s) and the two output queues. ``partitioned``: as gridhub
    declares them (the hub queue split by case); otherwise one input queue bound to every
    partition key, so the relays consume everything the same load publisher sends."""
    top = topology(namespace)
    with Connection(url) as conn:
        if partitioned:
            top.declare(conn, SINKS)
            return
        channel = conn.channel()
        try:
            for queue in (top.delivery_queue(s) for s in SINKS):
                queue.bind(channel).declare()
            single = Queue(input_queue(namespace), top.inbound, routing_key=HUB_KEY,
                           durable=True, queue_arguments={"x-queue-type": "quorum"})
            bound = single.bind(channel)
            bound.declare()
            for p in range(PARTITIONS):
                bound.bind_to(exchange=top.inbound, routing_key=f"{HUB_KEY}.{p}")
        finally:
            channel.close()


def delete(url: str, namespace: str) -> None:
    """Remove every queue and exchange of ``namespace`` (missing ones are fine)."""
    top = topology(namespace)
    with contextlib.closing(pika.BlockingConnection(pika.URLParameters(url))) as conn:
        for name in (*input_queues(namespace), *output_queues(namespace)):
            with contextlib.closing(conn.channel()) as ch, contextlib.suppress(Exception):
                ch.queue_delete(name)
        for exchange in (top.inbound.name, top.outbound.name):
            with contextlib.closing(conn.channel()) as ch, contextlib.suppress(Exception):
                ch.exchange_delete(str(exchange))


def queue_state(url: str, queue: str) -> tuple[int, int]:
    """(ready messages, consumers) of ``queue``."""
    with contextlib.closing(pika.BlockingConnection(pika.URLParameters(url))) as conn:
        ok = conn.channel().queue_declare(queue, passive=True)
        return int(ok.method.message_count), int(ok.method.consumer_count)


def wait_for_consumers(url: str, queue: str, count: int, timeout_s: float,
                       alive: Callable[[], bool] = lambda: True) -> None:
    """Block until ``queue`` has ``count`` consumers; raise naming the queue after the timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if queue_state(url, queue)[1] >= count:
            return
        if not alive():
            raise RuntimeError(f"the contender exited before it consumed from {queue}")
        time.sleep(0.1)
    raise TimeoutError(f"{queue}: fewer than {count} consumers after {timeout_s:g}s")


def wait_for_partitions(url: str, namespace: str, timeout_s: float,
                        alive: Callable[[], bool] = lambda: True, settle_s: float = 2.5) -> None:
    """Block until every hub partition has a consumer, then let the workers' heartbeats
    settle who owns which (``hub.partitions``) before the measured phase."""
    for name in input_queues(namespace):
        wait_for_consumers(url, name, 1, timeout_s, alive)
    time.sleep(settle_s)


def server_version(url: str) -> str:
    with contextlib.closing(pika.BlockingConnection(pika.URLParameters(url))) as conn:
        props = conn._impl.server_properties  # pika keeps the broker's properties here
        raw = props.get("version", b"?")
        return raw.decode() if isinstance(raw, bytes) else str(raw)


class Load:
    """Publishes inputs to ``{ns}.in`` with the key the hub queue is bound by, confirmed."""

    def __init__(self, url: str, namespace: str) -> None:
        self._conn = Connection(url)
        self._conn.ensure_connection(max_retries=3)
        self._publisher = Publisher(self._conn)
        self._exchange = topology(namespace).inbound

    def close(self) -> None:
        self._publisher.close()
        self._conn.release()

    def publish(self, items: Sequence[Input]) -> None:
        """Publish ``items`` as one confirmed batch, each stamped with the time it is sent."""
        self._publisher.publish([Outgoing(self._exchange, HUB_KEY, stamp(item, time.time()),
                                          case_id=item.case_id)
                                 for item in items])

    def preload(self, items: Sequence[Input]) -> float:
        """Publish everything as fast as confirms allow; returns messages/s."""
        started = time.perf_counter()
        for start in range(0, len(items), PUBLISH_BATCH):
            self.publish(items[start:start + PUBLISH_BATCH])
        return len(items) / max(time.perf_counter() - started, 1e-9)

    def paced(self, items: Sequence[Input], rate: float, tick_s: float = 0.005) -> float:
        """Publish ``items`` at ``rate`` per second (open loop: a late tick catches up in a
        bigger batch, so the offered load does not drop when the system slows down).
        Returns the rate actually achieved."""
        started = time.perf_counter()
        sent = 0
        while sent < len(items):
            due = min(len(items), int((time.perf_counter() - started) * rate) + 1)
            if due > sent:
                batch = items[sent:min(due, sent + PUBLISH_BATCH)]
                self.publish(batch)
                sent += len(batch)
            else:
                time.sleep(tick_s)
        return sent / max(time.perf_counter() - started, 1e-9)
