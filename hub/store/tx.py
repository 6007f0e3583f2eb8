"""``Tx``: the store's operations inside one database transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from hub.store import (
    aggregations,
    deadletters,
    delivered,
    idempotency,
    outbox,
    pauses,
    scheduled,
)
from hub.store.cases import CaseRow, KeyRow, load_cases, save_cases
from hub.store.deadletters import DeadLetterRow
from hub.store.outbox import OutboxRow
from hub.store.scheduled import ScheduledRow
from hub.store.trace import TraceRow, add_trace


class Tx:
    """Everything here runs in the one transaction of ``Store.transaction()``."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        # Business keys written in this transaction: each (case, key) is inserted once,
        # though a case's projection and every trace row of it carry the same keys.
        self._keys: set[KeyRow] = set()

    # Idempotent consumer. ``consumer`` is e.g. "hub" or "deliver:kis".
    def seen(self, consumer: str, message_ids: Sequence[str]) -> set[str]:
        return idempotency.seen(self.conn, consumer, message_ids)

    def mark_seen(self, consumer: str, message_ids: Sequence[str], at: datetime) -> None:
        idempotency.mark_seen(self.conn, consumer, message_ids, at)

    # Transactional outbox.
    def add_outbox(self, rows: Sequence[OutboxRow]) -> None:
        outbox.add_outbox(self.conn, rows)

    def outbox_for(self, input_ids: Sequence[str]) -> list[OutboxRow]:
        return outbox.outbox_for(self.conn, input_ids)

    # Case projection.
    def load_cases(self, case_ids: Sequence[str]) -> dict[str, CaseRow]:
        return load_cases(self.conn, case_ids)

    def save_cases(self, rows: Sequence[CaseRow]) -> None:
        save_cases(self.conn, rows, self._keys)

    # Trace.
    def add_trace(self, rows: Sequence[TraceRow]) -> None:
        add_trace(self.conn, rows, self._keys)

    # Dead letters.
    def add_dead_letters(self, rows: Sequence[DeadLetterRow]) -> list[int]:
        return deadletters.add_dead_letters(self.conn, rows)

    def reopen_dead_letter(self, failed: DeadLetterRow) -> bool:
        """A replay that failed again reopens the dead letter it came from (True) instead of
        adding a second one; False: store ``failed`` as a new dead letter."""
        return deadletters.reopen(self.conn, failed)

    def set_dead_letter_status(self, ids: Sequence[int], status: str, *,
                               replayed: bool = False) -> None:
        deadletters.set_status(self.conn, ids, status, replayed=replayed)

    # Retry schedule and ordering holds.
    def schedule(self, rows: Sequence[ScheduledRow]) -> None:
        scheduled.schedule(self.conn, rows)

    def due(self, now: datetime, limit: int) -> list[ScheduledRow]:
        return scheduled.due(self.conn, now, limit)

    def reschedule(self, scheduled_id: int, due_at: datetime | None, *,
                   attempt: int | None = None, last_error: str | None = None,
                   first_failure_at: datetime | None = None) -> None:
        scheduled.reschedule(self.conn, scheduled_id, due_at, attempt=attempt,
                             last_error=last_error, first_failure_at=first_failure_at)

    def delete_scheduled(self, ids: Sequence[int]) -> None:
        scheduled.delete(self.conn, ids)

    def is_held(self, destination: str, case_id: str) -> bool:
        return scheduled.is_held(self.conn, destination, case_id)

    def head_of(self, destination: str, case_id: str) -> ScheduledRow | None:
        return scheduled.head_of(self.conn, destination, case_id)

    def release_next(self, destination: str, case_id: str,
                     due_at: datetime) -> ScheduledRow | None:
        return scheduled.release_next(self.conn, destination, case_id, due_at)

    # Operator pauses (set by ``hub.ops.pause``).
    def is_paused(self, connector: str) -> bool:
        return pauses.is_paused(self.conn, connector)

    # Delivery record.
    def mark_delivered(self, destination: str, message_ids: Sequence[str],
                       at: datetime) -> None:
        delivered.mark_delivered(self.conn, destination, message_ids, at)

    # Aggregator state.
    def aggregate_add(self, key: str, route: str, part_type: str, message: dict[str, Any],
                      expires_at: datetime) -> dict[str, dict[str, Any]]:
        return aggregations.add(self.conn, key, route, part_type, message, expires_at)

    def aggregate_take(self, key: str) -> dict[str, dict[str, Any]]:
        return aggregations.take(self.conn, key)

    def aggregates_expired(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        return aggregations.expired(self.conn, now, limit)
