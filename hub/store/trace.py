"""Trace: every hop of every message, found by case id or by any business key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from hub.store.cases import KeyRow, add_keys, case_ids_for, key_rows
from hub.store.statements import plain_insert
from hub.store.tables import trace as t

HOPS = ("received", "routed", "delivered", "retry-scheduled", "dead-lettered", "duplicate",
        "held", "released")
"""The usual hop names; others (e.g. "aggregated", "unrouted") are stored as given."""


# How a hop ended: done; failed (retry scheduled or dead-lettered); passed over (duplicate,
# held, unrouted); or a metering value that came after its period was settled.
HopOutcome = Literal["ok", "error", "skipped", "late"]


@dataclass(frozen=True, kw_only=True)
class TraceRow:
    """One hop: what happened to ``message_id`` of ``case_id`` at ``at``."""

    message_id: str
    case_id: str
    type: str
    hop: str
    source: str
    target: str | None = None
    route: str | None = None
    outcome: HopOutcome = "ok"
    attempt: int = 0
    at: datetime
    detail: str | None = None
    keys: dict[str, list[str]] = field(default_factory=dict)
    id: int | None = None  # set by the store


_FIELDS = ("message_id", "case_id", "type", "hop", "source", "target", "route", "outcome",
           "attempt", "at", "detail", "keys")


def add_trace(conn: sa.Connection, rows: Sequence[TraceRow],
              written_keys: set[KeyRow] | None = None) -> None:
    if not rows:
        return
    conn.execute(plain_insert(t), [{f: getattr(r, f) for f in _FIELDS} for r in rows])
    add_keys(conn, (k for r in rows for k in key_rows(r.case_id, r.keys)), written_keys)


def trace_for(conn: sa.Connection, key: str, kind: str | None = None) -> list[TraceRow]:
    """Every hop of the case ``key``, or of the cases carrying business key ``key``
    (restricted to business keys of ``kind`` when given), oldest first."""
    return [TraceRow(**row) for row in conn.execute(trace_query(key, kind)).mappings()]


def trace_query(key: str, kind: str | None = None) -> sa.Select[Any]:
    """The statement of ``trace_for``."""
    return sa.select(t).where(t.c.case_id.in_(trace_cases(key, kind))).order_by(t.c.at, t.c.id)


def trace_cases(key: str, kind: str | None = None) -> sa.CompoundSelect | sa.Select[tuple[str]]:
    """The case ids whose trace ``trace_for`` shows, as one set. ``case_id = :k OR case_id IN
    (...)`` planned as a sequential scan of the whole trace on PostgreSQL (0.5-1.3 s at 3.9 M
    rows, issue 21); one ``IN`` over a union is looked up in ix_trace_case_at on both stores."""
    cases = case_ids_for(key, kind)
    if kind:
        return cases
    return sa.union(sa.select(sa.literal(key, sa.String).label("case_id")), cases)


def latest_routed_at(target: str, n: int) -> sa.Select[datetime]:
    """When the ``n``-th latest message routed to ``target`` was traced (``gridhub status``'s
    estimate of a delivery queue's oldest message); read through ix_trace_routed_target."""
    # 'routed' inline, not bound: a partial index is used only for a query whose condition
    # names its constant (SQLite plans before binding; PostgreSQL's generic plans too).
    return (sa.select(t.c.at).where(t.c.hop == sa.literal_column("'routed'"), t.c.target == target)
            .order_by(t.c.id.desc()).limit(1).offset(n - 1))
