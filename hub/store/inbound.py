"""Inbound documents kept whole (``hub.intake``): insert once, find the unsettled, settle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from hub.store.statements import chunks, insert_ignore
from hub.store.tables import BigId, UtcDateTime, metadata

# Documents a connector pulled from a sender (a datahub's poll result), kept whole before the
# sender is told they arrived. ``key`` identifies a document across deliveries (its digest),
# so a result handed out again after a crash is not kept, published or dead-lettered twice.
t = inbound_document = sa.Table(
    "inbound_document", metadata,
    sa.Column("connector", sa.String, primary_key=True),
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("batch", sa.String, nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),  # in its batch, as the sender ordered
    sa.Column("document_id", sa.String, index=True),
    sa.Column("root", sa.String, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("state", sa.String, nullable=False),
    sa.Column("dead_letter_id", BigId),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("settled_at", UtcDateTime),
    sa.Index("ix_inbound_document_state", "connector", "state"),
)


class DocumentState(StrEnum):
    RECEIVED = "received"  # kept; its canonical messages not yet confirmed by the broker
    PUBLISHED = "published"  # its canonical messages are in the hub
    DEAD_LETTERED = "dead-lettered"  # could not be translated: a dead letter holds it


def states(conn: sa.Connection, connector: str, keys: Sequence[str]) -> dict[str, str]:
    """The state of each of ``keys`` already kept (absent: never kept)."""
    found: dict[str, str] = {}
    for part in chunks(list(dict.fromkeys(keys))):
        stmt = sa.select(t.c.key, t.c.state).where(t.c.connector == connector,
                                                   t.c.key.in_(part))
        found.update({k: s for k, s in conn.execute(stmt).all()})
    return found


def insert(conn: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    insert_ignore(conn, t, rows, ["connector", "key"])


def settle(conn: sa.Connection, connector: str, keys: Sequence[str], state: DocumentState,
           at: datetime, dead_letter_id: int | None = None) -> None:
    values: dict[str, Any] = {"state": state.value, "settled_at": at}
    if dead_letter_id is not None:
        values["dead_letter_id"] = dead_letter_id
    for part in chunks(list(dict.fromkeys(keys))):
        conn.execute(sa.update(t).where(t.c.connector == connector, t.c.key.in_(part))
                     .values(values))


def unsettled(conn: sa.Connection, connector: str, limit: int = 1000) -> list[dict[str, Any]]:
    """Documents kept but never published nor dead-lettered (a crash in between), oldest first."""
    stmt = (sa.select(t.c.key, t.c.batch, t.c.body)
            .where(t.c.connector == connector, t.c.state == DocumentState.RECEIVED.value)
            .order_by(t.c.received_at, t.c.batch, t.c.position).limit(limit))
    return [dict(row) for row in conn.execute(stmt).mappings()]


def documents(conn: sa.Connection, connector: str, batch: str | None = None
              ) -> list[dict[str, Any]]:
    """What was kept (without bodies), for checks and tests."""
    cols = [t.c.key, t.c.batch, t.c.position, t.c.document_id, t.c.root, t.c.state,
            t.c.dead_letter_id]
    stmt = sa.select(*cols).where(t.c.connector == connector)
    if batch is not None:
        stmt = stmt.where(t.c.batch == batch)
    order = (t.c.received_at, t.c.batch, t.c.position)
    return [dict(row) for row in conn.execute(stmt.order_by(*order)).mappings()]


def purge(conn: sa.Connection, older_than: datetime) -> int:
    """Drop published documents settled before ``older_than`` (their messages are in the
    hub, whose trace keeps the record); dead-lettered ones stay with their dead letter."""
    stmt = sa.delete(t).where(t.c.state == DocumentState.PUBLISHED.value,
                              t.c.settled_at < older_than)
    return int(conn.execute(stmt).rowcount or 0)
