"""Metrics: counters move on real calls; the state gauges come from a real store and broker."""

from __future__ import annotations

import socket

from prometheus_client.parser import text_string_to_metric_families

from hub.metrics import Metrics, StateSnapshot
from hub.ops.gauges import status_snapshot
from hub.store import Store
from hub.topology import topology_for
from hub.transports import connection_for
from tests.conftest import free_port
from tests.factories import envelope, swedish_case
from tests.hub.ops.conftest import add_dead_letter, pg_schema_url, store  # noqa: F401
from tests.support.targets import TcpTarget


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, parsed back as Prometheus would read it."""
    body, content_type = metrics.exposition()
    assert content_type.startswith("text/plain; version=")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body.decode())
            for s in family.samples}


def test_counters_and_latency_histogram_move() -> None:
    m = Metrics()
    m.received("case.submitted", 3)
    m.routed("submitted-to-kis", "kis", 2)
    m.delivered("submitted-to-kis", "kis", 0.2)
    m.delivered("submitted-to-kis", "kis", 7.0)
    m.failed("submitted-to-kis", "kis", "transient")
    m.retried("submitted-to-kis", "kis")
    m.dead_lettered(None, "hub", "abc123def456")
    m.late_values(5)
    got = samples(m)
    route = (("connector", "kis"), ("route", "submitted-to-kis"))
    assert got[("gridhub_messages_received_total", (("type", "case.submitted"),))] == 3
    assert got[("gridhub_messages_routed_total", route)] == 2
    assert got[("gridhub_messages_delivered_total", route)] == 2
    assert got[("gridhub_delivery_seconds_count", route)] == 2
    assert got[("gridhub_delivery_seconds_bucket", (*route[:1], ("le", "0.25"), *route[1:]))] == 1
    assert got[("gridhub_delivery_failures_total", (route[0], ("kind", "transient"),
                                                    route[1]))] == 1
    assert got[("gridhub_delivery_retries_total", route)] == 1
    assert got[("gridhub_dead_letters_total", (("connector", "hub"), ("group", "abc123def456"),
                                               ("route", "none")))] == 1
    assert got[("gridhub_late_metering_values_total", ())] == 5


def test_each_metrics_has_its_own_registry() -> None:
    a, b = Metrics(), Metrics()
    a.received("case.submitted")
    assert ("gridhub_messages_received_total", (("type", "case.submitted"),)) not in samples(b)


def test_a_failing_snapshot_keeps_the_counters_and_reports_state_down() -> None:
    m = Metrics()
    m.late_values()

    def broken() -> StateSnapshot:
        raise ConnectionError("store down")

    m.add_state_collector(broken)
    got = samples(m)
    assert got[("gridhub_state_up", ())] == 0
    assert got[("gridhub_late_metering_values_total", ())] == 1


def test_state_gauges_from_a_real_store_and_broker(tmp_path, store: Store) -> None:  # noqa: F811
    url = f"embedded://{tmp_path / 'broker.db'}"
    with connection_for(url) as conn:
        topology_for("gridhub", url).declare(conn, ["alpha", "beta"])
    add_dead_letter(store, envelope("case.submitted", swedish_case(1)), connector="beta")
    add_dead_letter(store, envelope("case.submitted", swedish_case(2)), connector="beta")
    [group] = store.dead_letter_groups("open")
    m = Metrics()
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        m.add_state_collector(status_snapshot(store, broker_url=url, namespace="gridhub",
                                              connectors={
            "alpha": TcpTarget({"port": listening.getsockname()[1]}, None),  # type: ignore[arg-type]
            "beta": TcpTarget({"port": free_port()}, None)}))  # type: ignore[arg-type]
        got = samples(m)
    assert got[("gridhub_state_up", ())] == 1
    assert got[("gridhub_queue_depth", (("queue", "gridhub.out.alpha"),))] == 0
    assert got[("gridhub_connector_reachable", (("connector", "alpha"),))] == 1
    assert got[("gridhub_connector_reachable", (("connector", "beta"),))] == 0
    assert got[("gridhub_connector_paused", (("connector", "beta"),))] == 0
    assert got[("gridhub_dead_letters_open", (
        ("connector", "beta"), ("exception_type", group.exception_type),
        ("group", group.fingerprint), ("message_type", "case.submitted"),
        ("route", "submitted-to-alpha")))] == 2


def test_roles_expiring_is_one_series_per_role_however_often_it_is_registered() -> None:
    metrics = Metrics()
    metrics.add_roles_collector(lambda: {"viewer": 9})
    metrics.add_roles_collector(lambda: {"viewer": 0, "operator": 2})  # a second web app
    body = metrics.exposition()[0].decode()
    assert body.count('gridhub_roles_expiring{role="viewer"}') == 1
    assert 'gridhub_roles_expiring{role="operator"} 2.0' in body
    assert 'gridhub_roles_expiring{role="viewer"} 0.0' in body


def test_roles_expiring_counts_grants_ending_within_30_days(tmp_path) -> None:
    from datetime import UTC, datetime, timedelta

    from hub.access import Access, Role
    from hub.ops.db import open_store
    from tests.hub.access.conftest import cheap_hasher

    opened = open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        eleven_months_ago = datetime.now(UTC) - timedelta(days=340)
        then = Access(opened, clock=lambda: eleven_months_ago, hasher=cheap_hasher())
        then.ensure_tables()
        then.add_user("anna", "ett långt lösenord 1", by="test")
        then.grant("anna", Role.operator, by="test")  # ends in 25 days
        now = Access(opened, hasher=cheap_hasher())
        now.add_user("bo", "ett långt lösenord 2", by="test")
        now.grant("bo", Role.operator, by="test")  # ends in a year
        assert now.expiring_counts() == {Role.viewer: 0, Role.operator: 1, Role.admin: 0}
    finally:
        opened.close()
