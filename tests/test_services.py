"""The session fixtures reach real servers, and namespace cleanup removes what a test declared."""

from __future__ import annotations

import re
import secrets
import socket

import pika
import psycopg
import pytest

from hub.config import Settings
from tests.conftest import (
    broker_names,
    free_port,
    pika_parameters,
    psycopg_conninfo,
    purge_namespace,
)


def test_amqp_round_trip_with_publisher_confirms(amqp_url: str, amqp_namespace: str) -> None:
    connection = pika.BlockingConnection(pika_parameters(amqp_url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        queue = f"{amqp_namespace}.roundtrip"
        channel.queue_declare(queue, durable=True)
        body = b'{"gsrn": "735999100000000010"}'
        # With confirms on, basic_publish raises unless the broker confirmed the message.
        channel.basic_publish("", queue, body, pika.BasicProperties(delivery_mode=2,
                                                                   message_id="m-1"),
                              mandatory=True)
        method, properties, received = channel.basic_get(queue, auto_ack=False)
        assert method is not None, f"nothing arrived on {queue}"
        assert received == body
        assert properties.message_id == "m-1"
        channel.basic_ack(method.delivery_tag)
        assert channel.queue_declare(queue, passive=True).method.message_count == 0
    finally:
        connection.close()


def test_unroutable_mandatory_publish_is_refused(amqp_url: str, amqp_namespace: str) -> None:
    connection = pika.BlockingConnection(pika_parameters(amqp_url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        with pytest.raises(pika.exceptions.UnroutableError):
            channel.basic_publish("", f"{amqp_namespace}.nobody-listens", b"x", mandatory=True)
    finally:
        connection.close()


def test_pg_url_runs_queries_as_a_superuser(pg_url: str) -> None:
    assert pg_url.startswith("postgresql+psycopg://")
    with psycopg.connect(psycopg_conninfo(pg_url), connect_timeout=5) as conn:
        row = conn.execute(
            "select current_database(), current_setting('is_superuser'), 40 + 2").fetchone()
    assert row is not None
    database, superuser, answer = row
    assert answer == 42
    assert superuser == "on"
    assert database == pg_url.rsplit("/", 1)[1]


def test_amqp_namespace_is_a_namespace_the_hub_accepts(amqp_namespace: str) -> None:
    assert re.fullmatch(r"t[0-9a-f]{8}", amqp_namespace)
    assert Settings(namespace=amqp_namespace).namespace == amqp_namespace


def test_purge_namespace_deletes_only_names_under_the_prefix(amqp_url: str) -> None:
    prefix, other = f"t{secrets.token_hex(4)}", f"t{secrets.token_hex(4)}"
    connection = pika.BlockingConnection(pika_parameters(amqp_url))
    try:
        channel = connection.channel()
        channel.exchange_declare(f"{prefix}.in", "direct", durable=True)
        channel.queue_declare(f"{prefix}.hub.in", durable=True,
                              arguments={"x-queue-type": "quorum"})
        channel.queue_declare(f"{prefix}.out.kis", durable=True)
        channel.queue_declare(f"{other}.keep", durable=True)
    finally:
        connection.close()
    try:
        deleted = purge_namespace(amqp_url, prefix)
        assert sorted(deleted) == sorted([f"{prefix}.in", f"{prefix}.hub.in", f"{prefix}.out.kis"])
        queues, exchanges = broker_names(amqp_url, "queues"), broker_names(amqp_url, "exchanges")
        assert not [n for n in queues + exchanges if n.startswith(prefix)]
        assert f"{other}.keep" in queues
    finally:
        purge_namespace(amqp_url, other)
    assert f"{other}.keep" not in broker_names(amqp_url, "queues")


def test_free_port_is_bindable_on_loopback() -> None:
    port = free_port()
    assert 1024 <= port <= 65535
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()


@pytest.mark.parametrize(("url", "vhost"), [
    ("amqp://guest:guest@127.0.0.1:5672//", "/"),
    ("amqp://guest:guest@127.0.0.1:5672/%2F", "/"),
    ("amqp://guest:guest@127.0.0.1:5672/gridhub", "gridhub"),
    ("amqp://guest:guest@127.0.0.1:5672", "/"),
])
def test_pika_parameters_read_the_vhost_like_kombu(url: str, vhost: str) -> None:
    assert pika_parameters(url).virtual_host == vhost
