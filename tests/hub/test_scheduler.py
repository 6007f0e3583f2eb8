"""The durable scheduler on a real broker and store: only what is due goes out, and its lease
moves, so a retry waits for its time and is not dispatched twice in a row."""

from datetime import timedelta

from hub import codec
from hub.publisher import Publisher
from hub.router import Router
from hub.routes import load_routes
from hub.scheduler import LEASE, Scheduler
from hub.store import ScheduledRow, Store
from hub.topology import topology_for
from hub.tracing import now
from hub.transports import connection_for
from tests.factories import envelope, swedish_case
from tests.support.hubrun import routes_yaml

ROUTES = """\
  - name: submitted-to-alpha
    match: {type: case.submitted}
    to: [alpha]
"""


def _row(seed: int, due_at):
    env = envelope("case.submitted", swedish_case(seed))
    return ScheduledRow(destination="alpha", case_id=env.case_id, message_id=env.message_id,
                        route="submitted-to-alpha", body=codec.encode(env), attempt=1,
                        first_failure_at=now() - timedelta(minutes=2), due_at=due_at)


def test_a_tick_sends_only_the_due_row_and_moves_its_lease(broker, tmp_path):
    url, namespace = broker
    routes = tmp_path / "routes.yaml"
    routes.write_text(routes_yaml({"alpha": "http://127.0.0.1:9/"}, ROUTES))
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    store.open()
    topology = topology_for(namespace, url)
    start = now()
    due, future, held = (_row(1, start - timedelta(seconds=30)),
                         _row(2, start + timedelta(hours=1)), _row(3, None))
    with store.transaction() as tx:
        tx.schedule([due, future, held])
    with connection_for(url) as conn:
        topology.declare(conn, ["alpha"])
        publisher = Publisher(conn)
        scheduler = Scheduler(store, Router(load_routes(routes)), topology, publisher)
        assert scheduler.tick() == 1
        assert scheduler.tick() == 0  # leased: not sent again on the next tick
        publisher.close()
        queue = topology.delivery_queue("alpha")(conn.channel())
        sent = queue.get(no_ack=True)
        assert queue.get(no_ack=True) is None  # nothing else went out
    assert sent is not None and codec.decode(sent.body).message_id == due.message_id
    with store.transaction() as tx:
        rows = {r.message_id: tx.head_of("alpha", r.case_id) for r in (due, future, held)}
    assert sent.headers[codec.H_SCHEDULED_ID] == rows[due.message_id].id
    assert sent.headers[codec.H_ATTEMPT] == 1
    leased = rows[due.message_id].due_at
    assert start + LEASE <= leased <= now() + LEASE  # the lease moved from the past
    assert rows[future.message_id].due_at == future.due_at  # not yet: untouched
    assert rows[held.message_id].due_at is None  # held: waits for a release, never a tick
    store.close()
