"""Park a connector until its target is back: a persistent pause flag per connector.

While a connector is paused its delivery stage calls nothing: every message for it is stored
in the scheduler as *held* (``due_at`` NULL), exactly like a message waiting behind an earlier
failed one of its case, so later messages of the same case queue behind it. Resuming makes the
head of every held case due again, in insertion order; each delivery then releases the next
message of its case as usual (``hub.delivery``), so nothing overtakes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from hub.ops.audit import AuditEntry, record
from hub.store import Store
from hub.store import scheduled as scheduled_rows
from hub.store.statements import insert_ignore
from hub.store.tables import connector_pause
from hub.store.tables import scheduled as sched


@dataclass(frozen=True)
class Pause:
    """A paused connector: since when, by whom, why."""

    connector: str
    paused_at: datetime
    paused_by: str
    reason: str


@dataclass(frozen=True)
class Resumed:
    """What ``resume`` did: whether the connector was paused, and how many held cases it
    released (each case's first held message became due; the rest follow in order)."""

    was_paused: bool
    released: int


def pauses(conn: sa.Connection) -> dict[str, Pause]:
    """Every paused connector by name."""
    rows = conn.execute(sa.select(connector_pause).order_by(connector_pause.c.connector))
    return {r.connector: Pause(r.connector, r.paused_at, r.paused_by, r.reason) for r in rows}


def pause(store: Store, connector: str, *, actor: str, reason: str,
          at: datetime | None = None) -> tuple[Pause, bool]:
    """Pause ``connector``; returns the pause in force and whether this call created it (a
    connector already paused keeps its original time, actor and reason)."""
    when = at or datetime.now(UTC)
    with store.transaction() as tx:
        existing = pauses(tx.conn).get(connector)
        if existing is not None:
            return existing, False
        # Ignore a conflict: a concurrent pause of the same connector is the same outcome.
        insert_ignore(tx.conn, connector_pause, [{
            "connector": connector, "paused_at": when, "paused_by": actor, "reason": reason,
        }], ["connector"])
        record(tx.conn, [AuditEntry(actor=actor, action="pause", subject=f"connector {connector}",
                                    reason=reason, detail={"connector": connector}, at=when)])
    return Pause(connector, when, actor, reason), True


def resume(store: Store, connector: str, *, actor: str, reason: str,
           at: datetime | None = None) -> Resumed:
    """Lift the pause of ``connector`` and release what it held, in order."""
    when = at or datetime.now(UTC)
    with store.transaction() as tx:
        deleted = tx.conn.execute(
            sa.delete(connector_pause).where(connector_pause.c.connector == connector))
        was_paused = deleted.rowcount > 0
        released = release_held(tx.conn, connector, when)
        if was_paused or released:
            record(tx.conn, [AuditEntry(
                actor=actor, action="resume", subject=f"connector {connector}", reason=reason,
                detail={"connector": connector, "released_cases": released}, at=when)])
    return Resumed(was_paused, released)


def release_held(conn: sa.Connection, destination: str, at: datetime) -> int:
    """Make the first held message of each case waiting for ``destination`` due at ``at``,
    the oldest case first; returns how many were released. A case whose first message is a
    pending retry is left alone: its retry releases the rest when it resolves."""
    heads = (sa.select(sched.c.case_id, sa.func.min(sched.c.id).label("first"))
             .where(sched.c.destination == destination)
             .group_by(sched.c.case_id).order_by("first"))
    released = 0
    for case_id, _first in conn.execute(heads).all():
        if scheduled_rows.release_next(conn, destination, case_id, at) is not None:
            released += 1
    return released
