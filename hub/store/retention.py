"""What retention removes from the store, in batches: the personal data of closed cases
(erased, the case kept), trace rows, settled dead letters. The policy (how old, how many at a
time) and the audit are ``hub.retention``'s.

A closed case keeps what is not personal data, by an allow-list: a field added to the case
later is erased unless it is added here, which is the safe way round.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from hub.store.tables import cases, dead_letter, dead_letter_key, trace

CLOSED = ("archived", "cancelled")
SETTLED = ("replayed", "discarded")

# The case fields kept after erasure; a nested mapping keeps only its own fields (of every
# item, for a list). Kept: codes, dates, the grid owner, technical facility data (GSRN, meter
# and technical number identify a facility, not a person) and the grid data. Gone: the
# property owner and payer, installer and handler persons, addresses, customer numbers,
# notes, activity, attachment names, the decision's signature and free text.
_FACILITY = {"facility_id", "meter_number", "technical_number", "substation", "main_fuse_a",
             "ready_on"}
_GRID_DATA = {"service", "cable_type", "cable_count", "cable_dimension_mm2",
              "earth_fault_impedance_mohm", "short_circuit_current_ka", "distance_m",
              "service_fuse", "service_line_fuse", "bill_customer", "project_number",
              "connection_fee", "currency", "documentation", "decision", "decided_on"}
CASE_KEPT: dict[str, Any] = {
    "case_id": True, "reference": True, "received_on": True, "grid_owner": True,
    "installer_company": {"name"}, "installation_type": True, "temporary_kind": True,
    "job_type": True, "network_area": True, "municipality": True, "facilities": _FACILITY,
    "grid_data": _GRID_DATA, "status": True, "flow": True, "side_tracks": True, "flags": True,
}
# The stored state is a schemas.projection.CaseState: its own fields hold no personal data
# (ids, codes, business keys, times) and stay, so the hub still loads and projects the case;
# the full case JSON in ``case`` keeps CASE_KEPT only.
KEPT: dict[str, Any] = {
    "case_id": True, "status": True, "flow": True, "side_tracks": True, "flags": True,
    "keys": True, "last_message_id": True, "updated_at": True, "case": CASE_KEPT,
}


def erased(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` with only the kept fields."""
    kept: dict[str, Any] = _keep(state, KEPT)
    return kept


def _keep(value: Any, rule: Any) -> Any:
    if rule is True or value is None:
        return value
    if isinstance(value, list):
        return [_keep(item, rule) for item in value]
    if not isinstance(value, dict):
        return None  # a shape the rule does not know: erase rather than guess
    if isinstance(rule, set):
        return {k: v for k, v in value.items() if k in rule}
    return {k: _keep(v, rule[k]) for k, v in value.items() if k in rule}


def closed_cases(before: datetime) -> sa.ColumnElement[bool]:
    """Archived or cancelled cases last changed before ``before``, not erased since."""
    return sa.and_(cases.c.status.in_(CLOSED), cases.c.erased_at.is_(None),
                   cases.c.updated_at < before)


def old_trace(before: datetime) -> sa.ColumnElement[bool]:
    return trace.c.at < before


def settled_dead_letters(before: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(dead_letter.c.status.in_(SETTLED), dead_letter.c.settled_at < before)


def count(conn: sa.Connection, table: sa.Table, where: sa.ColumnElement[bool]) -> int:
    return int(conn.scalar(sa.select(sa.func.count()).select_from(table).where(where)) or 0)


def oldest(conn: sa.Connection, key: sa.Column[Any], where: sa.ColumnElement[bool],
           limit: int) -> list[Any]:
    """Up to ``limit`` keys of rows matching ``where``, lowest first (for ids: oldest first,
    and the scan stops at ``limit`` instead of reading the whole table)."""
    return list(conn.scalars(sa.select(key).where(where).order_by(key).limit(limit)))


def erase_cases(conn: sa.Connection, case_ids: Sequence[str], at: datetime) -> int:
    """Erase the personal data of ``case_ids``; the cases, their status and keys stay."""
    rows = conn.execute(sa.select(cases.c.case_id, cases.c.state)
                        .where(cases.c.case_id.in_(case_ids))).all()
    for case_id, state in rows:
        conn.execute(sa.update(cases).where(cases.c.case_id == case_id)
                     .values(state=erased(state), erased_at=at))
    return len(rows)


def delete_trace(conn: sa.Connection, ids: Sequence[int]) -> int:
    return int(conn.execute(sa.delete(trace).where(trace.c.id.in_(ids))).rowcount)


def delete_dead_letters(conn: sa.Connection, ids: Sequence[int]) -> int:
    conn.execute(sa.delete(dead_letter_key).where(dead_letter_key.c.dead_letter_id.in_(ids)))
    return int(conn.execute(sa.delete(dead_letter).where(dead_letter.c.id.in_(ids))).rowcount)
