"""Durable retry schedule and per-(destination, case) ordering holds.

A transient failure of a message for (destination, case) stores a row due at the retry
time. While any row exists for the pair, later messages for it are stored held
(``due_at`` NULL) instead of delivered. When the head delivers, its row is deleted and
``release_next`` makes the next held row due.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from hub.store.statements import chunks
from hub.store.tables import scheduled as t


@dataclass(frozen=True, kw_only=True)
class ScheduledRow:
    """A message waiting for ``destination``: due at ``due_at``, or held when it is None."""

    destination: str
    case_id: str
    message_id: str
    route: str | None = None
    body: bytes = field(repr=False)  # personal data: kept out of logs
    headers: dict[str, Any] = field(default_factory=dict)
    attempt: int = 0  # deliveries tried so far
    first_failure_at: datetime | None = None
    last_error: str | None = None
    due_at: datetime | None = None
    id: int | None = None  # set by the store
    seq: int | None = None  # set by the store: insertion order (equal to ``id``)


_FIELDS = ("destination", "case_id", "message_id", "route", "body", "headers", "attempt",
           "first_failure_at", "last_error", "due_at")


def _row(values: Any) -> ScheduledRow:
    return ScheduledRow(**values, seq=values["id"])


def _locked(conn: sa.Connection, stmt: sa.Select[Any]) -> sa.Select[Any]:
    # Competing hub workers on PostgreSQL must not take the same rows; SQLite has one writer.
    if conn.dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt


def schedule(conn: sa.Connection, rows: Sequence[ScheduledRow]) -> None:
    if rows:
        conn.execute(sa.insert(t), [{f: getattr(r, f) for f in _FIELDS} for r in rows])


def due(conn: sa.Connection, now: datetime, limit: int) -> list[ScheduledRow]:
    """Rows whose time has come, earliest first (ties in insertion order)."""
    stmt = sa.select(t).where(t.c.due_at <= now).order_by(t.c.due_at, t.c.id).limit(limit)
    return [_row(r) for r in conn.execute(_locked(conn, stmt)).mappings()]


def reschedule(conn: sa.Connection, scheduled_id: int, due_at: datetime | None, *,
               attempt: int | None = None, last_error: str | None = None,
               first_failure_at: datetime | None = None) -> None:
    """Move row ``scheduled_id`` to ``due_at``; update the attempt data that is given."""
    values: dict[str, Any] = {"due_at": due_at}
    given = {"attempt": attempt, "last_error": last_error, "first_failure_at": first_failure_at}
    values.update({k: v for k, v in given.items() if v is not None})
    conn.execute(sa.update(t).where(t.c.id == scheduled_id).values(values))


def delete(conn: sa.Connection, ids: Sequence[int]) -> None:
    for part in chunks(list(dict.fromkeys(ids))):
        conn.execute(sa.delete(t).where(t.c.id.in_(part)))


def _pair(destination: str, case_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(t.c.destination == destination, t.c.case_id == case_id)


def is_held(conn: sa.Connection, destination: str, case_id: str) -> bool:
    """True while any row (due or held) exists for the pair."""
    stmt = sa.select(t.c.id).where(_pair(destination, case_id)).limit(1)
    return conn.scalar(stmt) is not None


def head_of(conn: sa.Connection, destination: str, case_id: str) -> ScheduledRow | None:
    """The pair's earliest-inserted row."""
    stmt = sa.select(t).where(_pair(destination, case_id)).order_by(t.c.id).limit(1)
    row = conn.execute(stmt).mappings().first()
    return _row(row) if row else None


def release_next(conn: sa.Connection, destination: str, case_id: str,
                 due_at: datetime) -> ScheduledRow | None:
    """Make the pair's lowest-seq held row due at ``due_at`` and return it.

    Nothing is released while an earlier row of the pair is still pending (not held), so a
    later message can never overtake it; None when nothing was released.
    """
    head = sa.select(t).where(_pair(destination, case_id)).order_by(t.c.id).limit(1)
    if conn.dialect.name == "postgresql":
        head = head.with_for_update()
    row = conn.execute(head).mappings().first()
    if row is None or row["due_at"] is not None:
        return None
    conn.execute(sa.update(t).where(t.c.id == row["id"]).values(due_at=due_at))
    return _row({**row, "due_at": due_at})


def count(conn: sa.Connection) -> int:
    return int(conn.scalar(sa.select(sa.func.count()).select_from(t)) or 0)
