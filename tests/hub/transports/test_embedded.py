import os
import signal
import threading
import time
from pathlib import Path

import pytest
from kombu import Consumer, Exchange, Producer, Queue

from hub.transports import QueueNotFound, embedded_connection, queue_depth
from hub.transports.embedded import Transport
from tests.hub.transports.support import (
    INBOUND,
    case_body,
    hub_queue,
    numbers,
    receive,
    rows_in_file,
    run_python,
    start_python,
    wait_for_line,
)

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "broker.db"


def publish(conn, exchange: Exchange, routing_key: str, ns: range) -> None:
    producer = Producer(conn.channel(), exchange=exchange)
    for n in ns:
        producer.publish(case_body(n), routing_key=routing_key)


def declare(conn, *queues: Queue) -> None:
    channel = conn.channel()
    for queue in queues:
        queue(channel).declare()


def test_round_trip_and_ack_deletes_the_row(path):
    queue = hub_queue()
    with embedded_connection(path) as producer_conn, embedded_connection(path) as consumer_conn:
        declare(producer_conn, queue)
        publish(producer_conn, INBOUND, "hub", range(3))
        assert queue_depth(producer_conn, queue.name) == 3
        got = receive(consumer_conn, queue, 3)
        assert [m.payload for m in got] == [case_body(n) for n in range(3)]
        assert all(m.content_type == "application/json" for m in got)
        assert isinstance(consumer_conn.transport, Transport)
    assert rows_in_file(path) == 0


def test_each_queue_is_fifo(path):
    first, second = hub_queue("q.first", "a"), hub_queue("q.second", "b")
    with embedded_connection(path) as conn:
        declare(conn, first, second)
        producer = Producer(conn.channel(), exchange=INBOUND)
        for n in range(100):
            producer.publish(case_body(n), routing_key="a" if n % 2 else "b")
        assert numbers(receive(conn, first, 50, prefetch=7)) == list(range(1, 100, 2))
        assert numbers(receive(conn, second, 50)) == list(range(0, 100, 2))


def test_unacked_messages_return_in_order_when_the_connection_closes(path):
    queue = hub_queue()
    with embedded_connection(path) as conn:
        declare(conn, queue)
        publish(conn, INBOUND, "hub", range(5))
    with embedded_connection(path) as conn:
        taken = receive(conn, queue, 2, ack=False, prefetch=2)
        assert numbers(taken) == [0, 1]
    with embedded_connection(path) as conn:
        again = receive(conn, queue, 5)
    assert numbers(again) == [0, 1, 2, 3, 4]
    assert [m.delivery_info.get("redelivered", False) for m in again] == [True, True] + [False] * 3


CRASHING_CONSUMER = """
import os, sys
from hub.transports import embedded_connection
from tests.hub.transports.support import INBOUND, hub_queue, receive
from kombu import Producer
from tests.hub.transports.support import case_body
queue = hub_queue()
conn = embedded_connection(sys.argv[1])
queue(conn.channel()).declare()
producer = Producer(conn.channel(), exchange=INBOUND)
for n in range(5):
    producer.publish(case_body(n), routing_key="hub")
receive(conn, queue, 3, ack=False, prefetch=3)
os._exit(0)  # no close, no atexit: the connection just disappears
"""


def test_unacked_messages_are_redelivered_after_an_unclean_disconnect(path):
    done = run_python(CRASHING_CONSUMER, str(path))
    assert done.returncode == 0, done.stderr
    assert rows_in_file(path) == 5
    with embedded_connection(path) as conn:
        again = receive(conn, hub_queue(), 5)
    assert numbers(again) == [0, 1, 2, 3, 4]
    assert [m.delivery_info.get("redelivered", False) for m in again] == [True] * 3 + [False] * 2
    assert rows_in_file(path) == 0


KILLED_WORKER = """
import sys, time
from kombu import Consumer, Producer
from hub.transports import embedded_connection
from tests.hub.transports.support import INBOUND, case_body, hub_queue
queue = hub_queue()
with embedded_connection(sys.argv[1]) as conn:
    queue(conn.channel()).declare()
    producer = Producer(conn.channel(), exchange=INBOUND)
    for n in range(200):
        producer.publish(case_body(n), routing_key="hub")
    channel = conn.channel()
    channel.basic_qos(prefetch_size=0, prefetch_count=100, a_global=False)
    seen = []
    def on_message(message):
        seen.append(message.payload["payload"]["n"])
        if len(seen) <= 30:
            message.ack()
    with Consumer(channel, queues=[queue], on_message=on_message, auto_declare=False):
        while len(seen) < 50:
            conn.drain_events(timeout=10)
        print("READY", flush=True)
        time.sleep(120)
"""


def test_kill_9_loses_nothing_and_redelivers_only_unacked(path):
    worker = start_python(KILLED_WORKER, str(path))
    try:
        wait_for_line(worker, "READY", timeout=30)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.communicate(timeout=10)
    assert worker.returncode == -signal.SIGKILL
    with embedded_connection(path) as conn:
        got = receive(conn, hub_queue(), 170, prefetch=50)
        assert queue_depth(conn, hub_queue().name) == 0
    assert numbers(got) == list(range(30, 200))  # 20 redelivered + 150 never delivered
    redelivered = {m.payload["payload"]["n"] for m in got if m.delivery_info.get("redelivered")}
    assert set(range(30, 50)) <= redelivered
    assert not redelivered & set(range(100, 200))  # never fetched by the killed worker
    assert rows_in_file(path) == 0


SECOND_PROCESS = """
import sys
from hub.transports import BrokerInUse, embedded_connection
try:
    embedded_connection(sys.argv[1]).connect()
except BrokerInUse as exc:
    print(exc)
    sys.exit(3)
"""


def test_a_second_process_is_refused_with_a_clear_error(path):
    with embedded_connection(path) as conn:
        conn.connect()
        refused = run_python(SECOND_PROCESS, str(path))
    assert refused.returncode == 3, refused.stderr
    assert (f"embedded broker {path.resolve()} is in use by pid {os.getpid()}; "
            "use RabbitMQ for more than one process") in refused.stdout


def test_reject_with_requeue_redelivers_first_and_without_drops(path):
    queue = hub_queue()
    with embedded_connection(path) as conn:
        declare(conn, queue)
        publish(conn, INBOUND, "hub", range(3))
        first = receive(conn, queue, 1, ack=False, prefetch=10)[0]
        first.reject(requeue=True)
        got = receive(conn, queue, 3, ack=False, prefetch=10)
        assert numbers(got) == [0, 1, 2]
        assert got[0].delivery_info.get("redelivered") is True
        got[1].reject(requeue=False)
        got[0].ack()
        got[2].ack()
        assert rows_in_file(path) == 0


def test_multiple_ack_acks_everything_up_to_the_tag(path):
    queue = hub_queue()
    with embedded_connection(path) as conn:
        declare(conn, queue)
        publish(conn, INBOUND, "hub", range(5))
        channel = conn.channel()
        channel.basic_qos(prefetch_size=0, prefetch_count=5, a_global=False)
        got = []
        with Consumer(channel, queues=[queue], on_message=got.append, auto_declare=False):
            while len(got) < 5:
                conn.drain_events(timeout=5)
            channel.basic_ack(got[2].delivery_tag, multiple=True)
            assert rows_in_file(path) == 2
        channel.close()  # the two unacked go back
    with embedded_connection(path) as conn:
        assert numbers(receive(conn, queue, 2)) == [3, 4]


def test_topic_and_fanout_exchanges_route_to_every_matching_queue(path):
    topic = Exchange("gridhub.events", type="topic", durable=True)
    fanout = Exchange("gridhub.audit", type="fanout", durable=True)
    single = Queue("q.single", topic, routing_key="case.*")
    deep = Queue("q.deep", topic, routing_key="case.#")
    audit_a, audit_b = Queue("q.audit.a", fanout), Queue("q.audit.b", fanout)
    with embedded_connection(path) as conn:
        declare(conn, single, deep, audit_a, audit_b)
        publish(conn, topic, "case.submitted", range(0, 1))
        publish(conn, topic, "case.completion.approved", range(1, 2))
        publish(conn, topic, "customer.registered", range(2, 3))
        publish(conn, fanout, "", range(3, 4))
        assert numbers(receive(conn, single, 1)) == [0]
        assert numbers(receive(conn, deep, 2)) == [0, 1]
        assert numbers(receive(conn, audit_a, 1)) == [3]
        assert numbers(receive(conn, audit_b, 1)) == [3]
        assert [queue_depth(conn, q.name) for q in (single, deep, audit_a)] == [0, 0, 0]
    assert rows_in_file(path) == 0


def test_topology_is_shared_by_connections_of_the_same_process(path):
    queue = hub_queue()
    with embedded_connection(path) as declarer:
        declare(declarer, queue)
    with embedded_connection(path) as publisher:  # never declared anything itself
        publish(publisher, INBOUND, "hub", range(2))
        assert queue_depth(publisher, queue.name) == 2


def test_a_publish_wakes_a_waiting_consumer_without_polling(path):
    queue = hub_queue()
    options = {"polling_interval": 5.0}
    arrived: list[float] = []
    with embedded_connection(path, transport_options=options) as conn:
        declare(conn, queue)

    def consume() -> None:
        with embedded_connection(path, transport_options=options) as conn:
            got = receive(conn, queue, 1, timeout=3)
            arrived.append(time.monotonic())
            assert numbers(got) == [7]

    consumer = threading.Thread(target=consume)
    consumer.start()
    time.sleep(0.3)  # let it reach the wait
    sent = time.monotonic()
    with embedded_connection(path) as conn:
        publish(conn, INBOUND, "hub", range(7, 8))
    consumer.join(timeout=10)
    assert arrived, "the consumer never received the message"
    assert arrived[0] - sent < 1.0  # the 5 s polling interval was not slept through


def test_prefetched_but_undelivered_messages_return_on_close(path):
    queue = hub_queue()
    with embedded_connection(path) as conn:
        declare(conn, queue)
        publish(conn, INBOUND, "hub", range(20))
        with embedded_connection(path) as consumer_conn:
            channel = consumer_conn.channel()
            channel.basic_qos(prefetch_size=0, prefetch_count=10)
            got: list = []
            with Consumer(channel, queues=[queue], on_message=got.append, auto_declare=False):
                consumer_conn.drain_events(timeout=5)
                assert numbers(got) == [0]
                assert queue_depth(conn, queue.name) == 10  # ten taken in one fetch
            assert queue_depth(conn, queue.name) == 19  # cancel returns the nine undelivered
        assert queue_depth(conn, queue.name) == 20  # close returns the unacked one


def test_basic_get_without_ack_removes_the_message(path):
    queue = hub_queue()
    with embedded_connection(path) as conn:
        declare(conn, queue)
        publish(conn, INBOUND, "hub", range(2))
        channel = conn.channel()
        message = channel.basic_get(queue.name, no_ack=True)
        assert message is not None and message.payload["payload"]["n"] == 0
        assert rows_in_file(path) == 1
        assert channel.basic_get(queue.name).payload["payload"]["n"] == 1
        assert channel.basic_get(queue.name) is None


def test_queue_delete_drops_messages_and_bindings(path):
    queue = hub_queue()
    with embedded_connection(path) as conn:
        declare(conn, queue)
        publish(conn, INBOUND, "hub", range(3))
        queue(conn.channel()).delete()
        publish(conn, INBOUND, "hub", range(3, 4))  # unroutable now: dropped
        with pytest.raises(QueueNotFound, match=r"gridhub\.hub\.in"):
            queue_depth(conn, queue.name)
    assert rows_in_file(path) == 0
