"""The store as operations use it: opened with the ops tables, and read-only connections."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from hub.ops.audit import audit
from hub.store import Store
from hub.store.engine import READ_ONLY
from hub.store.tables import connector_pause, metadata

# Serialises creation of the ops tables when several processes start at once on PostgreSQL.
_CREATE_LOCK = 0x6F707321  # "ops!"
OPS_TABLES = (audit, connector_pause)


def ensure_tables(store: Store) -> None:
    """Create the ops tables if missing. They live on the store's metadata, so a store opened
    after ``hub.ops`` was imported has them already; this covers a store opened before."""
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_CREATE_LOCK)))
        metadata.create_all(conn, tables=list(OPS_TABLES))


def open_store(url: str) -> Store:
    """An open store with the ops tables in place."""
    store = Store(url)
    store.open()
    try:
        ensure_tables(store)
    except Exception:
        store.close()
        raise
    return store


@contextmanager
def reading(store: Store) -> Iterator[sa.Connection]:
    """A short read-only transaction (SQLite starts it DEFERRED: it never blocks the writer)."""
    with store.engine.connect() as conn:
        conn = conn.execution_options(**{READ_ONLY: True})
        with conn.begin():
            yield conn
