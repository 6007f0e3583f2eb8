"""The durable scheduler: due retries and released held messages back onto the broker, and
aggregations whose time ran out.

Delayed retries wait as rows in the store, not in a sleeping worker and not in broker TTL
queues, so they survive a restart of the hub and of the broker alike, keep their exact jittered
time, and stay visible to ops. A row handed back to the broker keeps a lease: should the delivery
worker never resolve it (crash), it is dispatched again when the lease ends; idempotency
suppresses the duplicate.
"""

from __future__ import annotations

from datetime import timedelta

import structlog

from hub import codec
from hub.publisher import Outgoing, Publisher
from hub.router import Router
from hub.store import ScheduledRow, Store
from hub.topology import HUB_KEY, Topology
from hub.tracing import now

LEASE = timedelta(minutes=5)
log = structlog.get_logger("gridhub.scheduler")


class Scheduler:
    """One tick moves what is due. Call :meth:`tick` periodically from one thread."""

    def __init__(self, store: Store, router: Router, topology: Topology, publisher: Publisher,
                 *, batch: int = 500) -> None:
        self._store = store
        self._router = router
        self._topology = topology
        self._publisher = publisher
        self._batch = batch

    def tick(self) -> int:
        """Dispatch due rows and expired aggregations; returns how many messages went out."""
        return self._dispatch_due() + self._expire_aggregations()

    def _dispatch_due(self) -> int:
        at = now()
        with self._store.transaction() as tx:
            rows = tx.due(at, self._batch)
            if not rows:
                return 0
            self._publisher.publish([self._outgoing(r) for r in rows])
            for row in rows:  # the lease: re-dispatch only if nobody resolves it
                assert row.id is not None  # rows read from the store always have one
                tx.reschedule(row.id, at + LEASE)
        log.debug("scheduler.dispatched", count=len(rows))
        return len(rows)

    def _outgoing(self, row: ScheduledRow) -> Outgoing:
        headers = dict(row.headers or {})
        headers[codec.H_ATTEMPT] = row.attempt
        headers[codec.H_SCHEDULED_ID] = row.id
        if row.route:
            headers[codec.H_ROUTE] = row.route
        if row.first_failure_at is not None:
            headers[codec.H_FIRST_FAILURE] = row.first_failure_at.isoformat()
        return Outgoing(self._topology.outbound, row.destination, row.body, headers)

    def _expire_aggregations(self) -> int:
        at = now()
        sent = 0
        with self._store.transaction() as tx:
            for key, route in tx.aggregates_expired(at, self._batch):
                parts = tx.aggregate_take(key)
                emitted = self._router.complete(route, key, parts, timed_out=True)
                # Published inside the transaction: a crash before commit keeps the parts and
                # emits again later with the same deterministic id, which the hub de-duplicates.
                self._publisher.publish(
                    [Outgoing(self._topology.inbound, HUB_KEY, codec.encode(emitted),
                              case_id=emitted.case_id)])
                log.info("aggregation.timed_out", route=route, case_id=emitted.case_id,
                         have=sorted(parts))
                sent += 1
        return sent
