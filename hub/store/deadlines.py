"""Deadline watch: routed messages and when their target accepted them (``hub.deadlines``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from hub.store.statements import chunks, insert_ignore
from hub.store.tables import UtcDateTime, metadata

# Messages a route must have accepted by its target before a deadline (``deadline:`` in
# routes.yaml, e.g. metering values at the datahub by 07:00 the next day). Written with the
# routing, settled by the delivery stage: lateness is judged by the target's acceptance.
t = deadline_watch = sa.Table(
    "deadline_watch", metadata,
    sa.Column("message_id", sa.String, primary_key=True),  # the routed output's id
    sa.Column("route", sa.String, nullable=False),
    sa.Column("destination", sa.String, nullable=False),
    sa.Column("case_id", sa.String, nullable=False),  # for metering values: the GSRN
    sa.Column("day", sa.String, nullable=False, index=True),  # ISO date the deadline is for
    sa.Column("due_at", UtcDateTime, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("accepted_at", UtcDateTime),
    sa.Column("next_attempt_at", UtcDateTime),  # a retry scheduled past due_at: at risk
    sa.Column("state", sa.String, nullable=False),
)


class WatchState(StrEnum):
    PENDING = "pending"  # routed, not yet accepted by the target
    RETRYING = "retrying"  # a transient failure: the scheduler tries again
    ACCEPTED = "accepted"
    DEAD_LETTERED = "dead-lettered"


@dataclass(frozen=True, kw_only=True)
class WatchRow:
    message_id: str
    route: str
    destination: str
    case_id: str
    day: str
    due_at: datetime
    received_at: datetime
    accepted_at: datetime | None = None
    next_attempt_at: datetime | None = None
    state: str = WatchState.PENDING.value

    @property
    def late(self) -> bool:
        return self.accepted_at is not None and self.accepted_at > self.due_at

    @property
    def at_risk(self) -> bool:
        """Still retrying, and the next attempt comes after the deadline."""
        return self.state == WatchState.RETRYING and self.next_attempt_at is not None and \
            self.next_attempt_at > self.due_at


_FIELDS = ("message_id", "route", "destination", "case_id", "day", "due_at", "received_at",
           "accepted_at", "next_attempt_at", "state")


def watch(conn: sa.Connection, rows: Sequence[WatchRow]) -> None:
    """Start watching ``rows``; a message routed again (redelivery) keeps its first row."""
    insert_ignore(conn, t, [{f: getattr(r, f) for f in _FIELDS} for r in rows],
                  ["message_id"])


def get(conn: sa.Connection, message_ids: Sequence[str]) -> dict[str, WatchRow]:
    found: dict[str, WatchRow] = {}
    for part in chunks(list(dict.fromkeys(message_ids))):
        for row in conn.execute(sa.select(t).where(t.c.message_id.in_(part))).mappings():
            found[row["message_id"]] = WatchRow(**row)
    return found


def settle(conn: sa.Connection, message_ids: Sequence[str], state: WatchState, *,
           at: datetime | None = None, next_attempt_at: datetime | None = None) -> None:
    values: dict[str, Any] = {"state": state.value, "next_attempt_at": next_attempt_at}
    if state == WatchState.ACCEPTED:
        values["accepted_at"] = at
    for part in chunks(list(dict.fromkeys(message_ids))):
        stmt = sa.update(t).where(t.c.message_id.in_(part))
        if state == WatchState.ACCEPTED:  # the first acceptance counts (a replay is later)
            stmt = stmt.where(t.c.accepted_at.is_(None))
        conn.execute(stmt.values(values))


def for_days(conn: sa.Connection, first: str, last: str, route: str | None = None
             ) -> list[WatchRow]:
    """Every watched message for the days ``first``..``last`` (ISO dates, inclusive)."""
    stmt = sa.select(t).where(t.c.day >= first, t.c.day <= last)
    if route is not None:
        stmt = stmt.where(t.c.route == route)
    return [WatchRow(**row) for row in conn.execute(stmt.order_by(t.c.day, t.c.case_id))
            .mappings()]
