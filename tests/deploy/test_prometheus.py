"""The alert rules and the Grafana dashboard, checked by Debian's Prometheus.

``promtool`` checks the rules and runs their unit tests (deploy/prometheus/alerts.test.yml).
Then a real Prometheus scrapes a running hub's /metrics with a bearer token, every query of
the dashboard is run against it and must return data for a hub that has routed, retried and
dead-lettered messages, and the target is taken down until GridhubTargetDown fires. Only the
rule's ``for:`` is shortened (2 minutes to 2 seconds) so the test does not wait two minutes;
promtool's test covers the real ``for:``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.access import Access, Role
from hub.web.app import create_app
from tests.conftest import free_port
from tests.deploy.manifests import DEPLOY
from tests.factories import envelope, swedish_case
from tests.hub.ops.conftest import hub_settings
from tests.hub.web.conftest import SECRET, serve
from tests.support.hubrun import running_hub, wait_until
from tests.support.sink import Sink

RULES = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD = json.loads((DEPLOY / "grafana" / "gridhub.json").read_text(encoding="utf-8"))
SCRAPE_S = 1
# What Grafana puts for $__rate_interval: at least four scrape intervals.
RATE_INTERVAL = f"{4 * SCRAPE_S + 2}s"


def _promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60)


def test_promtool_checks_the_rules_and_their_unit_tests_pass():
    checked = _promtool("check", "rules", "alerts.yml", cwd=RULES.parent)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = _promtool("test", "rules", "alerts.test.yml", cwd=RULES.parent)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_promtool_fails_a_rule_whose_alert_does_not_fire_as_its_test_says(tmp_path):
    shutil.copy(DEPLOY / "prometheus" / "alerts.test.yml", tmp_path)
    (tmp_path / "alerts.yml").write_text(
        RULES.read_text().replace("max by (connector) (gridhub_connector_reachable) == 0",
                                  "max by (connector) (gridhub_connector_reachable) < 0"))
    tested = _promtool("test", "rules", "alerts.test.yml", cwd=tmp_path)
    assert tested.returncode != 0 and "GridhubTargetDown" in tested.stdout + tested.stderr


def test_the_sample_scrape_config_is_valid(tmp_path):
    token = tmp_path / "gridhub.token"
    token.write_text("a-token\n")
    config = (DEPLOY / "prometheus" / "prometheus.yml").read_text().replace(
        "/etc/prometheus/gridhub.token", str(token))
    (tmp_path / "prometheus.yml").write_text(config)
    shutil.copy(RULES, tmp_path / "alerts.yml")
    checked = _promtool("check", "config", "prometheus.yml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _dashboard_queries() -> list[tuple[str, str]]:
    return [(panel["title"], target["expr"]) for panel in DASHBOARD["panels"]
            for target in panel["targets"]]


def test_the_dashboard_uses_only_metrics_gridhub_exports_and_covers_the_alerts():
    exprs = " ".join(expr for _, expr in _dashboard_queries())
    for metric in ("gridhub_dead_letters_open", "gridhub_connector_reachable",
                   "gridhub_queue_oldest_message_age_seconds",
                   "gridhub_late_metering_values_total", "gridhub_roles_expiring"):
        assert metric in exprs, metric
    assert {p["datasource"]["uid"] for p in DASHBOARD["panels"]} == {"${datasource}"}


# -- a real Prometheus against a running hub ----------------------------------------------------

class Prometheus:
    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}{path}{query}", timeout=10) as answer:
            found = json.loads(answer.read())
        assert found["status"] == "success", found
        return found["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        return self.get("/api/v1/query", query=expr)["result"]

    def firing(self, name: str) -> list[dict[str, Any]]:
        return [a for a in self.get("/api/v1/alerts")["alerts"]
                if a["labels"]["alertname"] == name and a["state"] == "firing"]


@contextmanager
def prometheus(tmp_path: Path, target: str, token: str) -> Iterator[Prometheus]:
    (tmp_path / "token").write_text(token)
    rules = yaml.safe_load(RULES.read_text())
    for rule in rules["groups"][0]["rules"]:
        if rule["alert"] == "GridhubTargetDown":
            rule["for"] = "2s"
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(rules))
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump({
        "global": {"scrape_interval": f"{SCRAPE_S}s", "scrape_timeout": f"{SCRAPE_S}s",
                   "evaluation_interval": "1s"},
        "rule_files": ["alerts.yml"],
        "scrape_configs": [{"job_name": "gridhub", "static_configs": [{"targets": [target]}],
                            "authorization": {"credentials_file": str(tmp_path / "token")}}]}))
    port = free_port()
    log = open(tmp_path / "prometheus.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        ["prometheus", f"--config.file={tmp_path / 'prometheus.yml'}",
         f"--storage.tsdb.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
        cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        found = Prometheus(f"http://127.0.0.1:{port}")
        wait_until(lambda: _answers(found), what="prometheus to answer")
        yield found
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


def _answers(server: Prometheus) -> bool:
    try:
        server.get("/api/v1/status/buildinfo")
        return True
    except OSError:
        return False


@pytest.mark.timeout(150)
def test_prometheus_scrapes_a_hub_every_dashboard_query_has_data_and_target_down_fires(
        tmp_path):
    alpha = Sink().__enter__()
    try:
        settings = hub_settings(tmp_path, "embedded", "gridhub", alpha.url)
        with running_hub(settings) as hub:
            access = Access(hub.store)
            access.ensure_tables()
            access.add_user("ada", "a long enough password 1", by="test")
            access.grant("ada", Role.operator, by="test")  # a role: the gauge has a value
            token = access.create_token("prometheus", [Role.viewer], by="test")
            app = create_app(settings, access=access, metrics=hub.metrics, store=hub.store,
                             secret=SECRET, connectors=hub.connectors)
            _route_deliver_retry_and_dead_letter(hub, alpha)
            with serve(app) as url, prometheus(tmp_path, url.removeprefix("http://"),
                                               token) as prom:
                wait_until(lambda: [s["value"][1] for s in prom.query('up{job="gridhub"}')]
                           == ["1"], what="prometheus to scrape the hub with its token")
                for title, expr in _dashboard_queries():
                    query = expr.replace("$__rate_interval", RATE_INTERVAL)
                    wait_until(lambda q=query: bool(prom.query(q)), timeout=20,
                               what=f"data for the panel {title!r}: {query}")
                assert not prom.firing("GridhubTargetDown")
                alpha.__exit__(None, None, None)  # the target goes down
                wait_until(lambda: bool(prom.firing("GridhubTargetDown")), timeout=40,
                           what="GridhubTargetDown to fire")
                (alert,) = prom.firing("GridhubTargetDown")
                assert alert["labels"]["connector"] == "alpha"
                assert "alpha" in alert["annotations"]["summary"]
    finally:
        alpha.__exit__(None, None, None)


def _route_deliver_retry_and_dead_letter(hub: Any, alpha: Sink) -> None:
    """Deliveries, a retry after two 503s (transient failures), two 422s (dead letters)."""
    hub.inbound.publish([envelope("case.submitted", swedish_case(70 + i)) for i in range(3)])
    wait_until(lambda: len(alpha.docs()) == 3, what="three deliveries")
    alpha.state.fail_next, alpha.state.fail_status = 2, 503
    hub.inbound.publish([envelope("case.submitted", swedish_case(80))])
    wait_until(lambda: len(alpha.docs()) == 4, what="the delivery after its retries")
    refused = [swedish_case(90 + i) for i in range(2)]
    alpha.state.fail_for, alpha.state.fail_status = {c.case_id for c in refused}, 422
    hub.inbound.publish([envelope("case.submitted", c) for c in refused])
    wait_until(lambda: len(hub.store.dead_letters(connector="alpha")) == 2,
               what="two dead letters")
