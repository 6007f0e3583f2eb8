"""Broker topology: the names and declarations of every exchange and queue.

    connectors --publish--> {ns}.in  (direct) --"hub"--> {ns}.hub.in      (hub workers)
    hub        --publish--> {ns}.out (direct) --name---> {ns}.out.<name>  (delivery workers)
    scheduler  --publish--> {ns}.out  (due retries and released held messages)

On RabbitMQ the hub queue is split into ``PARTITIONS`` quorum queues by case, so that several
hub processes can share the work and still apply each case's messages in order:

    {ns}.in --"hub.<p>"--> {ns}.hub.in (p = 0) or {ns}.hub.in.<p>   p = crc32(case_id) % N

Every partition queue has a single active consumer, so even two workers that both think they
own a partition never process it at the same time (see ``hub.partitions`` for who consumes
which). The publisher picks the partition from the envelope's case id, which every inbound
``Outgoing`` carries (``partition_key``); a message sent with the plain key "hub" (a client
that bypasses ``hub.publisher``) lands in partition 0.
The embedded broker serves one process: one queue, no partitions.

Retry and dead-letter plumbing lives in the hub, not in broker features: delayed retries wait in
the store's durable scheduler and dead letters in the store, so the embedded transport and
RabbitMQ behave the same (kombu's memory transport would drop a rejected message, and
RabbitMQ's own dead-lettering could not keep the failure's context).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import structlog
from kombu import Connection, Exchange, Queue

log = structlog.get_logger("gridhub.topology")
HUB_KEY = "hub"
# Queue arguments of the replication a deployment asks for (``broker_replicas``). RabbitMQ
# refuses a re-declare whose value differs from the queue's (PRECONDITION_FAILED): an existing
# queue keeps its members, and ``gridhub status`` reports it while it has fewer than asked.
REPLICATION_ARGS = ("x-quorum-initial-group-size", "x-queue-leader-locator")
# 12 splits evenly over 1, 2, 3, 4 and 6 workers; more partitions only cost idle queues.
PARTITIONS = 12


def partition_of(case_id: bytes | str, partitions: int = PARTITIONS) -> int:
    """The partition of a case: stable across processes and restarts (not ``hash()``)."""
    raw = case_id.encode() if isinstance(case_id, str) else case_id
    return zlib.crc32(raw) % partitions


def partition_key(case_id: str, partitions: int = PARTITIONS) -> str:
    """The routing key of an inbound message of case ``case_id``: ``hub.<its partition>``."""
    return f"{HUB_KEY}.{partition_of(case_id, partitions)}"


@dataclass(frozen=True)
class Topology:
    """Names under one namespace; ``quorum`` (and partitions) on RabbitMQ, plain durable
    queues elsewhere."""

    namespace: str
    quorum: bool
    # Members per quorum queue (None: the broker's default, every node at declare time).
    replicas: int | None = None

    @property
    def inbound(self) -> Exchange:
        return Exchange(f"{self.namespace}.in", type="direct", durable=True)

    @property
    def outbound(self) -> Exchange:
        return Exchange(f"{self.namespace}.out", type="direct", durable=True)

    @property
    def partitions(self) -> int:
        return PARTITIONS if self.quorum else 1

    def _args(self) -> dict[str, object] | None:
        return self._quorum_args() if self.quorum else None

    def _quorum_args(self) -> dict[str, object]:
        args: dict[str, object] = {"x-queue-type": "quorum"}
        if self.replicas is not None:
            # Leaders spread over the nodes, not all on the one the declaring process uses.
            args.update({"x-quorum-initial-group-size": self.replicas,
                         "x-queue-leader-locator": "balanced"})
        return args

    def hub_queue(self) -> Queue:
        """The (first) hub queue: partition 0 on RabbitMQ, the only one elsewhere."""
        return self.hub_queues()[0]

    def hub_queues(self) -> list[Queue]:
        if not self.quorum:
            return [Queue(f"{self.namespace}.hub.in", self.inbound, routing_key=HUB_KEY,
                          durable=True)]
        return [self.hub_partition(p) for p in range(self.partitions)]

    def hub_partition(self, p: int) -> Queue:
        name = f"{self.namespace}.hub.in" + (f".{p}" if p else "")
        args = {**self._quorum_args(), "x-single-active-consumer": True}
        return Queue(name, self.inbound, routing_key=f"{HUB_KEY}.{p}", durable=True,
                     queue_arguments=args)

    def delivery_queue(self, connector: str) -> Queue:
        return Queue(
            f"{self.namespace}.out.{connector}", self.outbound, routing_key=connector,
            durable=True, queue_arguments=self._args(),
        )

    def all_queues(self, connectors: Iterable[str]) -> list[Queue]:
        return [*self.hub_queues(), *(self.delivery_queue(c) for c in connectors)]

    def declare(self, connection: Connection, connectors: Iterable[str]) -> None:
        """Declare exchanges, queues and bindings (idempotent)."""
        channel = connection.channel()
        try:
            for queue in self.all_queues(connectors):
                channel = _declare(connection, channel, queue)
            if self.quorum:  # the plain key still arrives somewhere: partition 0
                self.hub_queue().bind(channel).bind_to(exchange=self.inbound,
                                                       routing_key=HUB_KEY)
        finally:
            channel.close()


def _declare(connection: Connection, channel: object, queue: Queue) -> object:
    """Declare ``queue``; one declared before with other replication arguments is kept as it
    is (bindings ensured). Returns the channel to go on with (a refusal closes the old one)."""
    try:
        queue.bind(channel).declare()
        return channel
    except connection.channel_errors as exc:
        if not any(arg in str(exc) for arg in REPLICATION_ARGS):
            raise
    log.warning("topology.replication_kept", queue=queue.name,
                hint="declared earlier with other replication; gridhub status shows its "
                     "members, README 'Running on a RabbitMQ cluster' how to grow it")
    channel = connection.channel()
    bound = queue.bind(channel)
    if bound.exchange is not None:
        bound.exchange.declare()
    bound.queue_declare(passive=True)
    bound.queue_bind()
    return channel


def topology_for(namespace: str, broker_url: str, replicas: int | None = None) -> Topology:
    return Topology(namespace=namespace, quorum=broker_url.startswith(("amqp", "pyamqp")),
                    replicas=replicas)
