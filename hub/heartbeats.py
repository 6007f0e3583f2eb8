"""AMQP heartbeats for connections whose owner thread is busy elsewhere.

py-amqp sends a heartbeat only when its owner calls ``heartbeat_check``, and a kombu
connection belongs to one thread. A consumer thread that spends 20 s in a slow target's
handler, or a publishing connection idle between batches, would send nothing, and the broker
would drop it after about one heartbeat interval. So each connection is *lent* to this one
thread of the process whenever its owner is not using it (``lend``), and taken back with
``using``: while it is lent, this thread sends the heartbeats (writes only, never reads);
while the owner uses it, the owner calls ``check`` from its own loop, which also notices a
node that stopped answering (no frame for two intervals).

A per-connection lock makes sure the two threads never write to one socket at once.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import structlog
from kombu import Connection

log = structlog.get_logger("gridhub.heartbeats")


class _Lent:
    __slots__ = ("bytes_sent", "conn", "lock", "sent_at")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.lock = threading.Lock()
        self.sent_at = time.monotonic()
        self.bytes_sent = -1


def check(conn: Connection) -> None:
    """From the owner's loop: send a heartbeat when due; raise when the node went silent
    for two intervals (py-amqp's ``ConnectionForced``). A no-op without heartbeats."""
    if conn.connected:
        conn.heartbeat_check()


def _amqp(conn: Connection) -> Any:
    """The open py-amqp connection under ``conn`` when it has heartbeats, else None. Never
    connects (kombu's ``connection`` property would, from the wrong thread)."""
    raw = getattr(conn, "_connection", None)
    if raw is None or not getattr(raw, "heartbeat", 0) or not hasattr(raw, "send_heartbeat"):
        return None
    return raw if getattr(raw, "connected", False) else None


class Heartbeats:
    """One thread per process beating for every lent connection.

    A registered connection is lent whenever its owner does not hold it: ``register`` (the
    owner holds it), ``give`` (lent), ``take`` (the owner's again), ``drop`` (forgotten).
    """

    def __init__(self, interval_s: float) -> None:
        self._interval = interval_s
        self._lent: dict[int, _Lent] = {}
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._interval <= 0 or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="heartbeats", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None

    def register(self, conn: Connection) -> None:
        """Track ``conn``; its owner holds it until :meth:`give`."""
        entry = _Lent(conn)
        entry.lock.acquire()
        with self._guard:
            self._lent[id(conn)] = entry

    def give(self, conn: Connection) -> None:
        """Lend ``conn``: the owner does not touch it until :meth:`take`."""
        entry = self._lent.get(id(conn))
        if entry is not None:
            entry.lock.release()

    def take(self, conn: Connection) -> None:
        """Take ``conn`` back (waits while a heartbeat is being written)."""
        entry = self._lent.get(id(conn))
        if entry is None:
            return
        entry.lock.acquire()
        raw = _amqp(conn)
        if raw is not None:
            # Nothing was read while it was lent: count the time away as heard from, so the
            # owner's first check does not take the unread interval for a silent node.
            raw.prev_recv = None

    @contextlib.contextmanager
    def using(self, conn: Connection) -> Iterator[Connection]:
        """The owner's for the block, lent again after it."""
        self.take(conn)
        try:
            yield conn
        finally:
            self.give(conn)

    @contextlib.contextmanager
    def lent(self, conn: Connection) -> Iterator[Connection]:
        """Lent for the block (the owner works elsewhere), the owner's again after it."""
        self.give(conn)
        try:
            yield conn
        finally:
            self.take(conn)

    def drop(self, conn: Connection) -> None:
        """Forget ``conn`` (held by its owner: it is being closed or collected)."""
        with self._guard:
            self._lent.pop(id(conn), None)

    def _run(self) -> None:
        while not self._stop.wait(max(self._interval / 4, 0.05)):
            with self._guard:
                entries = list(self._lent.values())
            for entry in entries:
                if entry.lock.acquire(blocking=False):
                    try:
                        self._beat(entry)
                    except Exception as exc:  # its owner finds out on its next use
                        log.debug("heartbeat.failed", error=repr(exc))
                    finally:
                        entry.lock.release()

    def _beat(self, entry: _Lent) -> None:
        raw = _amqp(entry.conn)
        if raw is None:
            return
        sent = int(raw.bytes_sent)
        now = time.monotonic()
        if sent != entry.bytes_sent:  # the owner wrote something: that counts as a beat
            entry.bytes_sent, entry.sent_at = sent, now
            return
        if now - entry.sent_at >= float(raw.heartbeat) / 2:
            raw.send_heartbeat()
            entry.bytes_sent, entry.sent_at = int(raw.bytes_sent), now
