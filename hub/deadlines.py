"""Deadlines judged by the target's acceptance, not by the hub's receipt.

A route with ``deadline:`` (routes.yaml; metering values at the datahub by 07:00 Europe/Oslo
the next day) makes the hub stage watch each delivery it routes (``hub.store.deadlines``).
The delivery stage settles the watch with the outcome of each attempt:

- accepted (the target took it): accepted_at is the acceptance time; after the due time the
  message is late (a ``late`` hop in its trace, ``gridhub_late_metering_values_total``);
- a transient failure whose next attempt comes after the due time is flagged while it is
  still retrying (a ``deadline-at-risk`` hop, a warning, ``gridhub_deadline_at_risk_total``),
  so someone can act before the deadline passes rather than learn of it afterwards;
- a dead letter: never accepted, until a replay is.

``gridhub metering completeness --day D`` reads the watch (``hub.ops.completeness``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from hub.router import duration
from hub.store import TraceRow, Tx
from hub.store import deadlines as watch
from hub.store.deadlines import WatchRow, WatchState
from hub.tracing import hop
from schemas.envelope import Envelope

log = structlog.get_logger("gridhub.deadlines")


@dataclass(frozen=True)
class Attempt:
    """One delivery outcome: "delivered", "later" (with the next attempt) or "dead"."""

    envelope: Envelope
    outcome: str
    route: str | None
    next_attempt: datetime | None = None


@dataclass
class Settled:
    late: int = 0
    at_risk: int = 0
    trace: list[TraceRow] = field(default_factory=list)


def settle(tx: Tx, destination: str, attempts: Sequence[Attempt], at: datetime) -> Settled:
    """Settle the watched messages among ``attempts`` (one query when none is watched)."""
    out = Settled()
    relevant = [a for a in attempts if a.outcome in ("delivered", "later", "dead")]
    watched = watch.get(tx.conn, [a.envelope.message_id for a in relevant]) if relevant else {}
    for attempt in relevant:
        row = watched.get(attempt.envelope.message_id)
        if row is not None:
            _one(tx, destination, attempt, row, at, out)
    return out


def _one(tx: Tx, destination: str, attempt: Attempt, row: WatchRow, at: datetime,
         out: Settled) -> None:
    env, message_id = attempt.envelope, attempt.envelope.message_id
    if attempt.outcome == "delivered":
        watch.settle(tx.conn, [message_id], WatchState.ACCEPTED, at=at)
        if row.accepted_at is None and at > row.due_at:
            out.late += 1
            out.trace.append(hop(env, "late", target=destination, route=attempt.route,
                                 outcome="late", at=at, detail=(
                                     f"{row.day}: due by {row.due_at.isoformat()}; accepted "
                                     f"by {destination} {duration(at - row.due_at)} late")))
    elif attempt.outcome == "dead":
        watch.settle(tx.conn, [message_id], WatchState.DEAD_LETTERED)
    elif attempt.next_attempt is not None:
        watch.settle(tx.conn, [message_id], WatchState.RETRYING,
                     next_attempt_at=attempt.next_attempt)
        if attempt.next_attempt > row.due_at and row.accepted_at is None:
            out.at_risk += 1
            detail = (f"{row.day}: due by {row.due_at.isoformat()}; still retrying, next "
                      f"attempt {attempt.next_attempt.isoformat()} is after the deadline")
            out.trace.append(hop(env, "deadline-at-risk", target=destination,
                                 route=attempt.route, outcome="late", at=at, detail=detail))
            log.warning("deadline.at_risk", destination=destination, case_id=env.case_id,
                        message_id=message_id, day=row.day, due=row.due_at.isoformat(),
                        next_attempt=attempt.next_attempt.isoformat())
