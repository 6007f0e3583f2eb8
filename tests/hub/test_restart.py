"""Kill -9 the hub worker with 2,000 messages in flight; nothing may be lost."""

import os
import signal
import subprocess
import sys

import pytest

from hub.app import InboundPublisher
from hub.publisher import LockedPublisher
from hub.store import Store
from hub.topology import topology_for
from hub.transports import connection_for
from tests.factories import envelope, swedish_case
from tests.support.hubrun import routes_yaml, wait_until
from tests.support.sink import Sink

N = 2000
ROUTES = """\
  - name: submitted
    match: {type: case.submitted}
    to: [alpha, beta]
    retry: fast
"""


def _start_hub(tmp_path, env):
    log = open(tmp_path / "hub.log", "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "-m", "hub.cli", "run"], env=env, stdout=log,
                            stderr=subprocess.STDOUT, cwd=tmp_path)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_kill_9_with_2000_in_flight_loses_nothing(tmp_path, amqp_url, amqp_namespace):
    with Sink() as alpha, Sink() as beta:
        (tmp_path / "routes.yaml").write_text(
            routes_yaml({"alpha": alpha.url, "beta": beta.url}, ROUTES))
        env = {**os.environ, "GRIDHUB_BROKER_URL": amqp_url, "GRIDHUB_NAMESPACE": amqp_namespace,
               "GRIDHUB_STORE_URL": f"sqlite:///{tmp_path / 'hub.db'}",
               "GRIDHUB_ROUTES": str(tmp_path / "routes.yaml"), "GRIDHUB_BATCH_MAX": "100",
               "GRIDHUB_PREFETCH": "200", "GRIDHUB_SCHEDULER_INTERVAL_MS": "100"}
        cases = [swedish_case(10_000 + i) for i in range(N)]
        topology = topology_for(amqp_namespace, amqp_url)
        conn = connection_for(amqp_url)
        topology.declare(conn, ["alpha", "beta"])
        InboundPublisher(LockedPublisher(lambda: conn), topology).publish(
            [envelope("case.submitted", c) for c in cases])

        hub = _start_hub(tmp_path, env)
        try:
            wait_until(lambda: len(alpha.unique()) >= 300, timeout=60, what="300 deliveries")
            hub.send_signal(signal.SIGKILL)
            hub.wait(timeout=10)
            killed_at = len(alpha.unique())
            assert killed_at < N, "the kill came too late to prove anything"
            hub = _start_hub(tmp_path, env)
            want = {c.case_id for c in cases}
            for sink in (alpha, beta):
                wait_until(lambda s=sink: {d["case_id"] for d in s.docs()} >= want,
                           timeout=180, what="every case at both targets")
            hub.send_signal(signal.SIGTERM)
            assert hub.wait(timeout=30) == 0, (tmp_path / "hub.log").read_text()[-3000:]
        finally:
            if hub.poll() is None:
                hub.kill()

    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    store.open()
    assert store.dead_letters() == []
    for sink in (alpha, beta):
        ids = [d["message_id"] for d in sink.docs()]
        assert len(set(ids)) == N  # every message, counted at the target
        # Redeliveries after the kill carry the same id, so the target can drop them.
        assert all(n >= 1 for n in sink.state.keys.values())
    assert store.count_delivered("alpha") == N and store.count_delivered("beta") == N
    # Each case was applied once: a second application would be an impossible transition.
    assert all(store.case(c.case_id).version == 1 for c in cases[:50])


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_sigterm_returns_in_flight_messages_and_exits_cleanly(tmp_path):
    """On the embedded broker: stop with SIGTERM mid-stream, start again, all arrive."""
    n = 400
    with Sink() as alpha, Sink() as beta:
        (tmp_path / "routes.yaml").write_text(
            routes_yaml({"alpha": alpha.url, "beta": beta.url}, ROUTES))
        broker = f"embedded://{tmp_path / 'broker.db'}"
        env = {**os.environ, "GRIDHUB_BROKER_URL": broker,
               "GRIDHUB_STORE_URL": f"sqlite:///{tmp_path / 'hub.db'}",
               "GRIDHUB_ROUTES": str(tmp_path / "routes.yaml"), "GRIDHUB_BATCH_MAX": "20",
               "GRIDHUB_PREFETCH": "40"}
        cases = [swedish_case(20_000 + i) for i in range(n)]
        messages = "\n".join(envelope("case.submitted", c).model_dump_json() for c in cases)
        sent = subprocess.run([sys.executable, "-m", "hub.cli", "send", "-"], input=messages,
                              text=True, env=env, capture_output=True, timeout=60)
        assert sent.returncode == 0, sent.stderr
        hub = _start_hub(tmp_path, env)
        try:
            wait_until(lambda: len(alpha.unique()) >= 40, timeout=60, what="first deliveries")
            hub.send_signal(signal.SIGTERM)
            assert hub.wait(timeout=30) == 0, (tmp_path / "hub.log").read_text()[-3000:]
            assert len(alpha.unique()) < n, "stopped too late to prove anything"
            hub = _start_hub(tmp_path, env)
            want = {c.case_id for c in cases}
            for sink in (alpha, beta):
                wait_until(lambda s=sink: {d["case_id"] for d in s.docs()} >= want,
                           timeout=120, what="every case at both targets")
        finally:
            hub.send_signal(signal.SIGTERM)
            hub.wait(timeout=30)
    for sink in (alpha, beta):
        assert len(sink.unique()) == n
