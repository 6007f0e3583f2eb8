"""The store as operations use it: opened with the ops tables, and read-only connections."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from hub.ops.audit import audit
from hub.store import Store, schema
from hub.store.engine import READ_ONLY
from hub.store.tables import connector_pause

OPS_TABLES = (audit, connector_pause)


def ensure_tables(store: Store) -> None:
    """The ops tables are made by the store's migrations (``hub.store.schema``); check the
    schema they are in is the one this gridhub knows."""
    with store.engine.connect() as conn:
        schema.require_current(conn)


def open_store(url: str) -> Store:
    """An open store (its schema, the ops tables with it, checked by ``Store.open``)."""
    store = Store(url)
    store.open()
    return store


@contextmanager
def reading(store: Store) -> Iterator[sa.Connection]:
    """A short read-only transaction (SQLite starts it DEFERRED: it never blocks the writer)."""
    with store.engine.connect() as conn:
        conn = conn.execution_options(**{READ_ONLY: True})
        with conn.begin():
            yield conn
