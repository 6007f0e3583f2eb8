"""``Store``: the hub's database (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa

from hub.store import (  # deadlines and inbound also declare their tables on import
    deadletters,
    delivered,
    idempotency,
    inbound,
    members,
    outbox,
    scheduled,
    schema,
)
from hub.store.cases import CaseRow, load_cases
from hub.store.deadletters import DeadLetterGroup, DeadLetterRow
from hub.store.engine import READ_ONLY, make_engine, safe_url
from hub.store.trace import TraceRow, trace_for
from hub.store.tx import Tx

# Serialises the schema check (and the migration of an empty store) when several hub processes
# start at once on PostgreSQL; `gridhub db upgrade` takes it too.
SCHEMA_LOCK = 0x67726964  # "grid"


def lock_schema(conn: sa.Connection) -> None:
    """Hold the schema lock until ``conn``'s transaction ends (PostgreSQL; SQLite's
    BEGIN IMMEDIATE already serialises writers)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(SCHEMA_LOCK)))


class Store:
    """One engine per store. Writes go through ``transaction()``; the read-side methods
    each run in a short transaction of their own."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: sa.Engine | None = None

    def __repr__(self) -> str:
        return f"Store({safe_url(self.url)!r})"

    def open(self) -> None:
        """Connect, and check the schema is the one this gridhub needs (an empty database is
        migrated to it); :class:`hub.store.schema.SchemaOutOfDate` names the command to run."""
        if self._engine is not None:
            return
        engine = make_engine(self.url)
        try:
            with engine.begin() as conn:
                lock_schema(conn)
                schema.prepare(conn)
        except Exception:
            engine.dispose()
            raise
        self._engine = engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            raise RuntimeError(f"store {safe_url(self.url)} is not open: call Store.open()")
        return self._engine

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One database transaction: committed on exit, rolled back on an exception."""
        with self.engine.begin() as conn:
            yield Tx(conn)

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            conn = conn.execution_options(**{READ_ONLY: True})
            with conn.begin():
                yield conn

    # Read side.
    def case(self, case_id: str) -> CaseRow | None:
        with self._read() as conn:
            return load_cases(conn, [case_id]).get(case_id)

    def trace(self, key: str, kind: str | None = None) -> list[TraceRow]:
        """The timeline of case ``key`` or of the cases with business key ``key`` (a GSRN,
        meter number or work-order id; only keys of ``kind`` when given), oldest first."""
        with self._read() as conn:
            return trace_for(conn, key, kind)

    def dead_letters(self, *, status: str | None = "open", route: str | None = None,
                     connector: str | None = None, message_type: str | None = None,
                     fingerprint: str | None = None, case_id: str | None = None,
                     key: str | None = None, since: datetime | None = None,
                     until: datetime | None = None, limit: int = 1000) -> list[DeadLetterRow]:
        """Dead letters matching every filter given; ``status=None`` means any status."""
        with self._read() as conn:
            return deadletters.query(
                conn, status=status, route=route, connector=connector,
                message_type=message_type, fingerprint=fingerprint, case_id=case_id, key=key,
                since=since, until=until, limit=limit)

    def dead_letter(self, dl_id: int) -> DeadLetterRow | None:
        with self._read() as conn:
            return deadletters.get(conn, dl_id)

    def dead_letter_groups(self, status: str | None = "open") -> list[DeadLetterGroup]:
        with self._read() as conn:
            return deadletters.groups(conn, status)

    def count_delivered(self, destination: str) -> int:
        with self._read() as conn:
            return delivered.count_delivered(conn, destination)

    def scheduled_count(self) -> int:
        with self._read() as conn:
            return scheduled.count(conn)

    # Retention.
    def purge_seen(self, older_than: datetime) -> int:
        """Forget message ids seen before ``older_than``; returns how many."""
        with self.transaction() as tx:
            return idempotency.purge_seen(tx.conn, older_than)

    def heartbeat(self, namespace: str, worker_id: str, at: datetime,
                  alive_after: datetime) -> list[str]:
        """Mark a hub worker alive; the workers alive since ``alive_after``, sorted."""
        with self.transaction() as tx:
            return members.heartbeat(tx.conn, namespace, worker_id, at, alive_after)

    def leave(self, namespace: str, worker_id: str) -> None:
        with self.transaction() as tx:
            members.leave(tx.conn, namespace, worker_id)

    def purge_inbound(self, older_than: datetime) -> int:
        """Drop pulled documents published before ``older_than`` (``hub.intake``)."""
        with self.transaction() as tx:
            return inbound.purge(tx.conn, older_than)

    def purge_outbox(self, older_than: datetime) -> int:
        """Drop outbox rows written before ``older_than``; returns how many. Keep them as
        long as the seen ids: a redelivered input republishes from here."""
        with self.transaction() as tx:
            return outbox.purge_outbox(tx.conn, older_than)
