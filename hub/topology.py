"""Broker topology: the names and declarations of every exchange and queue.

    connectors --publish--> {ns}.in  (direct) --"hub"--> {ns}.hub.in      (hub workers)
    hub        --publish--> {ns}.out (direct) --name---> {ns}.out.<name>  (delivery workers)
    scheduler  --publish--> {ns}.out  (due retries and released held messages)

Retry and dead-letter plumbing lives in the hub, not in broker features: delayed retries wait in
the store's durable scheduler and dead letters in the store, so the embedded transport and
RabbitMQ behave the same (kombu's memory transport would drop a rejected message, and
RabbitMQ's own dead-lettering could not keep the failure's context).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kombu import Connection, Exchange, Queue

HUB_KEY = "hub"


@dataclass(frozen=True)
class Topology:
    """Names under one namespace; ``quorum`` on RabbitMQ, plain durable queues elsewhere."""

    namespace: str
    quorum: bool

    @property
    def inbound(self) -> Exchange:
        return Exchange(f"{self.namespace}.in", type="direct", durable=True)

    @property
    def outbound(self) -> Exchange:
        return Exchange(f"{self.namespace}.out", type="direct", durable=True)

    def _args(self) -> dict[str, object] | None:
        return {"x-queue-type": "quorum"} if self.quorum else None

    def hub_queue(self) -> Queue:
        return Queue(
            f"{self.namespace}.hub.in", self.inbound, routing_key=HUB_KEY, durable=True,
            queue_arguments=self._args(),
        )

    def delivery_queue(self, connector: str) -> Queue:
        return Queue(
            f"{self.namespace}.out.{connector}", self.outbound, routing_key=connector,
            durable=True, queue_arguments=self._args(),
        )

    def all_queues(self, connectors: Iterable[str]) -> list[Queue]:
        return [self.hub_queue(), *(self.delivery_queue(c) for c in connectors)]

    def declare(self, connection: Connection, connectors: Iterable[str]) -> None:
        """Declare exchanges, queues and bindings (idempotent)."""
        channel = connection.channel()
        try:
            for queue in self.all_queues(connectors):
                queue.bind(channel).declare()
        finally:
            channel.close()


def topology_for(namespace: str, broker_url: str) -> Topology:
    return Topology(namespace=namespace, quorum=broker_url.startswith(("amqp", "pyamqp")))
