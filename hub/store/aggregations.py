"""Aggregator state: parts collected per aggregation key until complete or expired.

The deadline is set by the first part of a key; later parts do not extend it, so a trickle
of parts cannot keep an aggregation open for ever.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from hub.store.statements import upsert
from hub.store.tables import aggregation as t
from hub.store.tables import aggregation_part as tp


def add(conn: sa.Connection, key: str, route: str, part_type: str, message: dict[str, Any],
        expires_at: datetime) -> dict[str, dict[str, Any]]:
    """Store ``message`` as part ``part_type`` of ``key`` (last wins); returns all parts."""
    # The no-op update locks the key's row on PostgreSQL, so concurrent adders of one key
    # run one after the other and the later one sees the earlier part.
    upsert(conn, t, [{"key": key, "route": route, "expires_at": expires_at}], ["key"],
           lambda new: {"route": t.c.route})
    upsert(conn, tp, [{"key": key, "part_type": part_type, "message": message}],
           ["key", "part_type"])
    return _parts(conn, key)


def _parts(conn: sa.Connection, key: str) -> dict[str, dict[str, Any]]:
    stmt = sa.select(tp.c.part_type, tp.c.message).where(tp.c.key == key)
    return {part_type: message for part_type, message in conn.execute(stmt)}


def take(conn: sa.Connection, key: str) -> dict[str, dict[str, Any]]:
    """All parts of ``key``; the aggregation is deleted."""
    gone = conn.execute(sa.delete(tp).where(tp.c.key == key)
                        .returning(tp.c.part_type, tp.c.message))
    parts = {part_type: message for part_type, message in gone}
    conn.execute(sa.delete(t).where(t.c.key == key))
    return parts


def expired(conn: sa.Connection, now: datetime, limit: int) -> list[tuple[str, str]]:
    """(key, route) of aggregations whose deadline has passed, the oldest first."""
    stmt = (sa.select(t.c.key, t.c.route).where(t.c.expires_at <= now)
            .order_by(t.c.expires_at, t.c.key).limit(limit))
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return [(k, r) for k, r in conn.execute(stmt)]
