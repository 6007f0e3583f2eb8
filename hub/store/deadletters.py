"""Dead letters: failed messages with their full error context, grouped by fingerprint."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from hub.codec import H_REPLAY_OF
from hub.store.statements import chunks, insert_ignore
from hub.store.tables import dead_letter as t
from hub.store.tables import dead_letter_key as tk

STATUSES = ("open", "replayed", "discarded")


@dataclass(frozen=True, kw_only=True)
class DeadLetterRow:
    """A message that failed for good, with everything needed to understand and replay it."""

    message_id: str | None
    case_id: str | None
    message_type: str | None
    route: str | None
    connector: str
    body: bytes = field(repr=False)  # personal data: kept out of logs
    headers: dict[str, Any] = field(default_factory=dict)
    attempts: int
    first_failure_at: datetime
    last_failure_at: datetime
    exception_type: str
    exception_message: str
    where: str | None = None
    remote_fault: dict[str, Any] | None = None
    fingerprint: str
    status: str = "open"
    replay_count: int = 0
    keys: dict[str, list[str]] = field(default_factory=dict)
    created_at: datetime | None = None  # set by the store when None
    settled_at: datetime | None = None  # replayed or discarded at; set by the store
    id: int | None = None  # set by the store


@dataclass(frozen=True, kw_only=True)
class DeadLetterGroup:
    """Dead letters sharing a fingerprint: one failure cause, seen ``count`` times."""

    fingerprint: str
    count: int
    first_failure: datetime
    last_failure: datetime
    exception_type: str
    connector: str
    message_type: str | None
    route: str | None
    sample_error: str  # the exception message of the latest dead letter in the group


_FIELDS = ("message_id", "case_id", "message_type", "route", "connector", "body", "headers",
           "attempts", "first_failure_at", "last_failure_at", "exception_type",
           "exception_message", "where", "remote_fault", "fingerprint", "status",
           "replay_count", "keys", "created_at")


def fingerprint(exception_type: str, where: str | None, connector: str | None,
                message_type: str | None) -> str:
    """Groups failures with one cause: 12 hex chars of a SHA-1 over the failure's shape."""
    text = "\x1f".join((exception_type, where or "", connector or "", message_type or ""))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]


def add_dead_letters(conn: sa.Connection, rows: Sequence[DeadLetterRow]) -> list[int]:
    """Store ``rows``; returns their ids in the order given."""
    if not rows:
        return []
    created = datetime.now(UTC)
    values = [{f: getattr(r, f) for f in _FIELDS} | {"created_at": r.created_at or created}
              for r in rows]
    ids = _insert_returning_ids(conn, values)
    keys = [{"dead_letter_id": i, "kind": kind, "value": str(v)}
            for i, r in zip(ids, rows, strict=True) for kind, vs in r.keys.items() for v in vs
            if v]
    insert_ignore(conn, tk, keys, ["dead_letter_id", "kind", "value"])
    return ids


def _insert_returning_ids(conn: sa.Connection, values: list[dict[str, Any]]) -> list[int]:
    if conn.dialect.name == "sqlite":
        # SQLAlchemy would fall back to one INSERT per row to keep the order on SQLite. Not
        # needed: a writer holds the database lock (BEGIN IMMEDIATE) and SQLite numbers the
        # rows of a multi-row INSERT in VALUES order, so ascending ids are the input order.
        return sorted(int(i) for i in conn.scalars(sa.insert(t).returning(t.c.id), values))
    stmt = sa.insert(t).returning(t.c.id, sort_by_parameter_order=True)
    return [int(i) for i in conn.scalars(stmt, values)]


def set_status(conn: sa.Connection, ids: Sequence[int], status: str, *,
               replayed: bool = False) -> None:
    """Set ``status`` on dead letters ``ids``; ``replayed`` also counts one replay."""
    if status not in STATUSES:
        raise ValueError(f"dead letter status {status!r} is not one of {', '.join(STATUSES)}")
    # Settled (replayed, discarded) from now; open again: not settled.
    values: dict[str, Any] = {"status": status,
                              "settled_at": None if status == "open" else datetime.now(UTC)}
    if replayed:
        values["replay_count"] = t.c.replay_count + 1
    for part in chunks(list(dict.fromkeys(ids))):
        conn.execute(sa.update(t).where(t.c.id.in_(part)).values(values))


def get(conn: sa.Connection, dl_id: int) -> DeadLetterRow | None:
    row = conn.execute(sa.select(t).where(t.c.id == dl_id)).mappings().first()
    return DeadLetterRow(**row) if row else None


def query(conn: sa.Connection, *, status: str | None = "open", route: str | None = None,
          connector: str | None = None, message_type: str | None = None,
          fingerprint: str | None = None, case_id: str | None = None, key: str | None = None,
          since: datetime | None = None, until: datetime | None = None,
          limit: int = 1000) -> list[DeadLetterRow]:
    """Dead letters matching every filter given (``None`` = any), oldest first. ``key`` is a
    business key value; ``since``/``until`` bound the last failure time (inclusive)."""
    equal = {t.c.status: status, t.c.route: route, t.c.connector: connector,
             t.c.message_type: message_type, t.c.fingerprint: fingerprint,
             t.c.case_id: case_id}
    conditions: list[Any] = [col == value for col, value in equal.items() if value is not None]
    if key is not None:
        conditions.append(t.c.id.in_(sa.select(tk.c.dead_letter_id).where(tk.c.value == key)))
    if since is not None:
        conditions.append(t.c.last_failure_at >= since)
    if until is not None:
        conditions.append(t.c.last_failure_at <= until)
    stmt = sa.select(t).where(*conditions).order_by(t.c.id).limit(limit)
    return [DeadLetterRow(**row) for row in conn.execute(stmt).mappings()]


def groups(conn: sa.Connection, status: str | None = "open",
           where: Sequence[Any] = ()) -> list[DeadLetterGroup]:
    """One group per fingerprint, the largest first; ``where`` narrows the dead letters
    counted (conditions on the dead_letter table, as ``hub.ops.selection`` makes them)."""
    agg = sa.select(
        t.c.fingerprint,
        sa.func.count().label("count"),
        sa.func.min(t.c.first_failure_at).label("first_failure"),
        sa.func.max(t.c.last_failure_at).label("last_failure"),
        sa.func.max(t.c.id).label("sample_id"),
    ).where(*where).group_by(t.c.fingerprint)
    if status is not None:
        agg = agg.where(t.c.status == status)
    g = agg.subquery()
    stmt = (
        sa.select(g.c.fingerprint, g.c["count"], g.c.first_failure, g.c.last_failure,
                  t.c.exception_type, t.c.connector, t.c.message_type, t.c.route,
                  t.c.exception_message.label("sample_error"))
        .join_from(g, t, t.c.id == g.c.sample_id)
        .order_by(g.c["count"].desc(), g.c.last_failure.desc(), g.c.fingerprint)
    )
    return [DeadLetterGroup(**row) for row in conn.execute(stmt).mappings()]


def reopen(conn: sa.Connection, failed: DeadLetterRow) -> bool:
    """A replayed message failed again: reopen the dead letter it was replayed from instead
    of adding a second one. Its first failure time and replay count stay; the attempts add
    up; the new failure replaces the old error. False when ``failed`` is no replay (header
    ``x-gridhub-replay-of``) or that dead letter is not in status replayed: store it as new."""
    try:
        dl_id = int((failed.headers or {})[H_REPLAY_OF])
    except (KeyError, TypeError, ValueError):
        return False
    stmt = sa.update(t).where(
        t.c.id == dl_id, t.c.status == "replayed",
        t.c.connector == failed.connector,
    ).values(status="open", settled_at=None, attempts=t.c.attempts + failed.attempts,
             headers=failed.headers,  # the last delivery's: its idempotency key with them
             last_failure_at=failed.last_failure_at, exception_type=failed.exception_type,
             exception_message=failed.exception_message, where=failed.where,
             remote_fault=failed.remote_fault, fingerprint=failed.fingerprint)
    return conn.execute(stmt).rowcount > 0
