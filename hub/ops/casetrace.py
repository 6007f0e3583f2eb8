"""A case's story across every system: the timeline, where it stands, what is waiting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from hub.ops.db import reading
from hub.ops.pause import pauses
from hub.store import DeadLetterRow, Store, TraceRow
from hub.store.tables import scheduled as sched

KINDS = ("gsrn", "meter_number", "workorder_id")


@dataclass(frozen=True)
class Waiting:
    """A message of the case the scheduler keeps for ``destination``."""

    destination: str
    message_id: str
    due_at: datetime | None  # None: held behind an earlier message, or connector paused
    attempt: int
    last_error: str | None
    paused: bool


@dataclass(frozen=True)
class CaseSummary:
    """Where one case stands now. ``status`` None: the hub never projected it (e.g. its
    first message was refused)."""

    case_id: str
    status: str | None
    flow: str | None
    side_tracks: dict[str, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    keys: dict[str, list[str]] = field(default_factory=dict)
    updated_at: datetime | None = None
    open_dead_letters: list[DeadLetterRow] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)


@dataclass(frozen=True)
class CaseTrace:
    key: str
    hops: list[TraceRow]
    cases: list[CaseSummary]

    @property
    def found(self) -> bool:
        return bool(self.hops or self.cases)


def case_trace(store: Store, key: str, kind: str | None = None) -> CaseTrace:
    """The trace of case ``key``, or of every case carrying business key ``key`` (a GSRN,
    meter number or work-order id; only of ``kind`` when given)."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"key kind {kind!r} is not one of {', '.join(KINDS)}")
    hops = store.trace(key, kind)
    case_ids = list(dict.fromkeys(h.case_id for h in hops))
    if not case_ids and kind is None and store.case(key) is not None:
        case_ids = [key]
    return CaseTrace(key, hops, [_summary(store, case_id) for case_id in case_ids])


def _summary(store: Store, case_id: str) -> CaseSummary:
    row = store.case(case_id)
    dead = store.dead_letters(case_id=case_id)
    with reading(store) as conn:
        waiting = _waiting(conn, case_id)
    if row is None:
        return CaseSummary(case_id, None, None, open_dead_letters=dead, waiting=waiting)
    state: dict[str, Any] = row.state or {}
    tracks = {name: str(value) for name, value in (state.get("side_tracks") or {}).items()
              if value is not None}
    return CaseSummary(case_id, row.status, row.flow, tracks,
                       [str(f) for f in state.get("flags") or []], row.keys, row.updated_at,
                       dead, waiting)


def _waiting(conn: sa.Connection, case_id: str) -> list[Waiting]:
    paused = set(pauses(conn))
    stmt = (sa.select(sched.c.destination, sched.c.message_id, sched.c.due_at, sched.c.attempt,
                      sched.c.last_error).where(sched.c.case_id == case_id).order_by(sched.c.id))
    return [Waiting(r.destination, r.message_id, r.due_at, r.attempt, r.last_error,
                    r.destination in paused) for r in conn.execute(stmt)]
