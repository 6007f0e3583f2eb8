"""Publisher on RabbitMQ: publishing without waiting, then settling the confirms."""

from kombu import Connection, Exchange, Queue

from hub.publisher import Outgoing, Publisher


def test_publish_unconfirmed_hands_back_a_tag_that_settle_waits_for(amqp_url, amqp_namespace):
    exchange = Exchange(f"{amqp_namespace}.out", type="direct")
    queue = Queue(f"{amqp_namespace}.out.a", exchange, routing_key="a", durable=False)
    with Connection(amqp_url) as conn:
        queue(conn.channel()).declare()
        publisher = Publisher(conn)
        first = publisher.publish_unconfirmed([Outgoing(exchange, "a", b'{"n": 1}')])
        second = publisher.publish_unconfirmed([Outgoing(exchange, "a", b'{"n": 2}'),
                                                Outgoing(exchange, "a", b'{"n": 3}')])
        assert first == 1 and second == 3
        publisher.settle(first)  # returns once tag 1 is confirmed; 2 and 3 may still fly
        publisher.settle(second)
        assert publisher.publish_unconfirmed([]) is None  # nothing to wait for
        publisher.publish([Outgoing(exchange, "a", b'{"n": 4}')])  # waits for its confirm
        publisher.close()
        channel = conn.channel()
        assert queue(channel).queue_declare(passive=True).message_count == 4
        bodies = [queue(channel).get(no_ack=True).body for _ in range(4)]  # decoded: JSON
    assert bodies == ['{"n": 1}', '{"n": 2}', '{"n": 3}', '{"n": 4}']
