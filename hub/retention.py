"""Data retention: how long each kind of data is kept, and the purge that enforces it.

Per kind (settings ``retention_*_days``, README "Operating gridhub"): the personal data of
archived and cancelled cases is erased (the case, its status and business keys stay), trace
rows, settled dead letters and audit rows are deleted. Open dead letters and open cases are
never touched: they are work not yet done.

The purge goes in small batches, each its own transaction with the audit row that records
it, so a purge that stops half-way (crash, time budget) has audited exactly what it removed,
and the hub's writers wait at most one batch. The hub runs it from the scheduler loop;
``gridhub purge`` runs it by hand, ``--dry-run`` only counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from hub.ops.audit import AuditEntry, record
from hub.ops.audit import audit as audit_t
from hub.store import Store
from hub.store import retention as rows
from hub.store.tables import cases, dead_letter, trace

SCHEDULER_ACTOR = "gridhub retention"
# Serialises purge batches of several hub processes on PostgreSQL (SQLite's BEGIN IMMEDIATE
# does already): each batch then picks rows no other batch has taken, and audits only its own.
_PURGE_LOCK = 0x70757267  # "purg"


class Kind(StrEnum):
    CASES = "cases"
    TRACE = "trace"
    DEAD_LETTERS = "dead_letters"
    AUDIT = "audit"


@dataclass(frozen=True)
class _Spec:
    setting: str  # the Settings field with its days
    what: str  # for people: "personal data of archived and cancelled cases"
    table: sa.Table
    key: sa.Column[Any]
    where: Callable[[datetime], sa.ColumnElement[bool]]
    apply: Callable[[sa.Connection, Sequence[Any], datetime], int]


def _delete_audit(conn: sa.Connection, ids: Sequence[Any], _at: datetime) -> int:
    return int(conn.execute(sa.delete(audit_t).where(audit_t.c.id.in_(ids))).rowcount)


SPECS = {
    Kind.CASES: _Spec("retention_case_days", "personal data of archived and cancelled cases "
                      "(erased; the case, its status and keys stay)", cases, cases.c.case_id,
                      rows.closed_cases, rows.erase_cases),
    Kind.TRACE: _Spec("retention_trace_days", "trace rows", trace, trace.c.id, rows.old_trace,
                      lambda conn, ids, _at: rows.delete_trace(conn, ids)),
    Kind.DEAD_LETTERS: _Spec("retention_dead_letter_days",
                             "replayed and discarded dead letters", dead_letter,
                             dead_letter.c.id, rows.settled_dead_letters,
                             lambda conn, ids, _at: rows.delete_dead_letters(conn, ids)),
    Kind.AUDIT: _Spec("retention_audit_days", "audit rows", audit_t, audit_t.c.id,
                      lambda before: audit_t.c.at < before, _delete_audit),
}


@dataclass(frozen=True)
class Due:
    """What a purge of one kind takes now: rows older than ``cutoff``."""

    kind: Kind
    days: float
    cutoff: datetime
    count: int

    @property
    def what(self) -> str:
        return SPECS[self.kind].what


class Retention:
    """The purge, with the days per kind from settings and an injectable clock."""

    def __init__(self, store: Store, days: dict[Kind, float], *, batch: int = 500,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._store = store
        self._days = days
        self._batch = batch
        self._clock = clock

    @classmethod
    def from_settings(cls, store: Store, settings: Any, **kw: Any) -> Retention:
        days = {kind: float(getattr(settings, spec.setting)) for kind, spec in SPECS.items()}
        return cls(store, days, batch=settings.retention_batch, **kw)

    def due(self) -> list[Due]:
        """How many rows of each kind a purge would take now (``--dry-run``)."""
        at = self._clock()
        found = []
        with self._store.engine.connect() as conn:
            for kind, spec in SPECS.items():
                cutoff = at - timedelta(days=self._days[kind])
                found.append(Due(kind, self._days[kind], cutoff,
                                 rows.count(conn, spec.table, spec.where(cutoff))))
        return found

    def purge(self, *, actor: str = SCHEDULER_ACTOR, reason: str | None = None,
              budget_s: float | None = None) -> tuple[dict[Kind, int], bool]:
        """Purge every kind in batches; stop early when ``budget_s`` is spent. Returns the
        rows purged per kind and whether anything is left for the next run."""
        done = {kind: 0 for kind in SPECS}
        deadline = None if budget_s is None else time.monotonic() + budget_s
        for kind in SPECS:
            while True:
                if deadline is not None and time.monotonic() >= deadline:
                    return done, True
                taken = self._batch_of(kind, actor, reason)
                done[kind] += taken
                if taken < self._batch:
                    break
        return done, False

    def _batch_of(self, kind: Kind, actor: str, reason: str | None) -> int:
        spec, at = SPECS[kind], self._clock()
        days = self._days[kind]
        cutoff = at - timedelta(days=days)
        with self._store.transaction() as tx:
            if tx.conn.dialect.name == "postgresql":
                tx.conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PURGE_LOCK)))
            keys = rows.oldest(tx.conn, spec.key, spec.where(cutoff), self._batch)
            if not keys:
                return 0
            taken = spec.apply(tx.conn, keys, at)
            why = reason or f"retention: {spec.what} older than {days:g} days ({spec.setting})"
            detail: dict[str, Any] = {"kind": str(kind), "cutoff": cutoff.isoformat(),
                                      "count": taken}
            if kind in (Kind.CASES, Kind.DEAD_LETTERS):  # which ones; pseudonymous ids
                detail["ids"] = [str(k) for k in keys]
            else:
                detail["ids_from"], detail["ids_to"] = int(keys[0]), int(keys[-1])
            record(tx.conn, [AuditEntry(actor=actor, action="purge", subject=f"retention {kind}",
                                        reason=why, detail=detail, at=at)])
        return taken
