"""Prometheus metrics of one hub: counters moved by the stages, gauges read at scrape time.

Each ``Metrics`` has its own ``CollectorRegistry`` (never the process-wide default), so two
hubs in one process (tests, the demo) do not share or double-register series.

Counters and the latency histogram are moved by the pipeline and delivery stages as things
happen. Queue depth, oldest message age, consumers, open dead letters per failure group and
target reachability are state, not events: they are read when Prometheus scrapes, through a
``StateSnapshot`` callable (``hub.ops.gauges.status_snapshot`` builds one from ``gridhub
status``; this module knows no operations code, the stages import it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = structlog.get_logger(__name__)

NS = "gridhub"
# Deliveries take milliseconds to a slow SOAP back end's tens of seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
NO_ROUTE = "none"  # label value for a dead letter the hub refused before routing


@dataclass(frozen=True)
class QueueState:
    name: str
    depth: int | None = None
    oldest_age_s: float | None = None
    consumers: int | None = None
    members: int | None = None  # quorum queue replicas (RabbitMQ management API)
    members_online: int | None = None
    under_replicated: bool | None = None


@dataclass(frozen=True)
class GroupState:
    """Open dead letters sharing one failure fingerprint."""

    group: str
    count: int
    connector: str
    exception_type: str
    message_type: str | None
    route: str | None


@dataclass(frozen=True)
class ConnectorState:
    name: str
    reachable: bool | None = None
    paused: bool = False


@dataclass(frozen=True)
class StateSnapshot:
    queues: list[QueueState] = field(default_factory=list)
    groups: list[GroupState] = field(default_factory=list)
    connectors: list[ConnectorState] = field(default_factory=list)


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self._received = Counter(f"{NS}_messages_received", "Messages taken in by the hub "
                                 "stage", ["type"], registry=r)
        self._routed = Counter(f"{NS}_messages_routed", "Messages routed to a connector",
                               ["route", "connector"], registry=r)
        self._delivered = Counter(f"{NS}_messages_delivered", "Messages delivered to a target",
                                  ["route", "connector"], registry=r)
        self._latency = Histogram(f"{NS}_delivery_seconds", "Time of a successful delivery "
                                  "call", ["route", "connector"], buckets=LATENCY_BUCKETS,
                                  registry=r)
        self._failed = Counter(f"{NS}_delivery_failures", "Failed delivery attempts",
                               ["route", "connector", "kind"], registry=r)
        self._retried = Counter(f"{NS}_delivery_retries", "Deliveries scheduled for a retry",
                                ["route", "connector"], registry=r)
        self._dead = Counter(f"{NS}_dead_letters", "Messages put in the dead-letter store",
                             ["route", "connector", "group"], registry=r)
        self._roles: _RolesCollector | None = None
        self._late = Counter(f"{NS}_late_metering_values", "Metering value messages (one "
                             "metering point, one day) the datahub accepted after their "
                             "deadline", registry=r)
        self._at_risk = Counter(f"{NS}_deadline_at_risk", "Deliveries with a deadline whose "
                                "next retry comes after it (flagged while still retrying)",
                                registry=r)

    def received(self, type_: str, n: int = 1) -> None:
        self._received.labels(type_).inc(n)

    def routed(self, route: str, connector: str, n: int = 1) -> None:
        self._routed.labels(route, connector).inc(n)

    def delivered(self, route: str, connector: str, seconds: float) -> None:
        self._delivered.labels(route, connector).inc()
        self._latency.labels(route, connector).observe(seconds)

    def failed(self, route: str, connector: str, kind: str) -> None:
        if kind not in ("transient", "permanent"):
            raise ValueError(f"failure kind {kind!r}: must be transient or permanent")
        self._failed.labels(route, connector, kind).inc()

    def retried(self, route: str, connector: str) -> None:
        self._retried.labels(route, connector).inc()

    def dead_lettered(self, route: str | None, connector: str, group: str) -> None:
        self._dead.labels(route or NO_ROUTE, connector, group).inc()

    def late_values(self, n: int = 1) -> None:
        self._late.inc(n)

    def deadline_at_risk(self, n: int = 1) -> None:
        self._at_risk.inc(n)

    def add_state_collector(self, collect: Callable[[], StateSnapshot]) -> None:
        """Register gauges computed by ``collect`` on every scrape."""
        self.registry.register(_StateCollector(collect))

    def add_roles_collector(self, count: Callable[[], Mapping[str, int]]) -> None:
        """Register ``gridhub_roles_expiring{role}``: grants ending within 30 days, read on
        every scrape (``Access.expiring_counts``), so an alert fires before people lose access."""
        if self._roles is not None:  # a second web app on this hub: one series, the latest
            self._roles.count = count
            return
        self._roles = _RolesCollector(count)
        self.registry.register(self._roles)

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _StateCollector(Collector):
    def __init__(self, collect: Callable[[], StateSnapshot]) -> None:
        self._collect = collect

    def describe(self) -> list[Any]:
        # Empty: registering must not call the snapshot (it queries the broker and store).
        return []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(f"{NS}_state_up", "1 if the state gauges could be read")
        try:
            snap = self._collect()
        except Exception as exc:  # a scrape with the counters beats a failed scrape
            log.warning("metrics state snapshot failed", error=f"{type(exc).__name__}: {exc}")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from _queue_gauges(snap.queues)
        yield from _group_gauges(snap.groups)
        yield from _connector_gauges(snap.connectors)


class _RolesCollector(Collector):
    def __init__(self, count: Callable[[], Mapping[str, int]]) -> None:
        self.count = count

    def describe(self) -> list[Any]:
        return []  # registering must not query the store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        expiring = GaugeMetricFamily(f"{NS}_roles_expiring", "Role grants that end within "
                                     "30 days (renew with gridhub users renew)", labels=["role"])
        try:
            counts = self.count()
        except Exception as exc:  # the other series still go out
            log.warning("metrics roles expiring failed", error=f"{type(exc).__name__}: {exc}")
            return
        for role, n in sorted(counts.items()):
            expiring.add_metric([str(role)], n)
        yield expiring


def _queue_gauges(queues: list[QueueState]) -> Iterator[GaugeMetricFamily]:
    depth = GaugeMetricFamily(f"{NS}_queue_depth", "Messages ready in the queue", labels=["queue"])
    age = GaugeMetricFamily(f"{NS}_queue_oldest_message_age_seconds",
                            "Age of the oldest ready message (0 when empty)", labels=["queue"])
    consumers = GaugeMetricFamily(f"{NS}_queue_consumers", "Consumers of the queue",
                                  labels=["queue"])
    members = GaugeMetricFamily(f"{NS}_queue_replicas", "Replicas of the quorum queue",
                                labels=["queue"])
    online = GaugeMetricFamily(f"{NS}_queue_replicas_online",
                               "Replicas of the quorum queue on running nodes", labels=["queue"])
    under = GaugeMetricFamily(f"{NS}_queue_under_replicated", "1 if the quorum queue has "
                              "fewer replicas than wanted or some on a node that is down",
                              labels=["queue"])
    for q in queues:
        if q.depth is not None:
            depth.add_metric([q.name], q.depth)
            age.add_metric([q.name], q.oldest_age_s or 0.0)
        if q.consumers is not None:
            consumers.add_metric([q.name], q.consumers)
        if q.members is not None:
            members.add_metric([q.name], q.members)
            online.add_metric([q.name], q.members_online or 0)
        if q.under_replicated is not None:
            under.add_metric([q.name], 1 if q.under_replicated else 0)
    yield from (depth, age, consumers, members, online, under)


def _group_gauges(groups: list[GroupState]) -> Iterator[GaugeMetricFamily]:
    open_ = GaugeMetricFamily(
        f"{NS}_dead_letters_open", "Open dead letters per failure group",
        labels=["group", "connector", "exception_type", "message_type", "route"])
    for g in groups:
        open_.add_metric([g.group, g.connector, g.exception_type, g.message_type or "",
                          g.route or NO_ROUTE], g.count)
    yield open_


def _connector_gauges(connectors: list[ConnectorState]) -> Iterator[GaugeMetricFamily]:
    reachable = GaugeMetricFamily(f"{NS}_connector_reachable",
                                  "1 if the connector's target answers", labels=["connector"])
    paused = GaugeMetricFamily(f"{NS}_connector_paused", "1 if an operator paused the "
                               "connector", labels=["connector"])
    for c in connectors:
        if c.reachable is not None:  # unknown is absent, not 0: absent() alerts on it
            reachable.add_metric([c.name], 1 if c.reachable else 0)
        paused.add_metric([c.name], 1 if c.paused else 0)
    yield from (reachable, paused)
