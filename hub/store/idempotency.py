"""Idempotent consumer: which message ids a consumer has already processed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from hub.store.statements import chunks, insert_ignore
from hub.store.tables import seen as t

_SEEN = sa.select(t.c.message_id).where(
    t.c.consumer == sa.bindparam("consumer"),
    t.c.message_id.in_(sa.bindparam("ids", expanding=True)))


def seen(conn: sa.Connection, consumer: str, message_ids: Sequence[str]) -> set[str]:
    """The subset of ``message_ids`` that ``consumer`` has marked seen."""
    found: set[str] = set()
    for part in chunks(list(dict.fromkeys(message_ids))):
        found.update(conn.scalars(_SEEN, {"consumer": consumer, "ids": part}))
    return found


def mark_seen(conn: sa.Connection, consumer: str, message_ids: Sequence[str],
              at: datetime) -> None:
    """Record ``message_ids`` as processed by ``consumer``; ids already there are kept as
    they were (the first time counts for retention)."""
    rows = [{"consumer": consumer, "message_id": m, "seen_at": at}
            for m in dict.fromkeys(message_ids)]
    insert_ignore(conn, t, rows, ["consumer", "message_id"])


def purge_seen(conn: sa.Connection, older_than: datetime) -> int:
    """Forget ids seen before ``older_than``; returns how many rows went."""
    result = conn.execute(sa.delete(t).where(t.c.seen_at < older_than))
    return int(result.rowcount)
