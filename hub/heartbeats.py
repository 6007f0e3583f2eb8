"""AMQP heartbeats for connections whose owner thread is busy elsewhere.

py-amqp sends a heartbeat only when its owner calls ``heartbeat_check``, and a kombu
connection belongs to one thread. A consumer thread that spends 20 s in a slow target's
handler, or waits for a ``basic.consume`` answer while a quorum queue elects a new leader, or a
publishing connection idle between batches, would send nothing, and the broker would drop it
("missed heartbeats from client"). So this one thread per process sends the heartbeats of every
registered connection that wrote nothing for half an interval. It only writes, never reads, and
only on connections made by ``hub.brokers`` (their frame writer takes a lock, so a heartbeat
never lands in the middle of the owner's frame).

The owner still reads: it calls :func:`check` from its own loop, which also notices a node that
stopped answering (no frame for two intervals). After a stretch without reading (a handler),
``take`` makes the owner's next check count from now, not from its last read.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import structlog
from amqp.method_framing import frame_writer
from kombu import Connection

log = structlog.get_logger("gridhub.heartbeats")
LOCKED = "gridhub_locked"  # attribute of a frame writer that serialises its writes


def locked_frame_writer(connection: Any, transport: Any, **kw: Any) -> Callable[..., Any]:
    """py-amqp's frame writer behind a lock: the owner and the heartbeat thread may both write
    (given to ``amqp.Connection`` as ``frame_writer`` by ``hub.brokers``)."""
    write = frame_writer(connection, transport, **kw)
    lock = threading.Lock()

    def locked(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return write(*args, **kwargs)

    setattr(locked, LOCKED, True)
    return locked


class _Entry:
    __slots__ = ("bytes_sent", "conn", "sent_at")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
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
    """One thread per process beating for every registered connection."""

    def __init__(self, interval_s: float) -> None:
        self._interval = interval_s
        self._entries: dict[int, _Entry] = {}
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
        """Beat for ``conn`` whenever it has written nothing for half an interval."""
        with self._guard:
            self._entries[id(conn)] = _Entry(conn)

    def give(self, conn: Connection) -> None:
        """The owner stops reading ``conn`` for a while (kept for symmetry with ``take``)."""

    def take(self, conn: Connection) -> None:
        """The owner reads ``conn`` again: the time it did not read is not silence."""
        raw = _amqp(conn)
        if raw is not None:
            raw.prev_recv = None

    @contextlib.contextmanager
    def using(self, conn: Connection) -> Iterator[Connection]:
        self.take(conn)
        yield conn

    @contextlib.contextmanager
    def lent(self, conn: Connection) -> Iterator[Connection]:
        """The owner works elsewhere for the block; it reads ``conn`` again after it."""
        try:
            yield conn
        finally:
            self.take(conn)

    def drop(self, conn: Connection) -> None:
        """Forget ``conn`` (it is being closed or collected)."""
        with self._guard:
            self._entries.pop(id(conn), None)

    def _run(self) -> None:
        while not self._stop.wait(max(self._interval / 4, 0.05)):
            with self._guard:
                entries = list(self._entries.values())
            for entry in entries:
                try:
                    self._beat(entry)
                except Exception as exc:  # its owner finds out on its next use
                    log.debug("heartbeat.failed", error=repr(exc))

    def _beat(self, entry: _Entry) -> None:
        raw = _amqp(entry.conn)
        if raw is None or not getattr(raw.frame_writer, LOCKED, False):
            return  # not ours to write to: its writes are not serialised
        sent = int(raw.bytes_sent)
        now = time.monotonic()
        if sent != entry.bytes_sent:  # the owner wrote something: that counts as a beat
            entry.bytes_sent, entry.sent_at = sent, now
            return
        if now - entry.sent_at >= float(raw.heartbeat) / 2:
            raw.send_heartbeat()
            entry.bytes_sent, entry.sent_at = int(raw.bytes_sent), now
