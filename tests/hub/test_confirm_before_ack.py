"""The hub stage acks an inbound batch only after the broker confirmed its outputs: when the
broker refuses them (nack), the batch goes back on its hub queue instead of being lost.

The refusal is RabbitMQ's own: the delivery queue holds no message (``x-max-length: 0``,
``x-overflow: reject-publish``), so every output routed to it is nacked."""

import threading

from kombu import Connection, Queue

from hub import codec
from hub.consumer import BatchConsumer, Settle
from hub.pipeline import HubStage
from hub.publisher import Outgoing, Publisher
from hub.router import Router
from hub.routes import load_routes
from hub.store import Store
from hub.topology import HUB_KEY, topology_for
from tests.factories import envelope, swedish_case
from tests.support.hubrun import routes_yaml, wait_until

ROUTES = """\
  - name: submitted-to-alpha
    match: {type: case.submitted}
    to: [alpha]
"""


def test_outputs_the_broker_refuses_return_the_inbound_batch(amqp_url, amqp_namespace,
                                                               tmp_path):
    routes = tmp_path / "routes.yaml"
    routes.write_text(routes_yaml({"alpha": "http://127.0.0.1:9/"}, ROUTES))
    router = Router(load_routes(routes))
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    store.open()
    topology = topology_for(amqp_namespace, amqp_url)
    full = Queue(f"{amqp_namespace}.out.alpha", topology.outbound, routing_key="alpha",
                 durable=True, queue_arguments={"x-max-length": 0,
                                                "x-overflow": "reject-publish"})
    msg = envelope("case.submitted", swedish_case(4))
    with Connection(amqp_url) as conn:
        topology.declare(conn, [])
        full(conn.channel()).declare()
        publisher = Publisher(conn)
        publisher.publish([Outgoing(topology.inbound, HUB_KEY, codec.encode(msg),
                                    case_id=msg.case_id)])
        publisher.close()

    handled: list[str] = []
    stages: list[tuple[Connection, HubStage]] = []

    def handle(batch) -> Settle | None:  # as hub.app wires it: a stage per connection
        if not stages:
            conn = Connection(amqp_url)
            stages.append((conn, HubStage(store, router, topology, Publisher(conn))))
        handled.extend(codec.decode(m.body).message_id for m in batch)
        try:
            return stages[0][1].handle(batch)
        except Exception:
            stages.pop()[0].release()
            raise

    stop = threading.Event()
    consumer = BatchConsumer(lambda: Connection(amqp_url), topology.hub_queues, handle,
                             prefetch=10, batch_max=10, linger_s=0.01)
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(lambda: msg.message_id in handled and store.case(msg.case_id) is not None,
                   what="the hub stage to apply the input")
    finally:
        stop.set()
        thread.join(30)
        for conn, _ in stages:
            conn.release()
    assert not thread.is_alive()

    def back_on_its_queue() -> bool:
        with Connection(amqp_url) as conn:
            channel = conn.channel()
            return sum(q(channel).queue_declare(passive=True).message_count
                       for q in topology.hub_queues()) == 1
    wait_until(back_on_its_queue, timeout=15,
               what="the inbound message back on its hub queue (its output was nacked)")
    with Connection(amqp_url) as conn:  # and nothing reached the target's queue
        assert full(conn.channel()).queue_declare(passive=True).message_count == 0
    # Applied and stored: a redelivery re-publishes the stored outputs (outbox).
    with store.transaction() as tx:
        assert [row.input_id for row in tx.outbox_for([msg.message_id])] == [msg.message_id]
    store.close()
