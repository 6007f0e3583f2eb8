"""Which dead letters an operation is about: ids, a failure group, a business key, filters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from hub.store import DeadLetterGroup, DeadLetterRow, deadletters
from hub.store.cases import case_ids_for
from hub.store.statements import chunks
from hub.store.tables import dead_letter as t
from hub.store.tables import dead_letter_key as tk


@dataclass(frozen=True, kw_only=True)
class Selection:
    """Dead letters matching every criterion given. ``key`` is a case id or a business key
    (GSRN, meter number, work-order id); ``since``/``until`` bound the last failure time.
    An empty selection matches nothing unless ``everything`` is set: "replay all" must be
    said out loud."""

    ids: tuple[int, ...] = ()
    fingerprint: str | None = None
    key: str | None = None
    case_id: str | None = None
    route: str | None = None
    connector: str | None = None
    message_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    everything: bool = False

    def is_empty(self) -> bool:
        return not (self.ids or self.everything or any(
            v is not None for v in (self.fingerprint, self.key, self.case_id, self.route,
                                    self.connector, self.message_type, self.since, self.until)))

    def describe(self) -> str:
        """For messages and the audit log, e.g. ``group 3fa2c1d09e77, connector kis``."""
        parts = []
        if self.ids:
            parts.append("ids " + ",".join(str(i) for i in self.ids))
        named = (("group", self.fingerprint), ("key", self.key), ("case", self.case_id),
                 ("route", self.route), ("connector", self.connector),
                 ("type", self.message_type))
        parts += [f"{label} {value}" for label, value in named if value is not None]
        if self.since is not None:
            parts.append(f"since {self.since.isoformat()}")
        if self.until is not None:
            parts.append(f"until {self.until.isoformat()}")
        if not parts:
            return "everything" if self.everything else "nothing"
        return ", ".join(parts)


def _conditions(sel: Selection, statuses: Sequence[str] | None) -> list[Any]:
    equal = {t.c.fingerprint: sel.fingerprint, t.c.case_id: sel.case_id, t.c.route: sel.route,
             t.c.connector: sel.connector, t.c.message_type: sel.message_type}
    found: list[Any] = [col == value for col, value in equal.items() if value is not None]
    if statuses is not None:
        found.append(t.c.status.in_(list(statuses)))
    if sel.ids:
        found.append(t.c.id.in_(list(sel.ids)))
    if sel.key is not None:
        # Its own payload carries the key, or its case does (a note names no GSRN, but the
        # case it belongs to does: the hub keeps every case's keys).
        by_key = sa.select(tk.c.dead_letter_id).where(tk.c.value == sel.key)
        found.append(sa.or_(t.c.case_id == sel.key, t.c.id.in_(by_key),
                            t.c.case_id.in_(case_ids_for(sel.key))))
    if sel.since is not None:
        found.append(t.c.last_failure_at >= sel.since)
    if sel.until is not None:
        found.append(t.c.last_failure_at <= sel.until)
    return found


def select_ids(conn: sa.Connection, sel: Selection,
               statuses: Sequence[str] | None = ("open",)) -> list[int]:
    """Ids of the matching dead letters, oldest first (``statuses`` None: any status)."""
    if sel.is_empty():
        return []
    stmt = sa.select(t.c.id).where(*_conditions(sel, statuses)).order_by(t.c.id)
    return [int(i) for i in conn.scalars(stmt)]


def select_rows(conn: sa.Connection, sel: Selection, statuses: Sequence[str] | None = ("open",),
                limit: int = 1000, *, newest_first: bool = False,
                before: int | None = None) -> list[DeadLetterRow]:
    """The matching dead letters themselves, oldest first (``newest_first``: the latest
    first, for pages people read); an empty selection lists all. ``before`` pages on: only
    ids below it (the last id of the previous page, newest first)."""
    conditions = _conditions(sel, statuses)
    if before is not None:
        conditions.append(t.c.id < before)
    order = t.c.id.desc() if newest_first else t.c.id
    stmt = sa.select(t).where(*conditions).order_by(order).limit(limit)
    return [DeadLetterRow(**row) for row in conn.execute(stmt).mappings()]


def select_groups(conn: sa.Connection, sel: Selection,
                  statuses: Sequence[str] | None = ("open",)) -> list[DeadLetterGroup]:
    """The matching dead letters grouped by failure fingerprint in SQL, the largest group
    first: every match counted, however many (the web pages grouped the first 500 rows)."""
    return deadletters.groups(conn, None, _conditions(sel, statuses))


def load_rows(conn: sa.Connection, ids: Sequence[int]) -> list[DeadLetterRow]:
    """Dead letters ``ids`` in the order given (ids that do not exist are left out)."""
    found: dict[int, DeadLetterRow] = {}
    for part in chunks(list(dict.fromkeys(ids))):
        for row in conn.execute(sa.select(t).where(t.c.id.in_(part))).mappings():
            found[int(row["id"])] = DeadLetterRow(**row)
    return [found[i] for i in ids if i in found]


def count_by_status(conn: sa.Connection, sel: Selection) -> dict[str, int]:
    """How many dead letters of the selection are in each status (for "nothing to do" hints)."""
    if sel.is_empty():
        return {}
    stmt = (sa.select(t.c.status, sa.func.count()).where(*_conditions(sel, None))
            .group_by(t.c.status))
    return {status: int(n) for status, n in conn.execute(stmt).all()}
