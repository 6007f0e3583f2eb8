"""Broker addresses as a list, failover order, heartbeats and bounded waits (issue 20 items 1, 3).

A node that fails is played by a TCP proxy on loopback in front of the real RabbitMQ
(``tests.support.tcpproxy``): frozen, it accepts connections and moves no byte, as a node
stopped with SIGSTOP does."""

import json
import random
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from kombu import Connection, Exchange, Producer, Queue

from hub.brokers import BrokerOptions, Brokers, Failover, split_addresses
from hub.config import Settings
from hub.consumer import BatchConsumer
from hub.heartbeats import Heartbeats
from tests.conftest import free_port
from tests.support.hubrun import wait_until
from tests.support.tcpproxy import TcpProxy


def _node(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 5672


def test_a_list_of_nodes_in_toml_and_in_the_environment(tmp_path: Path, monkeypatch) -> None:
    toml = tmp_path / "gridhub.toml"
    toml.write_text('broker_url = ["amqp://u:p@rabbit1:5672//", "amqp://u:p@rabbit2:5672//"]\n'
                    'broker_failover = "in-order"\nbroker_heartbeat = 3\n')
    settings = Settings.load(toml)
    assert settings.broker_url == "amqp://u:p@rabbit1:5672//;amqp://u:p@rabbit2:5672//"
    assert settings.broker_failover is Failover.IN_ORDER
    assert settings.broker_options().heartbeat_s == 3

    monkeypatch.setenv("GRIDHUB_BROKER_URL", json.dumps(["amqp://a@n1//", "amqp://a@n2//",
                                                         "amqp://a@n3//"]))
    assert split_addresses(Settings.load().broker_url) == ["amqp://a@n1//", "amqp://a@n2//",
                                                          "amqp://a@n3//"]
    monkeypatch.setenv("GRIDHUB_BROKER_URL", "amqp://a@n1//;amqp://a@n2//")
    assert len(split_addresses(Settings.load().broker_url)) == 2
    monkeypatch.setenv("GRIDHUB_BROKER_URL", "[not json")
    with pytest.raises(ValueError, match="list of broker URLs"):
        Settings.load()


def test_shuffle_spreads_processes_and_in_order_starts_at_the_first() -> None:
    nodes = [f"amqp://g:g@10.0.0.{n}:5672//" for n in range(1, 4)]
    firsts = {Brokers(";".join(nodes), rng=random.Random(seed)).order()[0]
              for seed in range(30)}
    assert firsts == set(nodes)
    ordered = Brokers(";".join(nodes), BrokerOptions(failover=Failover.IN_ORDER))
    assert ordered.order() == nodes


def test_a_refused_node_is_skipped_and_heartbeats_are_negotiated(amqp_url) -> None:
    dead = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    brokers = Brokers(f"{dead};{amqp_url}",
                      BrokerOptions(heartbeat_s=4, failover=Failover.IN_ORDER))
    conn = brokers.connect()
    try:
        conn.ensure_connection(max_retries=brokers.attempts() - 1)
        assert (conn.hostname, conn.port) == _node(amqp_url)
        assert conn.connection.heartbeat == 4
    finally:
        conn.release()


def test_a_frozen_node_is_left_for_the_next_at_connect(amqp_url) -> None:
    with TcpProxy(_node(amqp_url)) as frozen, TcpProxy(_node(amqp_url)) as live:
        frozen.freeze()
        brokers = Brokers(f"{frozen.url()};{live.url()}",
                          BrokerOptions(connect_timeout_s=1, failover=Failover.IN_ORDER))
        conn = brokers.connect()
        try:
            conn.ensure_connection(max_retries=brokers.attempts() - 1)
            assert conn.port == live.port
            # The failed node is not tried first again by this process.
            brokers.failed(Connection(frozen.url()))
            assert brokers.order()[0] == live.url()
        finally:
            conn.release()


def _queue(namespace: str) -> Queue:
    return Queue(f"{namespace}.failover", Exchange(f"{namespace}.fx", type="direct"),
                 routing_key="k", durable=True, queue_arguments={"x-queue-type": "quorum"})


def _publish(url: str, queue: Queue, numbers: range) -> None:
    with Connection(url) as conn:
        queue(conn.channel()).declare()
        producer = Producer(conn.channel())
        for n in numbers:
            producer.publish(str(n).encode(), exchange=queue.exchange, routing_key="k",
                             delivery_mode=2)


@pytest.mark.timeout(90)
def test_a_consumer_leaves_a_node_that_stops_answering(amqp_url, amqp_namespace) -> None:
    """The node under the consumer freezes mid-stream: heartbeats notice it within two
    intervals and the consumer goes on from the next node; every message arrives."""
    queue = _queue(amqp_namespace)
    _publish(amqp_url, queue, range(0))
    seen: list[int] = []
    stop = threading.Event()
    with TcpProxy(_node(amqp_url)) as first, TcpProxy(_node(amqp_url)) as second:
        brokers = Brokers(f"{first.url()};{second.url()}",
                          BrokerOptions(heartbeat_s=1, connect_timeout_s=1, io_timeout_s=2,
                                        failover=Failover.IN_ORDER))
        beats = Heartbeats(1)
        beats.start()

        def handle(batch):
            seen.extend(int(m.body) for m in batch)
            return None

        consumer = BatchConsumer(brokers.connect, queue, handle, prefetch=20, batch_max=10,
                                 linger_s=0.01, heartbeats=beats, attempts=2,
                                 lost=lambda conn, exc: brokers.failed(conn))
        thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
        thread.start()
        try:
            _publish(amqp_url, queue, range(50))
            wait_until(lambda: len(set(seen)) >= 50, timeout=20, what="50 via the first node")
            first.freeze()
            _publish(amqp_url, queue, range(50, 100))
            wait_until(lambda: len(set(seen)) >= 100, timeout=40,
                       what="the consumer to fail over to the second node")
            assert second.accepted >= 1
            assert brokers.order()[0] == second.url()
        finally:
            stop.set()
            thread.join(20)
            beats.stop()
        assert not thread.is_alive(), "the consumer did not stop: a close waited on the node"
    assert sorted(set(seen)) == list(range(100))


@pytest.mark.timeout(60)
def test_an_idle_connection_lent_to_the_heartbeat_thread_survives(amqp_url) -> None:
    """Heartbeats on: an owner busy elsewhere for longer than the broker's patience (two
    intervals) still has its connection afterwards, because the heartbeat thread beat for it."""
    beats = Heartbeats(1)
    beats.start()
    brokers = Brokers(amqp_url, BrokerOptions(heartbeat_s=1))
    conn = brokers.connect()
    try:
        conn.ensure_connection(max_retries=1)
        beats.register(conn)
        with beats.lent(conn):
            threading.Event().wait(4.5)  # the owner "in a slow handler"
        with conn.channel() as channel:  # would fail: the broker drops a silent client
            channel.queue_declare(queue="", exclusive=True, auto_delete=True)
        conn.heartbeat_check()  # and the client saw the broker's beats once reading again
    finally:
        beats.drop(conn)
        beats.stop()
        conn.release()
