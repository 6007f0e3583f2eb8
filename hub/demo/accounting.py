"""Where every message the hub sent on its way ended: delivered to its target, dead-lettered
with a cause, or still pending, and then with its reason (a retry due, a paused connector,
held behind an earlier message of its case).

A case is not accounted for because the hub's projection says "archived": the installer's
portal must also have heard. So the demo counts, per target, the messages the hub routed to it
and what became of each, from the store's own records (the trace's routed hops, the durable
delivered log, the dead letters and the scheduler), and it waits for the queues to drain
before it does. A message routed but neither delivered, dead-lettered nor scheduled is still
in a queue or on its way: pending *without* a reason, which the demo reports and fails on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from hub.ops.db import reading
from hub.store import Store
from hub.store.tables import connector_pause as pause_t
from hub.store.tables import dead_letter as dl_t
from hub.store.tables import delivered as delivered_t
from hub.store.tables import scheduled as sched_t
from hub.store.tables import trace as trace_t
from hub.topology import topology_for
from hub.transports import QueueNotFound, connection_for, queue_depth


@dataclass(frozen=True)
class Pending:
    """One message routed to a target and not (yet) delivered or dead-lettered."""

    message_id: str
    case_id: str
    type: str
    reason: str | None  # None: in a queue or on its way, nobody can say why it waits


@dataclass(frozen=True)
class TargetAccount:
    target: str
    routed: int
    delivered: int
    dead_lettered: int
    pending: list[Pending] = field(default_factory=list)

    @property
    def unexplained(self) -> list[Pending]:
        return [p for p in self.pending if p.reason is None]


def account(store: Store, targets: Iterable[str]) -> dict[str, TargetAccount]:
    """Per target: the messages routed to it and where each one ended."""
    wanted = set(targets)
    with reading(store) as conn:
        routed = _routed(conn, wanted)
        delivered = _pairs(conn, sa.select(delivered_t.c.destination, delivered_t.c.message_id))
        dead = _pairs(conn, sa.select(dl_t.c.connector, dl_t.c.message_id)
                      .where(dl_t.c.message_id.is_not(None)))
        waiting = _waiting(conn)
    out: dict[str, TargetAccount] = {}
    for target in sorted(wanted):
        messages = routed.get(target, {})
        done = {m for m in messages if (target, m) in delivered}
        failed = {m for m in messages if (target, m) in dead and m not in done}
        pending = [Pending(m, case_id, type_, waiting.get((target, m)))
                   for m, (case_id, type_) in sorted(messages.items())
                   if m not in done and m not in failed]
        out[target] = TargetAccount(target, len(messages), len(done), len(failed), pending)
    return out


def _routed(conn: sa.Connection, targets: set[str]) -> dict[str, dict[str, tuple[str, str]]]:
    stmt = (sa.select(trace_t.c.target, trace_t.c.message_id, trace_t.c.case_id,
                      trace_t.c.type).where(trace_t.c.hop == "routed"))
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for target, message_id, case_id, type_ in conn.execute(stmt):
        if target in targets:
            found.setdefault(target, {})[message_id] = (case_id, type_)
    return found


def _pairs(conn: sa.Connection, stmt: sa.Select[Any]) -> set[tuple[str, str]]:
    return {(str(a), str(b)) for a, b in conn.execute(stmt)}


def _waiting(conn: sa.Connection) -> dict[tuple[str, str], str]:
    """The scheduler's messages with the reason each waits, as a person reads it."""
    paused = {str(c) for (c,) in conn.execute(sa.select(pause_t.c.connector))}
    stmt = sa.select(sched_t.c.destination, sched_t.c.message_id, sched_t.c.due_at,
                     sched_t.c.attempt, sched_t.c.last_error)
    out: dict[tuple[str, str], str] = {}
    for destination, message_id, due_at, attempt, last_error in conn.execute(stmt):
        if due_at is not None:
            why = f"retry due {_clock(due_at)} after {attempt} tries"
            out[(destination, message_id)] = f"{why}: {last_error}" if last_error else why
        elif destination in paused:
            out[(destination, message_id)] = f"connector {destination} is paused"
        else:
            out[(destination, message_id)] = "held behind an earlier message of its case"
    return out


def _clock(value: datetime | str) -> str:
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.astimezone(UTC).strftime("%H:%M:%S UTC")


# -- draining ----------------------------------------------------------------------------------

DrainProgress = Callable[[int], None]


@dataclass(frozen=True)
class Drained:
    seconds: float
    in_queues: dict[str, int]  # what was still in each broker queue when the drain ended
    complete: bool  # nothing left on its way (pending ones all have a reason)


def on_their_way(store: Store, targets: Sequence[str], broker_url: str,
                 namespace: str) -> tuple[int, dict[str, int]]:
    """Messages in the broker's queues plus routed messages with no outcome and no reason."""
    depths = queue_depths(broker_url, namespace, targets)
    unexplained = sum(len(a.unexplained) for a in account(store, targets).values())
    return sum(depths.values()) + unexplained, depths


def drain(store: Store, targets: Sequence[str], broker_url: str, namespace: str, *,
          limit: float = 60.0, tick: float = 0.25,
          progress: DrainProgress | None = None) -> Drained:
    """Wait, at most ``limit`` seconds, until no message is on its way to any target and
    no retry falls due within the limit (a later one stays pending, with its reason)."""
    start = time.monotonic()
    deadline = datetime.now(UTC) + timedelta(seconds=limit)
    while True:
        left, depths = on_their_way(store, targets, broker_url, namespace)
        left += _retries_due_before(store, deadline)
        if progress is not None:
            progress(left)
        if left == 0 or time.monotonic() - start >= limit:
            return Drained(time.monotonic() - start, depths, left == 0)
        time.sleep(tick)


def _retries_due_before(store: Store, deadline: datetime) -> int:
    with reading(store) as conn:
        return int(conn.scalar(sa.select(sa.func.count()).select_from(sched_t)
                               .where(sched_t.c.due_at <= deadline)) or 0)


def queue_depths(broker_url: str, namespace: str, targets: Sequence[str]) -> dict[str, int]:
    """Ready messages in the hub's own queues and each target's delivery queue."""
    topology = topology_for(namespace, broker_url)
    found: dict[str, int] = {}
    with connection_for(broker_url) as conn:
        for queue in topology.all_queues(sorted(targets)):
            try:
                found[queue.name] = queue_depth(conn, queue.name)
            except QueueNotFound:
                found[queue.name] = 0  # never declared: nothing was ever put in it
    return found
