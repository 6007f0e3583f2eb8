"""Delivery record: which messages reached which target (for counts and checks)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from hub.store.statements import insert_ignore
from hub.store.tables import delivered as t


def mark_delivered(conn: sa.Connection, destination: str, message_ids: Sequence[str],
                   at: datetime) -> None:
    """Record deliveries; a message delivered twice keeps its first time."""
    rows = [{"destination": destination, "message_id": m, "delivered_at": at}
            for m in dict.fromkeys(message_ids)]
    insert_ignore(conn, t, rows, ["destination", "message_id"])


def count_delivered(conn: sa.Connection, destination: str) -> int:
    stmt = sa.select(sa.func.count()).select_from(t).where(t.c.destination == destination)
    return int(conn.scalar(stmt) or 0)
