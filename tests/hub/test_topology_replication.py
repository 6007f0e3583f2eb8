"""The replication a deployment asks for (``broker_replicas``) is declared on every quorum queue,
and a queue declared earlier without it is kept, not refused (issue 20 item 2)."""

import base64
import json
import urllib.request
from urllib.parse import quote, urlsplit

from kombu import Connection, Producer

from hub.topology import topology_for
from tests.conftest import MANAGEMENT_PORT
from tests.support.hubrun import wait_until


def _arguments(url: str, queue: str) -> dict:
    parts = urlsplit(url)
    token = base64.b64encode(b"guest:guest").decode()
    request = urllib.request.Request(
        f"http://{parts.hostname}:{MANAGEMENT_PORT}/api/queues/{quote('/', safe='')}/"
        f"{quote(queue, safe='')}", headers={"Authorization": f"Basic {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)["arguments"]


def test_every_quorum_queue_asks_for_the_replicas(amqp_url, amqp_namespace) -> None:
    topology = topology_for(amqp_namespace, amqp_url, replicas=3)
    with Connection(amqp_url) as conn:
        topology.declare(conn, ["alpha"])
    for queue in (topology.hub_partition(0), topology.hub_partition(11),
                  topology.delivery_queue("alpha")):
        args = _arguments(amqp_url, queue.name)
        assert args["x-quorum-initial-group-size"] == 3
        assert args["x-queue-leader-locator"] == "balanced"


def test_a_queue_declared_before_without_replicas_is_kept(amqp_url, amqp_namespace) -> None:
    with Connection(amqp_url) as conn:
        topology_for(amqp_namespace, amqp_url).declare(conn, ["alpha"])  # an older gridhub
        upgraded = topology_for(amqp_namespace, amqp_url, replicas=3)
        upgraded.declare(conn, ["alpha", "beta"])  # refused before: PRECONDITION_FAILED
        # Still bound, and the new queue got the replicas.
        Producer(conn.channel()).publish(b"{}", exchange=upgraded.outbound, routing_key="alpha")
        alpha = upgraded.delivery_queue("alpha")
        wait_until(lambda: alpha(conn.channel()).queue_declare(passive=True).message_count == 1,
                   timeout=10, what="the message in the kept queue")
    assert "x-quorum-initial-group-size" not in _arguments(amqp_url, alpha.name)
    assert _arguments(amqp_url, upgraded.delivery_queue("beta").name)[
        "x-quorum-initial-group-size"] == 3
