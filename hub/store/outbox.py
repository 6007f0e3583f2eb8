"""Transactional outbox: the outputs of an input, stored in the same transaction as the
projection, so a redelivered input republishes exactly what it produced the first time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from hub.store.statements import chunks, plain_insert
from hub.store.tables import outbox as t


@dataclass(frozen=True, kw_only=True)
class OutboxRow:
    """One output of input ``input_id``: ``body`` (the JSON envelope) for ``destination``
    (a connector name, or "hub" to route it again)."""

    input_id: str
    message_id: str
    destination: str
    body: bytes = field(repr=False)  # personal data: kept out of logs
    headers: dict[str, Any] = field(default_factory=dict)
    seq: int | None = None  # set by the store: insertion order


def add_outbox(conn: sa.Connection, rows: Sequence[OutboxRow]) -> None:
    if not rows:
        return
    created = datetime.now(UTC)
    conn.execute(plain_insert(t), [
        {"input_id": r.input_id, "message_id": r.message_id, "destination": r.destination,
         "body": r.body, "headers": r.headers, "created_at": created}
        for r in rows
    ])


_FOR_INPUTS = sa.select(t.c.seq, t.c.input_id, t.c.message_id, t.c.destination, t.c.body,
                        t.c.headers).where(t.c.input_id.in_(sa.bindparam("ids", expanding=True)))


def outbox_for(conn: sa.Connection, input_ids: Sequence[str]) -> list[OutboxRow]:
    """Every output of ``input_ids``, in the order they were written."""
    found: list[OutboxRow] = []
    for part in chunks(list(dict.fromkeys(input_ids))):
        rows = conn.execute(_FOR_INPUTS, {"ids": part}).mappings()
        found.extend(OutboxRow(**row) for row in rows)
    found.sort(key=lambda r: r.seq or 0)
    return found


def purge_outbox(conn: sa.Connection, older_than: datetime) -> int:
    """Drop outputs written before ``older_than`` (same retention as the seen ids)."""
    return int(conn.execute(sa.delete(t).where(t.c.created_at < older_than)).rowcount)
