"""Polling a back end's event feed with a persisted cursor (KIS GetEvents, the metering
coordinator's HTTP feed).

Why polling rather than an inbound endpoint: the back end is a system gridhub calls, inside
the grid owner's network; polling needs no port opened towards gridhub and no retry logic on
the vendor's side, and the cursor is only advanced after the hub's broker confirmed the
events. A crash in between replays them with the same message ids, which the hub's
idempotency drops. An event that breaks the contract (or a feed entry that does) is set aside:
the connector hands it whole to the dead-letter store (``Inbound.reject``) with the error
naming what and where, and the cursor moves past it only once it is stored, so one poisoned
event can neither stop every other case nor be lost.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from hub.background import Background
from hub.connector import Inbound
from hub.errors import GridhubError
from schemas.envelope import Envelope

log = structlog.get_logger("gridhub.poller")


@dataclass(frozen=True)
class SetAside:
    """An event (or feed entry) that cannot become a canonical message: kept whole."""

    event_id: str  # for the log: the event's id, or its place in the feed
    body: bytes = field(repr=False)  # the whole entry as the back end sent it
    error: GridhubError


@dataclass
class EventBatch:
    """One fetch: the translated events, the ones set aside, and the next cursor."""

    messages: list[Envelope] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)
    next_cursor: str | None = None


@dataclass
class CursorState:
    cursor: str | None = None


class CursorStore:
    """The cursor, persisted as JSON (atomically) when ``path`` is given, else in memory."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def load(self) -> CursorState:
        if self.path is None or not self.path.exists():
            return CursorState()
        doc: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        return CursorState(doc.get("cursor"))

    def save(self, state: CursorState) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"cursor": state.cursor}, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)


Fetch = Callable[[str | None, int], EventBatch]


class EventPoller(Background):
    """Calls ``fetch(cursor, batch)``, publishes, then advances the cursor. A thread of its own."""

    def __init__(self, fetch: Fetch, inbound: Inbound, store: CursorStore, *,
                 interval: float, batch: int = 100, name: str = "events") -> None:
        super().__init__(f"{name}-poller")
        self.name = name
        self._fetch = fetch
        self._inbound = inbound
        self._store = store
        self.interval = interval
        self.batch = batch
        self.state = store.load()
        # Set-aside entries stored since the cursor last moved: a bad entry the cursor cannot
        # pass (the last one, without a usable position) comes again at every poll.
        self._stored: set[str] = set()

    def poll_once(self) -> int:
        """One fetch; returns how many events it handled (published or set aside)."""
        batch = self._fetch(self.state.cursor, self.batch)
        if batch.messages:
            self._inbound.publish(batch.messages)  # returns once the broker confirmed
        for entry in batch.set_aside:
            digest = hashlib.sha256(entry.body).hexdigest()
            if digest in self._stored:
                continue
            self._inbound.reject(entry.body, entry.error, source=self.name)  # once stored
            self._stored.add(digest)
            log.error("poller.event_set_aside", source=self.name, event_id=entry.event_id,
                      error=type(entry.error).__name__, where=entry.error.where,
                      reason=entry.error.message)
        if batch.next_cursor is not None and batch.next_cursor != self.state.cursor:
            self.state.cursor = batch.next_cursor
            self._stored.clear()
        self._store.save(self.state)
        return len(batch.messages) + len(batch.set_aside)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                handled = self.poll_once()
            except GridhubError as exc:
                log.warning("poller.poll_failed", source=self.name, error=type(exc).__name__,
                            where=exc.where, reason=exc.message)
                handled = 0
            except Exception as exc:  # a bug must not kill the poller for good
                log.error("poller.poll_crashed", source=self.name, error=repr(exc)[:300])
                handled = 0
            if handled < self.batch:  # a full batch means more are waiting: poll again now
                self._stop.wait(self.interval)
