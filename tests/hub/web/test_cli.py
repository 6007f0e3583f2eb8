"""``gridhub web`` serves the app: a real process on a loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request

from hub.access import Access, Role
from hub.ops.db import open_store
from tests.conftest import free_port
from tests.hub.web.conftest import PASSWORD
from tests.support.hubrun import routes_yaml, wait_until

# The ``gridhub`` group as hub/cli.py builds it once the lead registers ``gridhub web``.
LAUNCH = """
import click
from hub.web.cli import register

@click.group()
@click.pass_context
def main(ctx):
    ctx.ensure_object(dict)
    ctx.obj["config"] = None

register(main)
main()
"""


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def test_gridhub_web_serves_the_dashboard_on_the_given_port(tmp_path):
    store_url = f"sqlite:///{tmp_path / 'hub.db'}"
    store = open_store(store_url)
    try:
        access = Access(store)
        access.ensure_tables()
        access.add_user("maria", PASSWORD, by="test")
        access.grant("maria", Role.operator, by="test")
    finally:
        store.close()
    routes = tmp_path / "routes.yaml"
    routes.write_text(routes_yaml({"alpha": "http://127.0.0.1:9/in"}, "  []\n"))
    port = free_port()
    env = {**os.environ, "GRIDHUB_STORE_URL": store_url, "GRIDHUB_ROUTES": str(routes),
           "GRIDHUB_BROKER_URL": f"embedded://{tmp_path / 'broker.db'}"}
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "web", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _get(f"{base}/healthz") == 200 or proc.poll() is not None,
                   timeout=30, what="gridhub web to answer /healthz")
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert _get(f"{base}/login") == 200
        assert _get(f"{base}/api/status") == 401
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert f"gridhub web on {base}/" in err
