"""Consume the metering coordinator's events from its own RabbitMQ (pika, one thread).

Topology, declared on the coordinator's broker (all durable):

    <exchange> (topic) --#--> <queue> --x-dead-letter-exchange--> <queue>.dlx (fanout)
                                                                  --> <queue>.dead

An event is acked only after the hub's broker confirmed the canonical message
(``publish`` returned). A bad event (not JSON, unknown eventType, breaks the contract or the
payload model, or the hub refuses it as permanent) is nacked without requeue: the broker moves
it to ``<queue>.dead`` with its x-death header, it is logged without its content and kept in
:attr:`EventConsumer.rejected`, and the next event is not blocked. A transient failure to
publish (hub broker down) requeues the event and pauses before consuming again.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

import pika
import structlog
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import AMQPError
from pika.spec import Basic, BasicProperties

from hub.toolkit import Background, PermanentError
from schemas.envelope import Envelope

log = structlog.get_logger("gridhub.metering.events")

Translate = Callable[[bytes], list[Envelope]]
Publish = Callable[[Sequence[Envelope]], None]


class _Pause(Exception):
    """Raised out of the consumer callback to stop consuming for a while."""


@dataclass(frozen=True)
class RejectedEvent:
    """A bad event moved to the dead-letter queue: what and why, never its content."""

    at: datetime
    routing_key: str
    message_id: str | None
    error: str


@dataclass(frozen=True)
class Topology:
    exchange: str
    queue: str
    routing_key: str = "#"
    prefetch: int = 50

    @property
    def dead_exchange(self) -> str:
        return f"{self.queue}.dlx"

    @property
    def dead_queue(self) -> str:
        return f"{self.queue}.dead"


def parameters(url: str) -> pika.URLParameters:
    """pika parameters for an AMQP URL as kombu reads it: ``host//`` is vhost "/" (pika
    alone would ask for vhost "")."""
    params = pika.URLParameters(url)
    path = urlsplit(url).path
    params.virtual_host = unquote(path[1:]) if len(path) > 1 else "/"
    params.socket_timeout = 5
    params.blocked_connection_timeout = 30
    return params


def declare(channel: BlockingChannel, topology: Topology) -> None:
    """Declare the exchange, the queue and its dead-letter queue (idempotent)."""
    channel.exchange_declare(topology.exchange, exchange_type="topic", durable=True)
    channel.exchange_declare(topology.dead_exchange, exchange_type="fanout", durable=True)
    channel.queue_declare(topology.dead_queue, durable=True)
    channel.queue_bind(topology.dead_queue, topology.dead_exchange)
    channel.queue_declare(topology.queue, durable=True,
                          arguments={"x-dead-letter-exchange": topology.dead_exchange})
    channel.queue_bind(topology.queue, topology.exchange, routing_key=topology.routing_key)


class EventConsumer(Background):
    """Runs a pika consumer in a daemon thread; reconnects until :meth:`stop`."""

    def __init__(self, url: str, topology: Topology, translate: Translate, publish: Publish,
                 *, retry_pause: float = 2.0) -> None:
        super().__init__("metering-events")
        self.url = url
        self.topology = topology
        self._translate = translate
        self._publish = publish
        self._retry_pause = retry_pause
        self.consuming = threading.Event()
        self.rejected: deque[RejectedEvent] = deque(maxlen=1000)
        self.acked = 0

    def stop(self, timeout: float = 10.0) -> None:
        super().stop(timeout)
        self.consuming.clear()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._consume()
            except _Pause:
                self._stop.wait(self._retry_pause)
            except AMQPError as exc:
                log.warning("metering.events.broker_lost", error=type(exc).__name__,
                            retry_in_s=self._retry_pause)
                self._stop.wait(self._retry_pause)
            except Exception as exc:  # a bug must not end consuming for good: log, go on
                log.error("metering.events.consumer_failed", error=repr(exc)[:300],
                          retry_in_s=self._retry_pause)
                self._stop.wait(self._retry_pause)

    def _consume(self) -> None:
        connection = pika.BlockingConnection(parameters(self.url))
        try:
            channel = connection.channel()
            declare(channel, self.topology)
            channel.basic_qos(prefetch_count=self.topology.prefetch)
            channel.basic_consume(self.topology.queue, self._on_message)
            self.consuming.set()
            while not self._stop.is_set():
                connection.process_data_events(time_limit=0.2)
        finally:
            self.consuming.clear()
            if connection.is_open:
                connection.close()

    def _on_message(self, channel: BlockingChannel, method: Basic.Deliver,
                    properties: BasicProperties, body: bytes) -> None:
        tag = method.delivery_tag
        try:
            envelopes = self._translate(body)
            self._publish(envelopes)
        except PermanentError as exc:
            self._reject(channel, method, properties, exc)
            return
        except Exception as exc:
            # The hub's broker is away: put the event back, close this connection (which
            # returns the prefetched ones too) and reconnect after a pause.
            log.warning("metering.events.publish_failed", routing_key=method.routing_key,
                        error=str(exc)[:300], retry_in_s=self._retry_pause)
            channel.basic_nack(tag, requeue=True)
            raise _Pause from exc
        channel.basic_ack(tag)
        self.acked += 1

    def _reject(self, channel: BlockingChannel, method: Basic.Deliver,
                properties: BasicProperties, exc: PermanentError) -> None:
        # The error text names the field and rule only (see wire.validate), never values.
        entry = RejectedEvent(datetime.now(UTC), str(method.routing_key),
                              properties.message_id, str(exc)[:500])
        self.rejected.append(entry)
        log.error("metering.events.rejected", routing_key=entry.routing_key,
                  message_id=entry.message_id, error=entry.error,
                  dead_letter_queue=self.topology.dead_queue)
        channel.basic_nack(method.delivery_tag, requeue=False)
