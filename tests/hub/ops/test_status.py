"""``gridhub status`` data from a real broker (embedded and RabbitMQ) and store."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta

from kombu import Connection

from hub.connector import Connector
from hub.ops.management import management_for
from hub.ops.pause import pause
from hub.ops.status import collect
from hub.publisher import Outgoing, Publisher
from hub.store import ScheduledRow
from hub.topology import topology_for
from hub.tracing import hop
from hub.transports import connection_for
from tests.conftest import free_port
from tests.factories import envelope, swedish_case
from tests.hub.ops.conftest import add_dead_letter, hub_settings
from tests.support.hubrun import running_hub, wait_until
from tests.support.sink import Sink
from tests.support.targets import TcpTarget


class SlowTarget(Connector):
    """A target whose health check hangs far longer than status waits."""

    name = "slow-target"

    def reachable(self) -> bool:
        time.sleep(3)
        return True


def _publish(url: str, namespace: str, connector: str, n: int) -> None:
    topology = topology_for(namespace, url)
    with connection_for(url) as conn:
        topology.declare(conn, [connector])
        Publisher(conn).publish([Outgoing(topology.outbound, connector, b"{}") for _ in range(n)])


def _declare(url: str, namespace: str, connectors: list[str]) -> None:
    with connection_for(url) as conn:
        topology_for(namespace, url).declare(conn, connectors)


def test_status_reports_depth_age_waiting_groups_targets_and_pauses(tmp_path, store):
    url = f"embedded://{tmp_path / 'broker.db'}"
    _declare(url, "gridhub", ["alpha", "beta"])
    _publish(url, "gridhub", "alpha", 3)
    add_dead_letter(store, envelope("case.submitted", swedish_case(1)), connector="beta")
    with store.transaction() as tx:
        tx.schedule([ScheduledRow(destination="alpha", case_id="SE-1001", message_id="m1",
                                  body=b"{}", due_at=datetime.now(UTC) - timedelta(minutes=2)),
                     ScheduledRow(destination="alpha", case_id="SE-1001", message_id="m2",
                                  body=b"{}")])
    pause(store, "beta", actor="maria@drift", reason="beta upgrade until 04:00")
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        found = collect(store, broker_url=url, namespace="gridhub", management=None, connectors={
            "alpha": TcpTarget({"port": port}, None),  # type: ignore[arg-type]
            "beta": TcpTarget({"port": free_port()}, None),  # type: ignore[arg-type]
            "gamma": "no connector plugin 'gamma' is installed"})
    queues = {q.name: q for q in found.queues}
    assert queues["gridhub.out.alpha"].depth == 3
    assert queues["gridhub.out.alpha"].oldest_from == "broker"
    assert 0 <= queues["gridhub.out.alpha"].oldest_age_s < 60
    assert queues["gridhub.hub.in"].depth == 0 and queues["gridhub.out.beta"].depth == 0
    assert "not declared" in queues["gridhub.out.gamma"].problem
    assert queues["gridhub.out.alpha"].consumers is None  # no management API here
    [waiting] = found.waiting
    assert (waiting.destination, waiting.retries, waiting.held, waiting.overdue) == \
        ("alpha", 1, 1, 1)
    [group] = found.groups
    assert group.connector == "beta" and group.count == 1
    conns = {c.name: c for c in found.connectors}
    assert conns["alpha"].reachable is True and conns["beta"].reachable is False
    assert conns["beta"].paused.reason == "beta upgrade until 04:00"
    assert conns["gamma"].problem.startswith("no connector plugin")
    assert found.management.startswith("not used")


def test_a_target_that_does_not_answer_in_time_is_unknown_not_a_hang(tmp_path, store):
    url = f"embedded://{tmp_path / 'broker.db'}"
    found = collect(store, broker_url=url, namespace="gridhub", management=None,
                    connectors={"slow": SlowTarget({}, None)},  # type: ignore[arg-type]
                    reach_timeout=0.3)
    [slow] = found.connectors
    assert slow.reachable is None and slow.problem == "no answer within 0.3s"


def test_an_unreachable_broker_is_one_problem_and_the_rest_still_reported(store):
    url = f"amqp://guest:secret@127.0.0.1:{free_port()}//"
    add_dead_letter(store, envelope("case.submitted", swedish_case(1)))
    found = collect(store, broker_url=url, namespace="gridhub", connectors={},
                    management=management_for(url))
    assert found.problems and "does not answer" in found.problems[0]
    assert "secret" not in found.problems[0] and "secret" not in found.broker
    assert found.queues[0].depth is None and found.management.startswith("unavailable")
    assert found.groups[0].count == 1


def _queue_status(store, url, namespace, name):
    found = collect(store, broker_url=url, namespace=namespace,
                    connectors={"alpha": "not asked in this test"},
                    management=management_for(url))
    assert found.management == "ok"
    [queue] = [q for q in found.queues if q.name == f"{namespace}.{name}"]
    return queue


def test_rabbitmq_consumers_rates_and_trace_estimated_age(amqp_url, amqp_namespace, tmp_path):
    # The management API's statistics lag a few seconds behind the broker: poll for them.
    with Sink() as alpha:
        settings = hub_settings(tmp_path, amqp_url, amqp_namespace, alpha.url)
        with running_hub(settings) as hub:
            hub.inbound.publish([envelope("case.submitted", swedish_case(1))])
            wait_until(lambda: alpha.docs(), what="a delivery")
            wait_until(lambda: _queue_status(hub.store, amqp_url, amqp_namespace,
                                             "hub.in").consumers == 1,
                       timeout=30, what="the hub's consumer in the management API")
            hub_in = _queue_status(hub.store, amqp_url, amqp_namespace, "hub.in")
        store = hub.store
        store.open()  # the hub closed it on stop
        at = datetime.now(UTC)
        env = envelope("case.submitted", swedish_case(2))
        with store.transaction() as tx:
            tx.add_trace([hop(env, "routed", target="alpha", at=at - timedelta(minutes=m))
                          for m in (10, 5, 1)])
        _publish(amqp_url, amqp_namespace, "alpha", 2)
        wait_until(lambda: _queue_status(store, amqp_url, amqp_namespace,
                                         "out.alpha").consumers == 0,
                   timeout=30, what="the stopped hub's consumer gone")
        queue = _queue_status(store, amqp_url, amqp_namespace, "out.alpha")
        store.close()
    assert hub_in.depth == 0 and isinstance(hub_in.rate_in, float)
    assert queue.depth == 2 and queue.oldest_from == "trace"
    assert 290 < queue.oldest_age_s < 400  # the second-latest message routed to alpha


def test_kombu_connection_is_released_by_status(tmp_path, store):
    # status must not keep the embedded broker: a hub started afterwards in another process
    # would be refused. Here: a fresh connection can still open a channel at once.
    url = f"embedded://{tmp_path / 'broker.db'}"
    collect(store, broker_url=url, namespace="gridhub", connectors={}, management=None)
    with Connection(hostname=str(tmp_path / "broker.db"),
                    transport="hub.transports.embedded:Transport") as conn:
        conn.channel().close()
