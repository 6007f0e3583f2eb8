"""The pause flag of a connector as the delivery stage reads it (``hub.ops.pause`` sets it)."""

from __future__ import annotations

import sqlalchemy as sa

from hub.store.tables import connector_pause as t


def is_paused(conn: sa.Connection, connector: str) -> bool:
    """Inside the delivery stage's own transaction: one primary-key lookup."""
    return conn.scalar(sa.select(t.c.connector).where(t.c.connector == connector)) is not None
