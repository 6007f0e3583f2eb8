"""BatchConsumer on RabbitMQ: batches, and acks deferred until the settle a handler returns
(the wait for its confirms) has run."""

import threading

from kombu import Connection, Exchange, Producer, Queue

from hub.consumer import BatchConsumer
from tests.support.hubrun import wait_until


def _queue(namespace: str) -> Queue:
    return Queue(f"{namespace}.batches", Exchange(f"{namespace}.x", type="direct"),
                 routing_key="k", durable=False)


def _fill(url: str, queue: Queue, count: int) -> None:
    with Connection(url) as conn:
        queue(conn.channel()).declare()
        producer = Producer(conn.channel())
        for n in range(count):
            producer.publish(str(n).encode(), exchange=queue.exchange, routing_key="k")


def _unacked_and_ready(url: str, queue: Queue) -> int:
    with Connection(url) as conn:
        return int(queue(conn.channel()).queue_declare(passive=True).message_count)


def test_deferred_batch_is_acked_after_the_next_batch_and_after_its_settle(amqp_url,
                                                                          amqp_namespace):
    queue = _queue(amqp_namespace)
    _fill(amqp_url, queue, 40)
    events: list[str] = []
    seen: list[bytes] = []
    stop = threading.Event()

    def handler(batch):
        number = len([e for e in events if e.startswith("handle")])
        events.append(f"handle {number}")
        seen.extend(m.body for m in batch)
        if len(seen) >= 40:
            stop.set()
        return lambda: events.append(f"settle {number}")

    # The prefetch leaves room for the next batch while one waits for its ack.
    consumer = BatchConsumer(lambda: Connection(amqp_url), queue, handler, prefetch=20,
                             batch_max=10, linger_s=0.05)
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    wait_until(lambda: not thread.is_alive(), timeout=30, what="the consumer to stop")

    assert sorted(int(b) for b in seen) == list(range(40))
    # Batch k is settled once batch k+1 is handled (its transaction overlaps the confirms),
    # and the last one before the consumer stops.
    handled = [e for e in events if e.startswith("handle")]
    assert len(handled) >= 4
    for k in range(len(handled) - 1):
        assert events.index(f"settle {k}") > events.index(f"handle {k + 1}")
    assert events[-1] == f"settle {len(handled) - 1}"
    # Every batch was acked: nothing comes back after the channel is closed.
    assert _unacked_and_ready(amqp_url, queue) == 0


def test_a_failing_settle_returns_the_unacked_batches(amqp_url, amqp_namespace):
    queue = _queue(amqp_namespace)
    _fill(amqp_url, queue, 20)
    stop = threading.Event()
    calls: list[int] = []

    def handler(batch):
        calls.append(len(batch))

        def settle():
            stop.set()  # the consumer reconnects after a failure: stop it there
            raise TimeoutError("broker did not confirm (test)")
        return settle

    consumer = BatchConsumer(lambda: Connection(amqp_url), queue, handler, prefetch=10,
                             batch_max=10, linger_s=0.05)
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    wait_until(lambda: not thread.is_alive(), timeout=30, what="the consumer to stop")

    assert sum(calls) >= 10
    # Nothing was acked: the failed settle left every handled message to be redelivered.
    wait_until(lambda: _unacked_and_ready(amqp_url, queue) == 20, timeout=10,
               what="all 20 messages back in the queue")
