"""The embedded broker's message store: one SQLite file, owned by one process at a time.

Rows live in kombu's sqlalchemy transport tables (``kombu_queue``, ``kombu_message``). A row is
*ready* while ``visible`` is 1 and *in flight* once fetched (``visible`` 0); an ack deletes the
row, so the invisible rows are exactly the deliveries nobody has acked yet. ``version`` counts
deliveries, which tells a consumer that a message is a redelivery.

The owning process holds ``fcntl.flock`` on ``<file>.lock`` for its whole life. The lock is how
we know that invisible rows found at open belong to a process that died before acking them, so
opening makes them ready again (at-least-once). A second process is refused instead of sharing
the file: several processes need a real broker.

Every statement runs on one SQLite connection, serialised by a mutex. Only this process writes,
so the mutex replaces SQLite's busy-waiting, and most operations are a single auto-committed
statement (a fetch is one ``UPDATE ... RETURNING``, an ack one ``DELETE``).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kombu.transport.sqlalchemy import _MUTEX as KOMBU_MUTEX  # guards kombu's registry
from kombu.transport.sqlalchemy import models
from sqlalchemy import Connection, Table, create_engine
from sqlalchemy.pool import StaticPool

from hub.errors import ConfigurationError

LOCK_SUFFIX = ".lock"
SYNCHRONOUS_MODES = ("NORMAL", "FULL", "EXTRA")
# kombu's sqlalchemy models register these table names by default.
QUEUE_TABLE = "kombu_queue"
MESSAGE_TABLE = "kombu_message"

_READY_INDEX = (
    f"CREATE INDEX IF NOT EXISTS ix_embedded_ready ON {MESSAGE_TABLE} (queue_id, visible, id)"
)
# kombu's own indexes serve its timestamp-ordered polling; ours orders by id. Each index is
# written on every publish, fetch and ack, so the unused ones cost about a third of the time.
_UNUSED_INDEXES = (
    "ix_kombu_message_visible", "ix_kombu_message_timestamp", "ix_kombu_message_timestamp_id",
)
_INSERT = (
    f"INSERT INTO {MESSAGE_TABLE} (queue_id, payload, visible, version, timestamp) "
    "VALUES (?, ?, 1, 1, strftime('%Y-%m-%d %H:%M:%f', 'now'))"
)
_FETCH = (
    f"UPDATE {MESSAGE_TABLE} SET visible = 0, version = version + 1 WHERE id IN "
    f"(SELECT id FROM {MESSAGE_TABLE} WHERE queue_id = ? AND visible = 1 ORDER BY id LIMIT ?) "
    "RETURNING id, payload, version"
)


class BrokerInUse(ConfigurationError):
    """Another process owns the embedded broker file."""


@dataclass(frozen=True)
class Fetched:
    """One row taken off a queue: now in flight until acked or requeued."""

    row_id: int
    payload: str
    redelivered: bool


def kombu_tables() -> list[Table]:
    """kombu's queue and message tables, declared as its sqlalchemy channel declares them.

    kombu registers its declarative classes by name on first use; whoever comes first (this
    function or a kombu channel) defines them and the other reuses them.
    """
    tables = []
    with KOMBU_MUTEX:
        for name, mixin, table in (("Queue", models.Queue, QUEUE_TABLE),
                                   ("Message", models.Message, MESSAGE_TABLE)):
            cls: Any = models.class_registry.get(name)
            if cls is None:
                cls = type(name, (mixin, models.ModelBase), {"__tablename__": table})
            tables.append(cls.__table__)
    return tables


def _acquire_lock(db_path: Path) -> int:
    """Take the process lock next to ``db_path``; return its fd (kept open for life)."""
    lock_path = db_path.with_name(db_path.name + LOCK_SUFFIX)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise BrokerInUse(
            f"embedded broker {db_path} is in use by pid {holder}; "
            "use RabbitMQ for more than one process",
            where=str(lock_path),
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    return fd


class MessageStore:
    """Queues and messages of one embedded broker file, for the process that owns it."""

    def __init__(self, path: Path, *, synchronous: str = "NORMAL") -> None:
        mode = synchronous.upper()
        if mode not in SYNCHRONOUS_MODES:
            raise ConfigurationError(
                f"synchronous must be one of {', '.join(SYNCHRONOUS_MODES)}, not {synchronous!r}",
                where=f"embedded broker {path}",
            )
        self.path = path
        self.pid = os.getpid()
        self._synchronous = mode
        self._mutex = threading.Lock()
        self._changed = threading.Condition()
        self._generation = 0
        self._queue_ids: dict[str, int] = {}
        self._lock_fd: int | None = None
        self._conn: Connection | None = None

    # -- life cycle -------------------------------------------------------------------------

    def open(self) -> int:
        """Lock the file, create the schema, make orphaned in-flight rows ready again.

        Returns how many rows were recovered (deliveries the previous owner never acked).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_fd = _acquire_lock(self.path)
        try:
            return self._open_database()
        except BaseException:
            self.close()
            raise

    def _open_database(self) -> int:
        path = str(self.path)
        # A creator instead of a URL: the file name may hold characters a URL would parse.
        engine = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(path, check_same_thread=False, timeout=30),
            poolclass=StaticPool,
        )
        # AUTOCOMMIT: every statement is its own transaction unless we BEGIN explicitly.
        self._conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        raw = self._raw()
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute(f"PRAGMA synchronous={self._synchronous}")
        for table in kombu_tables():
            table.create(self._conn, checkfirst=True)
        raw.execute(_READY_INDEX)
        for index in _UNUSED_INDEXES:
            raw.execute(f"DROP INDEX IF EXISTS {index}")
        return raw.execute(f"UPDATE {MESSAGE_TABLE} SET visible = 1 WHERE visible = 0").rowcount

    def close(self) -> None:
        """Close the file and release the lock (stores from ``open_store`` live until exit)."""
        with _stores_lock:
            if _stores.get(self.path) is self:
                del _stores[self.path]
        with self._mutex:
            if self._conn is not None:
                engine = self._conn.engine
                self._conn.close()
                engine.dispose()
                self._conn = None
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # closing the only fd releases the flock
                self._lock_fd = None

    def _raw(self) -> sqlite3.Connection:
        """The DBAPI connection: the hot path skips SQLAlchemy's per-statement machinery."""
        if self._conn is None:
            raise ConfigurationError("message store is not open", where=str(self.path))
        dbapi = self._conn.connection.dbapi_connection
        assert isinstance(dbapi, sqlite3.Connection)
        return dbapi

    # -- wake-ups ---------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        """Changes whenever a message may have become available; read it before polling."""
        return self._generation

    def _notify(self) -> None:
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> None:
        """Sleep up to ``timeout`` s unless something changed since ``generation`` was ``seen``."""
        with self._changed:
            if self._generation == seen:
                self._changed.wait(timeout)

    # -- queues -----------------------------------------------------------------------------

    def queue_id(self, name: str, *, create: bool = True) -> int | None:
        """The id of queue ``name``; created when missing unless ``create`` is false."""
        found = self._queue_ids.get(name)
        if found is not None:
            return found
        with self._mutex:
            raw = self._raw()
            row = raw.execute(f"SELECT id FROM {QUEUE_TABLE} WHERE name = ?", (name,)).fetchone()
            if row is None and not create:
                return None
            if row is None:
                row = raw.execute(
                    f"INSERT INTO {QUEUE_TABLE} (name) VALUES (?) RETURNING id", (name,)
                ).fetchone()
            self._queue_ids[name] = int(row[0])
            return int(row[0])

    def delete_queue(self, name: str) -> None:
        """Drop queue ``name`` and every message in it, in flight or not."""
        with self._mutex:
            raw = self._raw()
            raw.execute("BEGIN IMMEDIATE")
            try:
                raw.execute(
                    f"DELETE FROM {MESSAGE_TABLE} WHERE queue_id IN "
                    f"(SELECT id FROM {QUEUE_TABLE} WHERE name = ?)", (name,))
                raw.execute(f"DELETE FROM {QUEUE_TABLE} WHERE name = ?", (name,))
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")
            self._queue_ids.pop(name, None)

    # -- messages ---------------------------------------------------------------------------

    def put(self, queue_ids: Sequence[int], payload: str) -> None:
        """Store ``payload`` once per queue, atomically; committed when this returns."""
        with self._mutex:
            raw = self._raw()
            if len(queue_ids) == 1:
                raw.execute(_INSERT, (queue_ids[0], payload))
            elif queue_ids:
                raw.execute("BEGIN IMMEDIATE")
                try:
                    raw.executemany(_INSERT, [(qid, payload) for qid in queue_ids])
                except BaseException:
                    raw.execute("ROLLBACK")
                    raise
                raw.execute("COMMIT")
        self._notify()

    def fetch(self, queue_id: int, limit: int) -> list[Fetched]:
        """Take up to ``limit`` ready messages, oldest first, in one statement."""
        with self._mutex:
            rows = self._raw().execute(_FETCH, (queue_id, limit)).fetchall()
        rows.sort()  # RETURNING order is unspecified
        return [Fetched(int(r[0]), str(r[1]), int(r[2]) > 2) for r in rows]

    def ack(self, row_ids: Sequence[int]) -> None:
        """Forget delivered messages for good."""
        if row_ids:
            self._each_chunk(f"DELETE FROM {MESSAGE_TABLE} WHERE id IN ", row_ids)
            self._notify()  # frees prefetch room in a waiting consumer

    def requeue(self, row_ids: Sequence[int]) -> None:
        """Make delivered messages ready again, at their original place in the queue."""
        if row_ids:
            self._each_chunk(f"UPDATE {MESSAGE_TABLE} SET visible = 1 WHERE id IN ", row_ids)
            self._notify()

    def _each_chunk(self, sql: str, row_ids: Sequence[int]) -> None:
        # SQLite limits bound parameters per statement; one transaction covers all chunks.
        with self._mutex:
            raw = self._raw()
            if len(row_ids) == 1:  # the common case: one auto-committed statement
                raw.execute(sql + "(?)", (row_ids[0],))
                return
            raw.execute("BEGIN IMMEDIATE")
            try:
                for start in range(0, len(row_ids), 500):
                    chunk = list(row_ids[start:start + 500])
                    raw.execute(sql + f"({','.join('?' * len(chunk))})", chunk)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")

    def purge(self, queue_id: int) -> int:
        """Delete the ready messages of a queue (in-flight ones stay); return how many."""
        with self._mutex:
            return self._raw().execute(
                f"DELETE FROM {MESSAGE_TABLE} WHERE queue_id = ? AND visible = 1", (queue_id,)
            ).rowcount

    def ready(self, queue_id: int) -> int:
        """Messages waiting in a queue (not counting in-flight ones)."""
        return self._count("queue_id = ? AND visible = 1", (queue_id,))

    def in_flight(self) -> int:
        """Messages delivered and not yet acked, over all queues."""
        return self._count("visible = 0", ())

    def _count(self, where: str, params: tuple[Any, ...]) -> int:
        with self._mutex:
            row = self._raw().execute(
                f"SELECT count(*) FROM {MESSAGE_TABLE} WHERE {where}", params).fetchone()
        return int(row[0])


_stores: dict[Path, MessageStore] = {}
_stores_lock = threading.RLock()  # close() may run inside open_store()


def open_store(path: Path, *, synchronous: str = "NORMAL") -> MessageStore:
    """The process-wide store of ``path``, opened (locked, recovered) on first use.

    Every kombu connection of this process to the same file shares the store; the first
    opener's ``synchronous`` setting wins.
    """
    key = path.resolve()
    with _stores_lock:
        store = _stores.get(key)
        # After fork() the child inherits our entry but must not share the owner's lock.
        if store is None or store.pid != os.getpid():
            store = MessageStore(key, synchronous=synchronous)
            store.open()
            _stores[key] = store
        return store


def owned_store(path: Path) -> MessageStore | None:
    """The store of ``path`` if this process has it open, else None (no I/O)."""
    store = _stores.get(path.resolve())
    return store if store is not None and store.pid == os.getpid() else None


def peek_ready(path: Path, queue: str) -> int | None:
    """Ready messages of ``queue`` read from the file without taking the lock.

    For ``gridhub status`` while another process owns the broker: a WAL reader never blocks
    the owner. None when the file or the queue does not exist.
    """
    if not path.exists():
        return None
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute(f"SELECT id FROM {QUEUE_TABLE} WHERE name = ?", (queue,)).fetchone()
        if row is None:
            return None
        count = conn.execute(
            f"SELECT count(*) FROM {MESSAGE_TABLE} WHERE queue_id = ? AND visible = 1", (row[0],)
        ).fetchone()
        return int(count[0])
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    finally:
        conn.close()
