import uuid
from pathlib import Path

import pytest
from kombu import Producer

from hub.errors import ConfigurationError
from hub.transports import QueueNotFound, connection_for, queue_depth
from hub.transports.embedded import Transport
from tests.hub.transports.support import INBOUND, case_body, hub_queue, run_python

pytestmark = pytest.mark.timeout(30)


def test_embedded_url_with_absolute_path(tmp_path):
    conn = connection_for(f"embedded://{tmp_path}/broker.db")
    assert conn.get_transport_cls() is Transport
    assert conn.hostname == f"{tmp_path}/broker.db"
    assert conn.as_uri() == f"embedded://{tmp_path}/broker.db"


def test_embedded_url_with_relative_path_is_taken_from_the_working_directory(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    conn = connection_for("embedded://var/broker.db")
    assert conn.hostname == str(tmp_path / "var" / "broker.db")
    with conn:
        conn.connect()
    assert (tmp_path / "var" / "broker.db").exists()
    assert (tmp_path / "var" / "broker.db.lock").read_text().strip().isdigit()


@pytest.mark.parametrize("url", ["embedded://", "embedded:broker.db", "embedded://a;b.db"])
def test_malformed_embedded_urls_are_configuration_errors(url):
    with pytest.raises(ConfigurationError) as caught:
        connection_for(url)
    assert caught.value.where == "broker url"


def test_other_urls_go_to_kombu_unchanged():
    conn = connection_for("amqp://gridhub:secret@rabbit.example:5672/dso")
    assert conn.transport_cls == "amqp"
    assert (conn.hostname, conn.port, conn.virtual_host) == ("rabbit.example", 5672, "dso")


def test_queue_depth_on_a_kombu_transport():
    name = f"gridhub.test.{uuid.uuid4().hex}"  # the memory transport is global to the process
    queue = hub_queue(name, routing_key=name)
    with connection_for("memory://") as conn:
        queue(conn.channel()).declare()
        producer = Producer(conn.channel(), exchange=INBOUND)
        for n in range(3):
            producer.publish(case_body(n), routing_key=name)
        assert queue_depth(conn, name) == 3
        with pytest.raises(QueueNotFound, match=r"gridhub\.test\.missing"):
            queue_depth(conn, "gridhub.test.missing")


def _fill(path: Path, count: int) -> None:
    queue = hub_queue()
    conn = connection_for(f"embedded://{path}")
    queue(conn.channel()).declare()
    producer = Producer(conn.channel(), exchange=INBOUND)
    for n in range(count):
        producer.publish(case_body(n), routing_key="hub")


def test_queue_depth_on_the_embedded_broker_in_process(tmp_path):
    path = tmp_path / "broker.db"
    _fill(path, 4)
    assert queue_depth(connection_for(f"embedded://{path}"), "gridhub.hub.in") == 4
    with pytest.raises(QueueNotFound, match=r"gridhub\.out\.kis"):
        queue_depth(connection_for(f"embedded://{path}"), "gridhub.out.kis")


STATUS = """
import sys
from hub.transports import connection_for, queue_depth
print(queue_depth(connection_for("embedded://" + sys.argv[1]), "gridhub.hub.in"))
"""


def test_queue_depth_from_another_process_while_the_owner_runs(tmp_path):
    path = tmp_path / "broker.db"
    _fill(path, 6)  # this process now owns the broker
    status = run_python(STATUS, str(path))
    assert status.returncode == 0, status.stderr
    assert status.stdout.strip() == "6"
