"""The store's tables (SQLAlchemy Core) and the UTC timestamp column type.

The database gets them from the migrations (hub/store/migrations): a change here needs one,
``gridhub db revision -m ...``; tests/hub/store/test_migrations.py fails until it exists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = sa.MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
# Tables with ids use sqlite_autoincrement so an id is never reused after a delete: a
# scheduled row's id travels in message headers and must not come to mean another row.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on every dialect.

    SQLite keeps no offset, so values are stored as naive UTC and get ``UTC`` back on read;
    naive input is refused because its meaning would depend on the writer's clock.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"store timestamps must be timezone-aware datetimes, got {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # aggregate functions on SQLite may hand back text
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _id() -> sa.Column[int]:
    return sa.Column("id", BigId, primary_key=True, autoincrement=True)


# Idempotent consumer: one row per (consumer, message id) that was processed.
seen = sa.Table(
    "seen", metadata,
    sa.Column("consumer", sa.String, primary_key=True),
    sa.Column("message_id", sa.String, primary_key=True),
    sa.Column("seen_at", UtcDateTime, nullable=False, index=True),
)

# Transactional outbox: the outputs of an input, written with its projection.
outbox = sa.Table(
    "outbox", metadata,
    sa.Column("seq", BigId, primary_key=True, autoincrement=True),
    sa.Column("input_id", sa.String, nullable=False, index=True),
    sa.Column("message_id", sa.String, nullable=False),
    sa.Column("destination", sa.String, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("headers", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sqlite_autoincrement=True,
)

cases = sa.Table(
    "cases", metadata,
    sa.Column("case_id", sa.String, primary_key=True),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("flow", sa.String, nullable=False),
    sa.Column("state", sa.JSON, nullable=False),
    sa.Column("keys", sa.JSON, nullable=False),
    sa.Column("last_message_id", sa.String),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    # When retention erased the personal data of the closed case (hub.retention); a later save
    # of the case sets it back to NULL, so new personal data is erased again in time.
    sa.Column("erased_at", UtcDateTime),
)

# Business key -> case: filled from case projections and trace rows, so a GSRN, meter number
# or work-order id finds its cases (and through them the trace) by index.
case_key = sa.Table(
    "case_key", metadata,
    sa.Column("case_id", sa.String, primary_key=True),
    sa.Column("kind", sa.String, primary_key=True),
    sa.Column("value", sa.String, primary_key=True),
    sa.Index("ix_case_key_value", "value"),
)

trace = sa.Table(
    "trace", metadata,
    _id(),
    sa.Column("message_id", sa.String, nullable=False, index=True),
    sa.Column("case_id", sa.String, nullable=False),
    sa.Column("type", sa.String, nullable=False),
    sa.Column("hop", sa.String, nullable=False),
    sa.Column("source", sa.String, nullable=False),
    sa.Column("target", sa.String),
    sa.Column("route", sa.String),
    sa.Column("outcome", sa.String, nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("detail", sa.String),
    sa.Column("keys", sa.JSON, nullable=False),
    sa.Index("ix_trace_case_at", "case_id", "at"),
    # ``gridhub status`` estimates a delivery queue's oldest message from the depth-th latest
    # row routed to its target: without this a full scan on every status or dashboard load
    # (0.3-0.4 s at 3.9 M rows, issue 21). Partial, so only routed rows pay for it; ``at``
    # in it answers from the index alone (PostgreSQL read ~4,000 trace rows for a target
    # with fewer routed rows than its queue depth).
    sa.Index("ix_trace_routed_target", "target", "id", "at",
             sqlite_where=sa.text("hop = 'routed'"), postgresql_where=sa.text("hop = 'routed'")),
    sqlite_autoincrement=True,
)

dead_letter = sa.Table(
    "dead_letter", metadata,
    _id(),
    sa.Column("message_id", sa.String, index=True),
    sa.Column("case_id", sa.String, index=True),
    sa.Column("message_type", sa.String),
    sa.Column("route", sa.String),
    sa.Column("connector", sa.String, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("headers", sa.JSON, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("first_failure_at", UtcDateTime, nullable=False),
    sa.Column("last_failure_at", UtcDateTime, nullable=False),
    sa.Column("exception_type", sa.String, nullable=False),
    sa.Column("exception_message", sa.String, nullable=False),
    sa.Column("where", sa.String),
    sa.Column("remote_fault", sa.JSON),
    sa.Column("fingerprint", sa.String, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("replay_count", sa.Integer, nullable=False),
    sa.Column("keys", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # When it was replayed or discarded (NULL while open): retention counts from here.
    sa.Column("settled_at", UtcDateTime),
    sa.Index("ix_dead_letter_status_fingerprint", "status", "fingerprint"),
    # The pages and ``dlq list`` show one status newest first (or oldest), 500 at a time:
    # read in id order within the status instead of walking every dead letter (issue 21).
    sa.Index("ix_dead_letter_status_id", "status", "id"),
    sqlite_autoincrement=True,
)

dead_letter_key = sa.Table(
    "dead_letter_key", metadata,
    sa.Column("dead_letter_id", BigId, sa.ForeignKey("dead_letter.id"), primary_key=True),
    sa.Column("kind", sa.String, primary_key=True),
    sa.Column("value", sa.String, primary_key=True),
    sa.Index("ix_dead_letter_key_value", "value"),
)

# Durable retries and per-(destination, case) ordering holds. ``id`` is the identity and the
# insertion order (``seq``) at once: SQLite allows one auto-increment column per table.
scheduled = sa.Table(
    "scheduled", metadata,
    _id(),
    sa.Column("destination", sa.String, nullable=False),
    sa.Column("case_id", sa.String, nullable=False),
    sa.Column("message_id", sa.String, nullable=False),
    sa.Column("route", sa.String),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("headers", sa.JSON, nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("first_failure_at", UtcDateTime),
    sa.Column("last_error", sa.String),
    sa.Column("due_at", UtcDateTime, index=True),
    sa.Index("ix_scheduled_pair", "destination", "case_id", "id"),
    sqlite_autoincrement=True,
)

delivered = sa.Table(
    "delivered", metadata,
    sa.Column("destination", sa.String, primary_key=True),
    sa.Column("message_id", sa.String, primary_key=True),
    sa.Column("delivered_at", UtcDateTime, nullable=False),
)

# One row per open aggregation: its deadline (from the first part) and the lock that
# serialises concurrent adders of the same key.
aggregation = sa.Table(
    "aggregation", metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("route", sa.String, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False, index=True),
)

aggregation_part = sa.Table(
    "aggregation_part", metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("part_type", sa.String, primary_key=True),
    sa.Column("message", sa.JSON, nullable=False),
)

# Hub workers alive on one broker namespace: each writes its heartbeat here; the live ones
# split the hub queue's partitions among themselves (hub.partitions).
hub_member = sa.Table(
    "hub_member", metadata,
    sa.Column("namespace", sa.String, primary_key=True),
    sa.Column("worker_id", sa.String, primary_key=True),
    sa.Column("seen_at", UtcDateTime, nullable=False),
)

# Connectors an operator parked (``gridhub pause``): the delivery stage reads it per batch
# (``Tx.is_paused``), the operations in ``hub.ops.pause`` write it.
connector_pause = sa.Table(
    "connector_pause", metadata,
    sa.Column("connector", sa.String, primary_key=True),
    sa.Column("paused_at", UtcDateTime, nullable=False),
    sa.Column("paused_by", sa.String, nullable=False),
    sa.Column("reason", sa.String, nullable=False),
)
