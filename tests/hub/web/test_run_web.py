"""`gridhub run --web HOST:PORT`: one process runs the hub and serves its ops web, whose
/metrics are the running hub's own counters; SIGTERM stops both cleanly."""

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.conftest import free_port
from tests.factories import envelope, swedish_case
from tests.support.hubrun import routes_yaml, wait_until
from tests.support.sink import Sink

ROUTES = """\
  - name: submitted
    match: {type: case.submitted}
    to: [alpha]
    retry: fast
"""


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


def _gridhub(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run([sys.executable, "-m", "hub.cli", *args], input=stdin, text=True,
                          env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.timeout(120)
def test_run_serves_the_hubs_own_metrics_and_stops_on_sigterm(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with Sink() as alpha:
        (tmp_path / "routes.yaml").write_text(routes_yaml({"alpha": alpha.url}, ROUTES))
        env = {**os.environ, "GRIDHUB_BROKER_URL": f"embedded://{tmp_path / 'broker.db'}",
               "GRIDHUB_STORE_URL": f"sqlite:///{tmp_path / 'hub.db'}",
               "GRIDHUB_ROUTES": str(tmp_path / "routes.yaml"),
               "GRIDHUB_WEB_LISTEN": f"127.0.0.1:{port}"}
        token = _gridhub(env, "users", "token", "prometheus", "--role", "viewer").strip()
        # Queued before the hub starts: the embedded broker belongs to one process at a time.
        case = swedish_case(41)
        _gridhub(env, "send", "-", stdin=envelope("case.submitted", case).model_dump_json())
        log = open(tmp_path / "hub.log", "ab")  # noqa: SIM115 - closed with the process
        hub = subprocess.Popen([sys.executable, "-m", "hub.cli", "run"], env=env, stdout=log,
                               stderr=subprocess.STDOUT, cwd=tmp_path)
        try:
            wait_until(lambda: _get(f"{base}/healthz")[0] == 200, what="the web to answer")
            wait_until(lambda: alpha.unique(), what="the delivery")
            assert _get(f"{base}/metrics")[0] == 401  # no token, no metrics
            line = 'gridhub_messages_delivered_total{connector="alpha",route="submitted"} 1.0'
            wait_until(lambda: line in _get(f"{base}/metrics", token)[1],
                       what="the delivery counted in /metrics")
            status, body = _get(f"{base}/metrics", token)
            assert status == 200
            assert 'gridhub_messages_received_total{type="case.submitted"} 1.0' in body
            hub.send_signal(signal.SIGTERM)
            assert hub.wait(timeout=30) == 0, (tmp_path / "hub.log").read_text()[-3000:]
            assert _get(f"{base}/healthz")[0] == 0  # the web stopped with the hub
        finally:
            if hub.poll() is None:
                hub.kill()
                hub.wait(timeout=10)
            log.close()
