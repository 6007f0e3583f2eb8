"""The composition root: the one place that builds the broker, store, router and connectors.

Nothing in gridhub opens a connection at import time; ``build()`` wires everything and
``Hub.start()`` starts it. Each consumer runs in its own thread with its own broker connection
(kombu connections are not thread-safe); more throughput means more processes as competing
consumers on RabbitMQ.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from kombu import Connection, Queue
from opentelemetry.trace import SpanKind

from hub import codec, telemetry
from hub.access.mailer import Mailer
from hub.access.warn import DailyWarnings
from hub.brokers import Brokers, forget, node_fault
from hub.config import Settings
from hub.connector import Connector
from hub.consumer import BatchConsumer
from hub.delivery import DeliveryStage
from hub.errors import ConfigurationError, GridhubError
from hub.heartbeats import Heartbeats
from hub.metrics import Metrics
from hub.ops.db import ensure_tables as ensure_ops_tables
from hub.ops.gauges import status_snapshot
from hub.ops.management import management_for
from hub.partitions import Membership
from hub.pipeline import HubStage
from hub.plugins import load as load_plugin
from hub.publisher import LockedPublisher, Outgoing, Publisher
from hub.redaction import redact_url
from hub.retention import Retention
from hub.retry import RetryPolicy
from hub.router import Router
from hub.routes import RouteTable, load_routes
from hub.scheduler import Scheduler
from hub.stagelink import StageLink
from hub.store import Store
from hub.topology import HUB_KEY, Topology, topology_for
from hub.tracing import dead_letter
from schemas.envelope import Envelope

log = structlog.get_logger("gridhub.app")
PURGE_EVERY_S = 3600.0
# Retention work per scheduler tick: a few small batches, so due retries are never held up
# long; a purge with more to do comes back after PURGE_AGAIN_S instead of an hour.
PURGE_BUDGET_S = 2.0
PURGE_AGAIN_S = 10.0
# Hub consumer threads per process on RabbitMQ. Two (one computing while the other waits for
# confirms or a commit) measured no better on 2 cores with SQLite (390-787 vs 1,061 inputs/s,
# same run): the store's single writer and the GIL serialise them. Scale with processes.
HUB_THREADS = 1


class InboundPublisher:
    """What connectors publish through: canonical messages to the hub queue, confirmed; inputs
    that cannot become one, to the dead-letter store (``store``) whole; and with a store, where
    a pulling connector keeps documents before acknowledging them."""

    def __init__(self, publisher: LockedPublisher, topology: Topology,
                 store: Store | None = None) -> None:
        self._publisher = publisher
        self._topology = topology
        self._store = store

    def intake(self, connector: str, plugin: str | None = None) -> Any:
        """Where ``connector`` keeps what it pulls (``hub.intake.Intake``)."""
        from hub.errors import ConfigurationError
        from hub.intake import Intake

        if self._store is None:
            raise ConfigurationError(f"connector {connector!r} keeps what it pulls in the "
                                     "hub's store, and this process has none",
                                     where=f"connectors.{connector}")
        return Intake(self._store, connector, plugin)

    def publish(self, messages: Sequence[Envelope]) -> None:
        self._publisher.publish(
            [Outgoing(self._topology.inbound, HUB_KEY, codec.encode(_received(m)),
                      case_id=m.case_id)
             for m in messages])

    def reject(self, body: bytes, error: GridhubError, *, source: str) -> None:
        if self._store is None:
            raise ConfigurationError("this publisher has no dead-letter store", where=source)
        row = dead_letter(error, body=body, headers={}, envelope=None, connector=source,
                          route=None, attempts=1)
        with self._store.transaction() as tx:
            tx.add_dead_letters([row])


def _received(message: Envelope) -> Envelope:
    """``message`` with the traceparent of a ``receive`` span: the first hop of its trace (or
    a child of the trace it came with, a reply to a delivery for one)."""
    with telemetry.span(f"receive {message.type}", message.traceparent,
                        kind=SpanKind.PRODUCER,
                        attributes={"messaging.message.id": message.message_id,
                                    "gridhub.case_id": message.case_id,
                                    "gridhub.message_type": message.type,
                                    "gridhub.source": message.source}):
        return message.model_copy(update={"traceparent": telemetry.current_traceparent()})


class Hub:
    """A running gridhub process: consumers, scheduler and connectors."""

    def __init__(self, settings: Settings, table: RouteTable, store: Store,
                 connectors: Mapping[str, Connector], connect: Callable[[], Connection],
                 inbound: InboundPublisher, topology: Topology,
                 brokers: Brokers | None = None, heartbeats: Heartbeats | None = None) -> None:
        self.settings = settings
        self.brokers = brokers or Brokers(settings.broker_url, settings.broker_options())
        self.heartbeats = heartbeats or Heartbeats(settings.broker_heartbeat)
        self.table = table
        self.store = store
        self.connectors = dict(connectors)
        self.connect = connect
        self.inbound = inbound
        self.topology = topology
        self.router = Router(table)
        self.metrics = Metrics()
        self._watching = False
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        conn = self.connect()
        try:
            conn.ensure_connection(max_retries=max(1, self.brokers.attempts() - 1))
            self.topology.declare(conn, self.connectors)
        except BaseException:
            forget(conn)  # no close handshake with a node that may not answer
            raise
        conn.release()
        self.heartbeats.start()
        self._watch_state()
        roles = set(self.settings.roles)
        if "hub" in roles:
            for index, queues in enumerate(self._hub_queues()):
                self._spawn(f"hub-{index}" if index else "hub",
                            self._consumer(queues, self._hub_stage))
        if "deliver" in roles:
            for name in self.connectors:
                self._spawn(f"deliver:{name}", self._consumer(
                    self.topology.delivery_queue(name), self._delivery_stage(name)))
        if "scheduler" in roles:
            self._spawn("scheduler", self._scheduler_loop)
        if "inbound" in roles:
            for connector in self.connectors.values():
                connector.start()
        log.info("hub.started", roles=sorted(roles), connectors=sorted(self.connectors),
                 broker=redact_url(self.settings.broker_url), namespace=self.settings.namespace,
                 broker_nodes=len(self.brokers.addresses),
                 broker_heartbeat_s=self.settings.broker_heartbeat)

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the batches in hand, return prefetched messages to the broker, stop."""
        for connector in self.connectors.values():
            connector.stop()
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self.inbound._publisher.close()
        self.heartbeats.stop()
        self.store.close()
        telemetry.flush()  # the spans of the last batches reach the collector
        log.info("hub.stopped")

    def wait(self) -> None:
        self._stop.wait()

    def _spawn(self, name: str, target: Callable[[threading.Event], None]) -> None:
        thread = threading.Thread(target=target, args=(self._stop,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _consumer(self, queue: object, stage_factory: Callable[[Connection], object]
                  ) -> Callable[[threading.Event], None]:
        def run(stop: threading.Event) -> None:
            link = StageLink(self.brokers, self.heartbeats, stage_factory)
            s = self.settings
            BatchConsumer(self.connect, queue, link.handle, prefetch=s.prefetch,  # type: ignore[arg-type]
                          batch_max=s.batch_max, linger_s=s.batch_linger_ms / 1000,
                          heartbeats=self.heartbeats, attempts=self.brokers.attempts(),
                          lost=link.lost).run(stop)
            link.close()
        return run

    def _hub_queues(self) -> list[object]:
        """What each hub consumer thread consumes: the one hub queue, or on RabbitMQ a
        share of the partitions this process owns right now (a partition is only ever in one
        thread, so a case's messages stay in order)."""
        if self.topology.partitions == 1:
            return [self.topology.hub_queue()]
        members = Membership(self.store, self.topology.namespace, self.topology.partitions)
        try:
            members.beat()  # learn our share before subscribing: don't grab and drop them all
        except Exception as exc:  # the store is away: start with all; the beat loop retries
            log.warning("partitions.first_heartbeat_failed", error=repr(exc))
        self._spawn("members", members.run)

        def slot(index: int) -> Callable[[], list[Queue]]:
            return lambda: [self.topology.hub_partition(p)
                            for p in members.owned()[index::HUB_THREADS]]
        return [slot(i) for i in range(HUB_THREADS)]

    def _watch_state(self) -> None:
        """Queue depths, dead-letter groups and reachability as gauges, read per scrape."""
        if self._watching:  # a registry takes each collector once; start() may run again
            return
        self._watching = True
        url = self.settings.broker_url
        self.metrics.add_state_collector(status_snapshot(
            self.store, broker_url=url, namespace=self.settings.namespace,
            connectors=self.connectors, management=management_for(url)))
        from hub.ops.completeness import completeness_collector

        self.metrics.registry.register(completeness_collector(self.store))

    def _publisher(self, conn: Connection) -> Publisher:
        return Publisher(conn, self.settings.broker_confirm_timeout)

    def _hub_stage(self, conn: Connection) -> HubStage:
        return HubStage(self.store, self.router, self.topology, self._publisher(conn),
                        self.metrics)

    def _delivery_stage(self, name: str) -> Callable[[Connection], DeliveryStage]:
        def make(conn: Connection) -> DeliveryStage:
            return DeliveryStage(name, self.connectors[name], self.store, self.topology,
                                 self._publisher(conn), self.route_policies(), self.metrics)
        return make

    def purge_expired(self) -> bool:
        """Idempotency keys and outbox rows older than the retention are no longer needed:
        a broker redelivers within minutes, not weeks. Then the data retention (hub.retention)
        for a short while; True when it has more to do."""
        cutoff = datetime.now(UTC) - timedelta(days=self.settings.idempotency_retention_days)
        seen, outbox = self.store.purge_seen(cutoff), self.store.purge_outbox(cutoff)
        # Pulled documents are acknowledged long before: no sender hands them out again.
        documents = self.store.purge_inbound(cutoff)
        if seen or outbox or documents:
            log.info("retention.purged", idempotency_keys=seen, outbox_rows=outbox,
                     inbound_documents=documents)
        done, more = Retention.from_settings(self.store, self.settings).purge(
            budget_s=PURGE_BUDGET_S)
        if any(done.values()):
            log.info("retention.purged", **{str(k): n for k, n in done.items()}, more=more)
        return more

    def route_policies(self) -> dict[str, RetryPolicy]:
        return {r.name: self.table.policies[r.retry] for r in self.table.routes}

    def _scheduler_loop(self, stop: threading.Event) -> None:
        conn: Connection | None = None
        scheduler: Scheduler | None = None
        interval = self.settings.scheduler_interval_ms / 1000
        next_purge = 0.0
        expiry_mail = DailyWarnings.for_hub(self.store, self.settings)  # off without smtp_url
        beats = self.heartbeats
        while not stop.wait(interval):
            try:
                if scheduler is None:  # (re)connect here, inside the try: the broker may be away
                    conn = self.connect()
                    conn.ensure_connection(max_retries=max(1, self.brokers.attempts() - 1))
                    beats.register(conn)
                    scheduler = Scheduler(self.store, self.router, self.topology,
                                          self._publisher(conn))
                    beats.give(conn)
                with beats.using(conn):  # type: ignore[arg-type]
                    scheduler.tick()
                expiry_mail.tick()  # role-expiry mail, on a thread of its own, hourly at most
                if time.monotonic() >= next_purge:
                    more = self.purge_expired()
                    next_purge = time.monotonic() + (PURGE_AGAIN_S if more else PURGE_EVERY_S)
            except Exception as exc:  # a broker or store blip: reconnect at the next tick
                log.warning("scheduler.failed", error=repr(exc))
                if conn is not None:
                    beats.drop(conn)
                    if node_fault(exc):
                        self.brokers.failed(conn)
                    forget(conn)
                conn, scheduler = None, None
        if conn is not None:
            beats.drop(conn)
            conn.release()


def build(settings: Settings, *, plugins: Mapping[str, type[Connector]] | None = None) -> Hub:
    """Wire a hub from settings. ``plugins`` adds or overrides connector classes by name."""
    _ensure_dirs(settings)
    table = load_routes(settings.routes)
    Mailer.from_settings(settings)  # a bad smtp_url stops the start here, naming the setting
    telemetry.configure(settings.otlp_endpoint)
    store = Store(settings.store_url)
    store.open()
    ensure_ops_tables(store)
    topology = topology_for(settings.namespace, settings.broker_url,
                            replicas=settings.broker_replicas)
    brokers = Brokers(settings.broker_url, settings.broker_options())
    heartbeats = Heartbeats(settings.broker_heartbeat)
    inbound = InboundPublisher(LockedPublisher(
        brokers.connect, attempts=brokers.attempts(),
        confirm_timeout_s=settings.broker_confirm_timeout, heartbeats=heartbeats,
        failed=brokers.failed), topology, store)
    connectors: dict[str, Connector] = {}
    for name, spec in table.connectors.items():
        cls = (plugins or {}).get(spec.plugin) or load_plugin(spec.plugin)
        connectors[name] = cls(spec.settings, inbound)
    return Hub(settings, table, store, connectors, brokers.connect, inbound, topology,
               brokers, heartbeats)


def _ensure_dirs(settings: Settings) -> None:
    """The embedded defaults write under ./var; create it so the first run just works."""
    for url, prefix in ((settings.broker_url, "embedded://"), (settings.store_url, "sqlite:///")):
        if url.startswith(prefix):
            path = Path(url[len(prefix):])
            if str(path) not in ("", ":memory:"):
                path.parent.mkdir(parents=True, exist_ok=True)

