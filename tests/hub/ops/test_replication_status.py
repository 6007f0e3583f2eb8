"""Under-replicated quorum queues in ``gridhub status``, on the dashboard and as metrics (issue 20
item 2). The broker is the real RabbitMQ; its management API is played by a server on loopback
that answers as a 3-node cluster's would (one node here cannot show a missing replica)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import pytest
from prometheus_client.parser import text_string_to_metric_families

from hub.metrics import Metrics
from hub.ops.gauges import snapshot_of
from hub.ops.management import ManagementApi
from hub.ops.status import collect
from hub.ops.views import status_text
from hub.topology import topology_for
from hub.transports import connection_for
from hub.web.templating import environment

NODES = ["rabbit@n1", "rabbit@n2", "rabbit@n3"]


def _cluster_api(replicas: dict[str, tuple[list[str], list[str], int | None]]
                 ) -> type[BaseHTTPRequestHandler]:
    class Api(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/api/nodes":
                doc: object = [{"name": n} for n in NODES]
            else:
                name = unquote(path.rsplit("/", 1)[1])
                members, online, asked = replicas.get(name, (NODES, NODES, 3))
                args = {"x-queue-type": "quorum"}
                if asked is not None:
                    args["x-quorum-initial-group-size"] = asked
                doc = {"name": name, "consumer_details": [], "messages_ready": 0,
                       "messages_unacknowledged": 0, "members": members, "online": online,
                       "arguments": args}
            body = json.dumps(doc).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass
    return Api


@pytest.fixture
def cluster_api(amqp_namespace: str) -> Iterator[str]:
    ns = amqp_namespace
    replicas = {
        f"{ns}.hub.in.3": (["rabbit@n1"], ["rabbit@n1"], None),  # declared while n1 was alone
        f"{ns}.out.alpha": (NODES, ["rabbit@n1", "rabbit@n3"], 3),  # n2 is down
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _cluster_api(replicas))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_under_replicated_queues_are_reported_with_what_to_do(amqp_url, amqp_namespace,
                                                              cluster_api, store) -> None:
    ns = amqp_namespace
    with connection_for(amqp_url) as conn:
        topology_for(ns, amqp_url, replicas=3).declare(conn, ["alpha", "beta"])
    found = collect(store, broker_url=amqp_url, namespace=ns,
                    connectors={"alpha": "not built here", "beta": "not built here"},
                    management=ManagementApi(cluster_api, "guest", "guest"))
    queues = {q.name: q for q in found.queues}
    assert queues[f"{ns}.hub.in.3"].under_replicated is True
    assert queues[f"{ns}.out.alpha"].under_replicated is True
    assert queues[f"{ns}.out.beta"].under_replicated is False
    assert (queues[f"{ns}.hub.in.3"].members, queues[f"{ns}.hub.in.3"].members_wanted) == (1, 3)

    text = status_text(found)
    assert "1/3 UNDER" in text and "2 up of 3/3 UNDER" in text and "3/3" in text
    grow, down = sorted(p for p in found.problems if "under-replicated" in p)
    assert f"queue {ns}.hub.in.3 is under-replicated: 1 of 3" in grow
    assert f"rabbitmq-queues grow rabbit@NODE all --queue-pattern '^{ns}[.]'" in grow
    assert f"queue {ns}.out.alpha" in down and "start the nodes that are down" in down

    metrics = Metrics()
    metrics.add_state_collector(lambda: snapshot_of(found))
    body = metrics.exposition()[0].decode()
    under = {s.labels["queue"]: s.value for f in text_string_to_metric_families(body)
             if f.name == "gridhub_queue_under_replicated" for s in f.samples}
    assert under[f"{ns}.hub.in.3"] == 1 and under[f"{ns}.out.beta"] == 0
    online = {s.labels["queue"]: s.value for f in text_string_to_metric_families(body)
              if f.name == "gridhub_queue_replicas_online" for s in f.samples}
    assert online[f"{ns}.out.alpha"] == 2

    cell = environment().from_string("{{ q|replicas }}")
    assert cell.render(q=queues[f"{ns}.hub.in.3"]) == "1/3 UNDER"


def test_a_single_node_broker_is_not_under_replicated(amqp_url, amqp_namespace, store) -> None:
    from hub.ops.management import management_for

    with connection_for(amqp_url) as conn:
        topology_for(amqp_namespace, amqp_url, replicas=3).declare(conn, ["alpha"])
    found = collect(store, broker_url=amqp_url, namespace=amqp_namespace,
                    connectors={"alpha": "not built here"},
                    management=management_for(amqp_url))
    assert found.management == "ok"
    assert [(q.members, q.members_wanted, q.under_replicated) for q in found.queues] == \
        [(1, 1, False)] * len(found.queues)
