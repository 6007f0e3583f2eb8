"""Hub worker membership: heartbeats of the hub processes sharing one namespace."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from hub.store.statements import upsert
from hub.store.tables import hub_member as t

# Rows of processes that died without leaving (kill -9) are dropped after this long.
FORGET_AFTER = timedelta(hours=1)


def heartbeat(conn: sa.Connection, namespace: str, worker_id: str, at: datetime,
              alive_after: datetime) -> list[str]:
    """Record ``worker_id`` alive at ``at``; return the ids alive since ``alive_after``,
    sorted (every worker sorts alike, so they agree on who has which rank)."""
    upsert(conn, t, [{"namespace": namespace, "worker_id": worker_id, "seen_at": at}],
           ["namespace", "worker_id"])
    conn.execute(sa.delete(t).where(t.c.namespace == namespace,
                                    t.c.seen_at < alive_after - FORGET_AFTER))
    query = sa.select(t.c.worker_id).where(t.c.namespace == namespace,
                                           t.c.seen_at >= alive_after).order_by(t.c.worker_id)
    return list(conn.scalars(query))


def leave(conn: sa.Connection, namespace: str, worker_id: str) -> None:
    """Forget ``worker_id`` (a clean stop: the others take its partitions at once)."""
    conn.execute(sa.delete(t).where(t.c.namespace == namespace, t.c.worker_id == worker_id))
