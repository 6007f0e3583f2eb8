"""Statement helpers shared by the store modules: dialect upserts and bounded IN lists.

The statements are built once per dialect and table and then reused: SQLAlchemy memoizes a
statement's cache key on the instance, so a reused one skips construction and the key walk.
Built afresh, they cost the hub ~1 ms per batch however small the batch (``bench.hotpath``),
which is most of a batch's cost at a steady, moderate rate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
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


def _insert(name: str, table: sa.Table) -> Any:
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
    conn.execute(_insert_ignore(conn.dialect.name, table, tuple(keys)), list(rows))


@lru_cache(maxsize=128)
def _insert_ignore(dialect: str, table: sa.Table, keys: tuple[str, ...]) -> Any:
    return _insert(dialect, table).on_conflict_do_nothing(index_elements=list(keys))


@lru_cache(maxsize=128)
def plain_insert(table: sa.Table) -> sa.Insert:
    """``INSERT INTO table``, the same instance each time (see the module docstring)."""
    return sa.insert(table)


def upsert(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    update: Callable[[Any], Mapping[str, Any]] | None = None,
) -> None:
    """Insert ``rows`` (one executemany); on a ``keys`` conflict set the columns returned by
    ``update(excluded)`` (default: every non-key column from the new row). The old row is
    reachable through ``table.c``, the proposed one through ``excluded``. ``update`` must be
    a module-level function: the statement is built once per (dialect, table, keys, update)."""
    if not rows:
        return
    conn.execute(_upsert(conn.dialect.name, table, tuple(keys), update), list(rows))


@lru_cache(maxsize=128)
def _upsert(dialect: str, table: sa.Table, keys: tuple[str, ...],
            update: Callable[[Any], Mapping[str, Any]] | None) -> Any:
    stmt = _insert(dialect, table)
    if update is None:
        values = {c.name: stmt.excluded[c.name] for c in table.c if c.name not in keys}
    else:
        values = dict(update(stmt.excluded))
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=values)
