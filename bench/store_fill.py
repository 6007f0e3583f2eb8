"""Grow a gridhub store with a year of a mid-size grid owner's rows (``bench.store_growth``).

Proportions of the measured copy in issue 21 (60,000 cases, 3.9 M trace rows, 5,000 dead
letters of which 1,005 open): per case 13 messages of 5 hops (received, routed to two
targets, delivered twice), three business keys (GSRN, meter number, work-order id), every
12th case one dead letter, every fifth of those open. Times spread over the
year before now, in id order as the hub writes them. One target ("ediel") gets few routed
rows: the case where ``gridhub status`` would scan most of the trace without its index.

Rows go in through the driver (executemany on SQLite, COPY on PostgreSQL): millions of rows
in minutes, not hours. Column formats are the store's own (naive UTC text on SQLite).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from hub.store import fingerprint

HOPS_PER_MESSAGE = 5
MESSAGES_PER_CASE = 13
TRACE_PER_CASE = HOPS_PER_MESSAGE * MESSAGES_PER_CASE  # 65: 3.9 M rows for 60,000 cases
DEAD_LETTER_EVERY = 12  # cases: 5,000 of 60,000
OPEN_SHARE = 0.2  # of the dead letters: 1,005 of 5,000
TARGETS = ("metering", "kis", "elhub", "workorders", "alpha")
RARE = "ediel"  # one routed row in 200 goes here
TYPES = ("case.submitted", "workorder.created", "case.note.added", "meter.installed",
         "case.status.changed", "grid.data.approved")
CAUSES = [("TargetRejected", "WorkOrder/Gsrn"), ("TargetTimeout", None),
          ("SchemaError", "payload.facility"), ("TargetRejected", "Meter/Number"),
          ("ConnectionRefused", None)]
YEAR = timedelta(days=365)
CHUNK = 20_000  # rows per driver call
STATE = {"status": "submitted", "customer": {"name": "Anna Andersson", "phone": "070-1234567"},
         "facility": {"street": "Storgatan 1", "postal_code": "11122", "city": "Stockholm",
                      "fuse_a": 25}, "side_tracks": {}, "flags": []}


def gsrn(case: int) -> str:
    return f"735999{case:012d}"


def meter_number(case: int) -> str:
    return f"{73_500_000 + case}"


def case_id(case: int) -> str:
    return f"SE-{case:08d}"


class Filler:
    """Appends cases ``[have, want)`` to the store behind ``engine``; the times of case ``i``
    of ``total`` cases fall at ``i / total`` of the year ending ``end``."""

    def __init__(self, engine: sa.Engine, total_cases: int, end: datetime) -> None:
        self.engine = engine
        self.total = total_cases
        self.end = end
        self.sqlite = engine.dialect.name == "sqlite"
        self.rng = random.Random(21)

    def grow(self, have: int, want: int) -> None:
        for start in range(have, want, 1000):
            stop = min(start + 1000, want)
            with self.engine.begin() as conn:
                self._cases(conn, start, stop)

    def _at(self, case: int, step: int) -> Any:
        at = self.end - YEAR + YEAR * (case / self.total) + timedelta(minutes=step)
        at = min(at, self.end - timedelta(seconds=1))
        return at.replace(tzinfo=None).isoformat(" ", "microseconds") if self.sqlite else at

    def _cases(self, conn: sa.Connection, start: int, stop: int) -> None:
        Rows = list[tuple[Any, ...]]
        cases: Rows = []
        keys: Rows = []
        trace: Rows = []
        delivered: Rows = []
        dls: Rows = []
        dl_keys: list[tuple[str, str]] = []
        for c in range(start, stop):
            cid = case_id(c)
            key_doc = {"gsrn": [gsrn(c)], "meter_number": [meter_number(c)],
                       "workorder_id": [f"WO-{c:07d}"]}
            keys_json = json.dumps(key_doc)
            cases.append((cid, "submitted", "new_installation", json.dumps(STATE), keys_json,
                          None, self._at(c, MESSAGES_PER_CASE), MESSAGES_PER_CASE))
            keys += [(cid, kind, values[0]) for kind, values in key_doc.items()]
            for m in range(MESSAGES_PER_CASE):
                trace += self._hops(c, m, cid, keys_json, delivered)
            if c % DEAD_LETTER_EVERY == 0:
                dls.append(self._dead_letter(c, cid, keys_json))
                dl_keys.append((gsrn(c), meter_number(c)))
        self._put(conn, "cases", ("case_id", "status", "flow", "state", "keys",
                                  "last_message_id", "updated_at", "version"), cases)
        self._put(conn, "case_key", ("case_id", "kind", "value"), keys)
        self._put(conn, "trace", ("message_id", "case_id", "type", "hop", "source", "target",
                                  "route", "outcome", "attempt", "at", "detail", "keys"), trace)
        self._put(conn, "delivered", ("destination", "message_id", "delivered_at"), delivered)
        self._dead_letters(conn, dls, dl_keys)

    def _hops(self, c: int, m: int, cid: str, keys: str,
              delivered: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        rnd = self.rng.getrandbits
        mid = f"{c:08x}-{m:04x}-4{rnd(12):03x}-8000-{rnd(48):012x}"
        kind = TYPES[m % len(TYPES)]
        n = c * MESSAGES_PER_CASE + m
        first = RARE if n % 200 == 0 else TARGETS[n % len(TARGETS)]
        second = TARGETS[(n + 2) % len(TARGETS)]
        at = self._at(c, m)
        route = f"{kind.split('.')[0]}-out"
        rows: list[tuple[Any, ...]] = [
            (mid, cid, kind, "received", "portal", None, None, "ok", 0, at, None, keys)]
        rows += [(mid, cid, kind, "routed", "hub", t, route, "ok", 0, at, None, keys)
                 for t in (first, second)]
        rows += [(mid, cid, kind, "delivered", "hub", t, route, "ok", 1, at, "HTTP 200", keys)
                 for t in (first, second)]
        delivered += [(t, mid, at) for t in (first, second)]
        return rows

    def _dead_letter(self, c: int, cid: str, keys: str) -> tuple[Any, ...]:
        exc, where = CAUSES[c % len(CAUSES)]
        connector = TARGETS[c % len(TARGETS)]
        kind = TYPES[c % len(TYPES)]
        at = self._at(c, MESSAGES_PER_CASE)
        status = "open" if (c // DEAD_LETTER_EVERY) % round(1 / OPEN_SHARE) == 0 else "replayed"
        body = json.dumps({"case_id": cid, "type": kind, "payload": STATE | {"gsrn": gsrn(c)},
                           "pad": "x" * 900}).encode()
        headers = json.dumps({"x-gridhub-route": f"{kind.split('.')[0]}-out",
                              "x-gridhub-attempt": 3})
        return (f"{c:08x}-dead", cid, kind, f"{kind.split('.')[0]}-out", connector, body, headers,
                3, at, at, exc, f"HTTP 422: {where or 'timeout'} för {cid}", where, None,
                fingerprint(exc, where, connector, kind), status, 0 if status == "open" else 1,
                keys, at)

    def _dead_letters(self, conn: sa.Connection, rows: list[tuple[Any, ...]],
                      keys: list[tuple[str, str]]) -> None:
        cols = ("message_id", "case_id", "message_type", "route", "connector", "body",
                "headers", "attempts", "first_failure_at", "last_failure_at", "exception_type",
                "exception_message", "where", "remote_fault", "fingerprint", "status",
                "replay_count", "keys", "created_at")
        if not rows:
            return
        self._put(conn, "dead_letter", cols, rows)
        last = conn.execute(sa.text("SELECT max(id) FROM dead_letter")).scalar_one()
        first = last - len(rows) + 1
        self._put(conn, "dead_letter_key", ("dead_letter_id", "kind", "value"), [
            (first + i, kind, value) for i, pair in enumerate(keys)
            for kind, value in zip(("gsrn", "meter_number"), pair, strict=True)])

    def _put(self, conn: sa.Connection, table: str, cols: Sequence[str],
             rows: Sequence[tuple[Any, ...]]) -> None:
        names = ", ".join(f'"{c}"' for c in cols)
        if self.sqlite:
            marks = ", ".join("?" * len(cols))
            for part in _parts(rows):
                conn.exec_driver_sql(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', part)
            return
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)


def _parts(rows: Sequence[tuple[Any, ...]]) -> Iterator[Sequence[tuple[Any, ...]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def now() -> datetime:
    return datetime.now(UTC)
