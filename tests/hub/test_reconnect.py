"""After a broker outage (issue 20 item 5): the reconnect pause starts short again once consuming
worked, and the stage's old publishing connection is dropped with the consumer's, so the first
batch after the reconnect does not fail on it (which cost 15-21 s)."""

import threading
from typing import Any

import pytest
from kombu import Connection, Exchange, Producer, Queue

from hub.brokers import BrokerOptions, Brokers
from hub.consumer import PAUSE_MIN_S, BatchConsumer
from hub.heartbeats import Heartbeats
from hub.publisher import LockedPublisher, Outgoing, Publisher
from hub.stagelink import StageLink
from tests.support.hubrun import wait_until
from tests.support.tcpproxy import TcpProxy


class _RecordingStop(threading.Event):
    """A stop event that records the pauses asked of it and does not sleep them."""

    def __init__(self) -> None:
        super().__init__()
        self.pauses: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        if timeout is not None and timeout >= PAUSE_MIN_S:
            self.pauses.append(timeout)
        return self.is_set()


def _queue(namespace: str, name: str) -> Queue:
    return Queue(f"{namespace}.{name}", Exchange(f"{namespace}.rx", type="direct"),
                 routing_key=name, durable=True)


def _publish(url: str, queue: Queue, numbers: range) -> None:
    with Connection(url) as conn:
        queue(conn.channel()).declare()
        producer = Producer(conn.channel())
        for n in numbers:
            producer.publish(str(n).encode(), exchange=queue.exchange,
                             routing_key=queue.routing_key, delivery_mode=2)


def _depth(url: str, queue: Queue) -> int:
    with Connection(url) as conn:
        return int(queue(conn.channel()).queue_declare(passive=True).message_count)


@pytest.mark.timeout(60)
def test_the_pause_is_short_again_after_a_reconnect(amqp_url, amqp_namespace) -> None:
    queue = _queue(amqp_namespace, "pause")
    _publish(amqp_url, queue, range(5))
    calls = {"connect": 0, "handle": 0}

    def connect() -> Connection:
        calls["connect"] += 1
        if calls["connect"] <= 6:  # a long outage: the pause grows to its maximum
            raise ConnectionRefusedError("broker away (test)")
        return Connection(amqp_url)

    stop = _RecordingStop()

    def handle(batch: list[Any]) -> None:
        calls["handle"] += 1
        if calls["handle"] == 1:  # the first batch after the outage fails once
            raise ConnectionResetError("a blip after the reconnect (test)")
        stop.set()

    BatchConsumer(connect, queue, handle, prefetch=10, batch_max=10,
                  linger_s=0.01).run(stop)
    assert stop.pauses[:6] == [0.5, 1.0, 2.0, 4.0, 8.0, 15.0]
    assert stop.pauses[6] == PAUSE_MIN_S  # was 15 s: the outage before it was over


class _Forwarder:
    """A stage that publishes each batch to another queue; counts its failures."""

    def __init__(self, conn: Connection, out: Queue, failures: list[str]) -> None:
        self._publisher = Publisher(conn, confirm_timeout_s=5)
        self._out = out
        self._failures = failures

    def handle(self, batch: list[Any]) -> Any:
        try:
            upto = self._publisher.publish_unconfirmed(
                [Outgoing(self._out.exchange, self._out.routing_key, m.body) for m in batch])
        except Exception as exc:
            self._failures.append(repr(exc))
            raise
        return None if upto is None else (lambda: self._publisher.settle(upto))


@pytest.mark.timeout(90)
def test_the_first_batch_after_a_broker_restart_does_not_fail(amqp_url, amqp_namespace) -> None:
    inbound, out = _queue(amqp_namespace, "in"), _queue(amqp_namespace, "out")
    _publish(amqp_url, out, range(0))
    failures: list[str] = []
    stop = threading.Event()
    with TcpProxy(("127.0.0.1", Connection(amqp_url).port or 5672)) as node:
        brokers = Brokers(node.url(), BrokerOptions(heartbeat_s=2, connect_timeout_s=2))
        beats = Heartbeats(2)
        beats.start()
        link = StageLink(brokers, beats, lambda conn: _Forwarder(conn, out, failures))
        consumer = BatchConsumer(brokers.connect, inbound, link.handle, prefetch=20,
                                 batch_max=10, linger_s=0.01, heartbeats=beats,
                                 lost=link.lost)
        thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
        _publish(amqp_url, inbound, range(20))
        thread.start()
        try:
            wait_until(lambda: _depth(amqp_url, out) >= 20, timeout=30, what="20 forwarded")
            node.cut()  # the node restarts: every connection through it dies at once
            _publish(amqp_url, inbound, range(20, 40))
            wait_until(lambda: _depth(amqp_url, out) >= 40, timeout=40,
                       what="20 more forwarded after the reconnect")
        finally:
            stop.set()
            thread.join(20)
            link.close()
            beats.stop()
    assert failures == []  # before: the old publishing connection failed the first batch


@pytest.mark.timeout(60)
def test_a_connectors_publisher_reconnects_after_its_node_went_away(amqp_url,
                                                                  amqp_namespace) -> None:
    """The inbound publisher (what connectors publish through) drops a dead connection without
    the close handshake and connects again on the next publish; given a connection instead of
    a factory (the older signature) it goes on with a clone of it."""
    out = _queue(amqp_namespace, "inbound")
    _publish(amqp_url, out, range(0))
    message = [Outgoing(out.exchange, out.routing_key, b"{}")]
    with TcpProxy(("127.0.0.1", Connection(amqp_url).port or 5672)) as node:
        publisher = LockedPublisher(Connection(node.url()), confirm_timeout_s=5)
        publisher.publish(message)
        node.cut()
        with pytest.raises(Exception):  # noqa: B017 - the socket error of the moment
            publisher.publish(message)
        publisher.publish(message)
        publisher.close()
        assert node.accepted == 2
    wait_until(lambda: _depth(amqp_url, out) == 2, timeout=10, what="two messages published")
