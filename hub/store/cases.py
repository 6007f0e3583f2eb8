"""Case projection: the current state of each case, and the business keys that find it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from hub.store.statements import chunks, insert_ignore, upsert
from hub.store.tables import case_key
from hub.store.tables import cases as t


@dataclass(frozen=True, kw_only=True)
class CaseRow:
    """A projected case. ``keys`` holds its business keys by kind (gsrn, meter_number,
    workorder_id); ``version`` counts saves and is set by the store."""

    case_id: str
    status: str
    flow: str
    state: dict[str, Any] = field(repr=False)  # personal data: kept out of logs
    keys: dict[str, list[str]] = field(default_factory=dict)
    last_message_id: str | None = None
    updated_at: datetime
    version: int = 0
    erased_at: datetime | None = None  # set by retention (hub.retention)


def key_rows(case_id: str, keys: Mapping[str, Iterable[str]]) -> list[dict[str, str]]:
    """``case_key`` rows for one case's business keys (empty values dropped)."""
    return [{"case_id": case_id, "kind": kind, "value": str(value)}
            for kind, values in keys.items() for value in values if value]


KeyRow = tuple[str, str, str]  # (case_id, kind, value)


def add_keys(conn: sa.Connection, rows: Iterable[dict[str, str]],
             written: set[KeyRow] | None = None) -> None:
    """Remember business keys; keys already known are skipped. ``written`` holds the keys
    this transaction wrote already (and gets the new ones): the hub writes a case's keys with
    its projection and again with each of its trace rows, and one insert is enough."""
    unique = {(r["case_id"], r["kind"], r["value"]): r for r in rows}
    if written is not None:
        unique = {key: row for key, row in unique.items() if key not in written}
        written.update(unique)
    insert_ignore(conn, case_key, list(unique.values()), ["case_id", "kind", "value"])


def case_ids_for(key: str, kind: str | None = None) -> sa.Select[tuple[str]]:
    """Subquery: the case ids that carry business key ``key`` (of ``kind`` if given)."""
    query = sa.select(case_key.c.case_id).where(case_key.c.value == key)
    return query.where(case_key.c.kind == kind) if kind else query


_LOAD = sa.select(t).where(t.c.case_id.in_(sa.bindparam("ids", expanding=True)))


def load_cases(conn: sa.Connection, case_ids: Sequence[str]) -> dict[str, CaseRow]:
    found: dict[str, CaseRow] = {}
    for part in chunks(list(dict.fromkeys(case_ids))):
        for row in conn.execute(_LOAD, {"ids": part}).mappings():
            found[row["case_id"]] = CaseRow(**row)
    return found


def _update(new: Any) -> dict[str, Any]:
    changed = ("status", "flow", "state", "keys", "last_message_id", "updated_at")
    # New state came from a message: it may hold personal data again, so retention looks again.
    return {name: new[name] for name in changed} | {"version": t.c.version + 1,
                                                     "erased_at": None}


def save_cases(conn: sa.Connection, rows: Sequence[CaseRow],
               written_keys: set[KeyRow] | None = None) -> None:
    """Insert or replace each case (the last row wins for a repeated id). ``version`` becomes
    1 on insert and the stored version + 1 on update; the row's own ``version`` is ignored."""
    latest = {r.case_id: r for r in rows}
    values = [
        {"case_id": r.case_id, "status": r.status, "flow": r.flow, "state": r.state,
         "keys": r.keys, "last_message_id": r.last_message_id, "updated_at": r.updated_at,
         "version": 1}
        for r in latest.values()
    ]
    upsert(conn, t, values, ["case_id"], _update)
    add_keys(conn, (k for r in latest.values() for k in key_rows(r.case_id, r.keys)),
             written_keys)
