"""Liveness and readiness against real brokers (embedded, RabbitMQ, a closed port)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hub.health import liveness, readiness
from hub.store import Store
from hub.topology import topology_for
from hub.transports import connection_for
from tests.conftest import free_port
from tests.hub.ops.conftest import pg_schema_url, store  # noqa: F401


def _declare(url: str, namespace: str) -> None:
    with connection_for(url) as conn:
        topology_for(namespace, url).declare(conn, [])


def test_liveness_needs_nothing() -> None:
    assert liveness()["status"] == "ok"
    assert liveness(detail=False) == {"status": "ok"}


def test_uptime_counts_from_process_start_not_from_the_first_call() -> None:
    # A process that works for a while before anything imports hub.health (as the web does
    # on its first request): its uptime includes that while.
    code = ("import time; time.sleep(1.5); from hub.health import liveness; "
            "print(liveness()['uptime_s'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parents[2])
    assert float(out.stdout) >= 1.5


def test_ready_on_the_embedded_broker(tmp_path, store: Store) -> None:  # noqa: F811
    url = f"embedded://{tmp_path / 'broker.db'}"
    _declare(url, "gridhub")
    ok, report = readiness(store, url, "gridhub")
    assert ok and report["status"] == "ready" and report["down"] == []
    assert report["broker"] == {"ok": True} and report["store"] == {"ok": True}


def test_ready_on_rabbitmq_and_not_before_the_topology_exists(amqp_url, amqp_namespace,
                                                              tmp_path) -> None:
    s = Store(f"sqlite:///{tmp_path / 'gridhub.db'}")
    s.open()
    try:
        ok, report = readiness(s, amqp_url, amqp_namespace)
        assert not ok and report["down"] == ["broker"]
        assert f"{amqp_namespace}.hub.in" in report["broker"]["error"]
        _declare(amqp_url, amqp_namespace)
        assert readiness(s, amqp_url, amqp_namespace)[0]
    finally:
        s.close()


def test_not_ready_when_the_broker_port_is_closed(tmp_path) -> None:
    s = Store(f"sqlite:///{tmp_path / 'gridhub.db'}")
    s.open()
    try:
        url = f"amqp://guest:secretpw@127.0.0.1:{free_port()}/"
        ok, report = readiness(s, url, "gridhub", timeout=2)
        assert not ok and report["status"] == "not ready" and report["down"] == ["broker"]
        assert report["store"] == {"ok": True}
        assert "refused" in report["broker"]["error"]
        assert "secretpw" not in report["broker"]["error"]
    finally:
        s.close()
