"""What the connector must still know after a restart, in one SQLite file of its own.

    sent         every interchange we sent, until its APERAK came or was reported missing,
                 so a CONTRL/APERAK arriving after a restart still finds its message and case
    supply       who supplies a metering point from which day: learnt from the Z04 and Z05
                 we send, so a day's values go to the supplier of that day
    waiting      a start of supply at a point without a meter yet (a new connection): the
                 Z04 waits for the meter (ediel-sweden.md §1.3)
    in_operation points whose meter we have seen mounted (the new metering point's master data)
    point_type   the type of each such point when it is not consumption: a plus customer's
                 production point, whose Z04 and values say so (E18)

Why a file under the connector's data directory and not a table in the hub's store: the
connector's inbound side is a gateway directory on this machine anyway, connectors do not
reach the hub's store, and the file is small (SQLite from the standard library, WAL, so the
delivery workers of several hub processes on this machine share it safely).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sent (
    reference TEXT PRIMARY KEY, document_id TEXT NOT NULL, message_id TEXT NOT NULL,
    case_id TEXT NOT NULL, sent_at REAL NOT NULL, contrl INTEGER NOT NULL DEFAULT 0,
    aperak INTEGER NOT NULL DEFAULT 0, overdue_reported INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS sent_document ON sent (document_id);
CREATE INDEX IF NOT EXISTS sent_open ON sent (aperak, overdue_reported, sent_at);
CREATE TABLE IF NOT EXISTS supply (
    metering_point TEXT NOT NULL, start_on TEXT NOT NULL, supplier TEXT NOT NULL,
    PRIMARY KEY (metering_point, start_on));
CREATE TABLE IF NOT EXISTS waiting (metering_point TEXT PRIMARY KEY, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS in_operation (
    metering_point TEXT PRIMARY KEY, meter_number TEXT);
CREATE TABLE IF NOT EXISTS point_type (metering_point TEXT PRIMARY KEY, type TEXT NOT NULL);
"""
CONSUMPTION = "consumption"
SINCE_EVER = date.min.isoformat()


class EdielState:
    """The connector's durable memory; ``path`` None keeps it in memory (translation, tests)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None  # opened on first use, not at start

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path) if self.path else ":memory:", timeout=30,
                                   isolation_level=None, check_same_thread=False)
            if self.path is not None:
                conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
            self._conn = conn
        return self._conn

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction (BEGIN IMMEDIATE: other processes wait, nobody reads half)."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- who supplies a point ------------------------------------------------------------------

    def supplies(self, point: str, supplier: str, start_on: str) -> None:
        """``supplier`` supplies ``point`` from ``start_on`` (ISO date; SINCE_EVER for a
        supplier whose start we never saw)."""
        with self.tx() as db:
            db.execute("INSERT OR REPLACE INTO supply VALUES (?, ?, ?)",
                       (point, start_on, supplier))

    def supplied_before(self, point: str, supplier: str, until: str) -> None:
        """``supplier`` supplied ``point`` up to ``until``: kept only when nothing earlier is
        known (the Z05 we send names the old supplier, not when it started)."""
        with self.tx() as db:
            earlier = db.execute("SELECT 1 FROM supply WHERE metering_point = ? AND "
                                 "start_on < ?", (point, until)).fetchone()
            if earlier is None:
                db.execute("INSERT OR REPLACE INTO supply VALUES (?, ?, ?)",
                           (point, SINCE_EVER, supplier))

    def withdrawn(self, point: str, supplier: str, start_on: str) -> None:
        """``supplier`` withdrew its start at ``point`` from ``start_on`` (Z03C): its supply
        from then on and a start still waiting for the meter are forgotten."""
        with self.tx() as db:
            db.execute("DELETE FROM supply WHERE metering_point = ? AND supplier = ? AND "
                       "start_on >= ?", (point, supplier, start_on))
            row = db.execute("SELECT payload FROM waiting WHERE metering_point = ?",
                             (point,)).fetchone()
            if row is not None and json.loads(row[0])["payload"].get("supplier") == supplier:
                db.execute("DELETE FROM waiting WHERE metering_point = ?", (point,))

    def supplier_on(self, point: str, day: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT supplier FROM supply WHERE metering_point = ? AND start_on <= ? "
                "ORDER BY start_on DESC LIMIT 1", (point, day)).fetchone()
        return str(row[0]) if row else None

    # -- a start of supply waiting for the meter -----------------------------------------------

    def wait_for_meter(self, point: str, payload: dict[str, Any]) -> str | None:
        """Keep ``payload`` until the point's meter is up; the meter number when it is
        already (then nothing is kept)."""
        with self.tx() as db:
            row = db.execute("SELECT meter_number FROM in_operation WHERE metering_point = ?",
                             (point,)).fetchone()
            if row is not None:
                return str(row[0] or "")
            db.execute("INSERT OR REPLACE INTO waiting VALUES (?, ?)",
                       (point, json.dumps(payload)))
        return None

    def meter_mounted(self, point: str, meter_number: str | None,
                      point_type: str = CONSUMPTION) -> dict[str, Any] | None:
        """Note the point in operation (and its type); the start of supply that waited for
        it, if any."""
        with self.tx() as db:
            db.execute("INSERT OR REPLACE INTO in_operation VALUES (?, ?)",
                       (point, meter_number))
            if point_type == CONSUMPTION:  # the usual case is not stored
                db.execute("DELETE FROM point_type WHERE metering_point = ?", (point,))
            else:
                db.execute("INSERT OR REPLACE INTO point_type VALUES (?, ?)",
                           (point, point_type))
            row = db.execute("SELECT payload FROM waiting WHERE metering_point = ?",
                             (point,)).fetchone()
            db.execute("DELETE FROM waiting WHERE metering_point = ?", (point,))
        return dict(json.loads(row[0])) if row else None

    def type_of(self, point: str) -> str:
        """The metering point's type as its master data said: consumption unless told."""
        with self._lock:
            row = self._db.execute("SELECT type FROM point_type WHERE metering_point = ?",
                                   (point,)).fetchone()
        return str(row[0]) if row else CONSUMPTION
