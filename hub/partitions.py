"""Which hub partitions this process consumes, when several hub processes share RabbitMQ.

Each hub process writes a heartbeat to the store every ``BEAT_S``; the processes seen within
``ALIVE_S`` are the members. Sorted by id, member ``r`` of ``W`` takes the partitions
``p`` with ``p % W == r``. When a process joins, leaves cleanly or stops beating (kill -9), the
others see a new member list and re-subscribe. Correctness does not rest on this agreement:
every partition queue has a single active consumer, so a process that subscribes to a
partition another still holds waits until that one lets go (after acking its batch in hand;
prefetched deliveries go back to the queue's head). Per-case order therefore holds while
the assignment moves; the heartbeat only spreads the work.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import timedelta

import structlog

from hub.store import Store
from hub.tracing import now

BEAT_S = 1.0
ALIVE_S = 4.0
log = structlog.get_logger("gridhub.partitions")


def share(members: list[str], me: str, partitions: int) -> list[int]:
    """The partitions of ``me`` among ``members`` (all of them when ``me`` is missing)."""
    if me not in members:
        return list(range(partitions))
    rank, count = members.index(me), len(members)
    return [p for p in range(partitions) if p % count == rank]


class Membership:
    """Heartbeats for one hub process and the partitions it currently owns."""

    def __init__(self, store: Store, namespace: str, partitions: int) -> None:
        self._store = store
        self._namespace = namespace
        self._partitions = partitions
        # Time-ordered ids: the oldest process keeps rank 0, so a joiner moves few partitions.
        self.worker_id = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._owned: tuple[int, ...] = tuple(range(partitions))
        self._lock = threading.Lock()

    def owned(self) -> tuple[int, ...]:
        with self._lock:
            return self._owned

    def beat(self) -> tuple[int, ...]:
        """One heartbeat; returns (and keeps) the partitions owned now."""
        at = now()
        members = self._store.heartbeat(self._namespace, self.worker_id, at,
                                        at - timedelta(seconds=ALIVE_S))
        owned = tuple(share(members, self.worker_id, self._partitions))
        with self._lock:
            if owned != self._owned:
                log.info("partitions.assigned", worker=self.worker_id, members=len(members),
                         partitions=list(owned))
            self._owned = owned
        return owned

    def run(self, stop: threading.Event) -> None:
        """Beat until ``stop``; then leave, so the others take over without waiting."""
        while not stop.is_set():
            try:
                self.beat()
            except Exception as exc:  # a store blip: keep what we own, beat again
                log.warning("partitions.heartbeat_failed", error=repr(exc))
            stop.wait(BEAT_S)
        try:
            self._store.leave(self._namespace, self.worker_id)
        except Exception as exc:
            log.warning("partitions.leave_failed", error=repr(exc))
