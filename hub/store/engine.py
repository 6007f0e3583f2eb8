"""Engine construction: SQLite tuned for one writer and many readers, or PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Pages in the WAL before a commit copies them back into the database file (SQLite's default
# is 1,000, 4 MB: about every hub batch of 250 inputs). Checkpointing every ~40 MB copies a
# page changed by several batches once, not each time, and syncs less often: the hub's
# commit cost per input fell from ~56 to ~32 µs (bench.hotpath's store stage).
SQLITE_WAL_AUTOCHECKPOINT = 10_000
READ_ONLY = "gridhub_read_only"
"""Execution option: a read-side transaction (SQLite starts it DEFERRED, not IMMEDIATE)."""


def _json_default(value: Any) -> Any:
    # Broker headers may carry dates, decimals or bytes; a dead letter must never fail to be
    # stored because of a header type, so anything unusual is kept as text.
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)  # Decimal, UUID, enums and the rest


def dumps(value: Any) -> str:
    """The JSON serialiser of every JSON column."""
    return json.dumps(value, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def safe_url(url: str) -> str:
    """``url`` for messages and logs: the password masked."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable store url>"


def make_engine(url: str) -> sa.Engine:
    """One engine for a ``Store``. Supported: ``sqlite:///FILE`` (or in-memory) and
    ``postgresql+psycopg://...``."""
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        return sa.create_engine(parsed, json_serializer=dumps, pool_pre_ping=True)
    raise ValueError(f"store url {safe_url(url)}: unsupported database {backend!r}; "
                     "use sqlite:///FILE or postgresql+psycopg://...")


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    memory = url.database in (None, "", ":memory:")
    if not memory:
        Path(url.database or "").parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        json_serializer=dumps,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        # An in-memory database lives in one connection; share it instead of losing it.
        poolclass=StaticPool if memory else None,
    )
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Take transaction control from pysqlite so that "begin" below decides how to start.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT}")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    # Writers start IMMEDIATE: they take the write lock up front (waiting up to the busy
    # timeout) instead of failing when a read snapshot cannot be upgraded to a write.
    read_only = conn.get_execution_options().get(READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
