"""Statement helpers shared by the store modules: dialect upserts and bounded IN lists."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

T = TypeVar("T")

# SQLite caps bound parameters per statement (32766 since 3.32, 999 before); stay far below.
IN_CHUNK = 500


def chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``values`` in slices of at most ``size``; nothing for an empty sequence."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    name = conn.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"store: dialect {name!r} is not supported (sqlite, postgresql)")


def insert_ignore(
    conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> None:
    """Insert ``rows`` (one executemany); rows whose ``keys`` already exist are skipped."""
    if not rows:
        return
    stmt = _insert(conn, table).on_conflict_do_nothing(index_elements=list(keys))
    conn.execute(stmt, list(rows))


def upsert(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    update: Callable[[Any], Mapping[str, Any]] | None = None,
) -> None:
    """Insert ``rows`` (one executemany); on a ``keys`` conflict set the columns returned by
    ``update(excluded)`` (default: every non-key column from the new row). The old row is
    reachable through ``table.c``, the proposed one through ``excluded``."""
    if not rows:
        return
    stmt = _insert(conn, table)
    if update is None:
        values = {c.name: stmt.excluded[c.name] for c in table.c if c.name not in keys}
    else:
        values = dict(update(stmt.excluded))
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=values)
    conn.execute(stmt, list(rows))
