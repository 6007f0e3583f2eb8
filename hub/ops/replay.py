"""Replay and discard dead letters: a dry run, rate limit, progress, pause/stop, audit.

A replay re-publishes the original body (``hub.ops.plan.outgoings``; a wire document a
connector could not translate is translated again by the connector plugin) and then, in one
store transaction, marks the dead letter replayed (its first failure time stays, its replay count
grows) and writes the audit row. Publishing first means a crash in between leaves the dead
letter open and the message sent; running the replay again is safe, because the delivery
stage skips a message already delivered to its target and the plan marks such dead letters
resolved without sending. Nothing is marked replayed that was not sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import sqlalchemy as sa

from hub import codec
from hub.ops.audit import AuditEntry, record
from hub.ops.db import reading
from hub.ops.pause import pauses
from hub.ops.plan import (
    DISCARD,
    HUB,
    REPLAY,
    SKIP,
    PlanAction,
    PlanItem,
    outgoings,
    plan_discard,
    plan_replay,
)
from hub.ops.selection import Selection, load_rows, select_ids
from hub.publisher import Outgoing
from hub.store import DeadLetterRow, Store, TraceRow
from hub.store.tables import seen as seen_t
from hub.topology import Topology

PAGE = 200  # dead letters loaded (with their bodies) at a time
Progress = Callable[[PlanItem], None]


class Publishes(Protocol):
    """What a replay publishes through (``hub.publisher.Publisher``): returns once confirmed."""

    def publish(self, messages: Sequence[Outgoing]) -> None: ...


class Control:
    """Pause, resume or stop a running replay from another thread or a signal handler.
    A stop takes effect between two messages: the one being sent is finished and recorded."""

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()
        self._stop = threading.Event()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        self._stop.set()
        self._running.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait_until(self, deadline: float) -> bool:
        """Sleep until monotonic ``deadline``, and on while paused; False once stopped."""
        while not self._stop.is_set():
            if not self._running.is_set():
                self._running.wait(0.2)
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            self._stop.wait(min(left, 0.2))
        return False


@dataclass
class Outcome:
    """What an operation did (or, in a dry run, would do) with each selected dead letter."""

    operation: Literal["replay", "discard"]
    dry_run: bool
    items: list[PlanItem] = field(default_factory=list)
    done: dict[str, int] = field(default_factory=dict)  # action -> how many were carried out
    stopped: bool = False
    error: str | None = None

    def planned(self, action: PlanAction) -> int:
        return sum(1 for i in self.items if i.action == action)

    def as_dict(self) -> dict[str, Any]:
        return {"operation": self.operation, "dry_run": self.dry_run, "done": self.done,
                "stopped": self.stopped, "error": self.error,
                "items": [i.as_dict() for i in self.items]}


def replay(store: Store, publisher: Publishes, topology: Topology, selection: Selection, *,
           actor: str, reason: str, dry_run: bool = False, rate: float | None = None,
           again: bool = False, connectors: Collection[str] | None = None,
           progress: Progress | None = None, control: Control | None = None) -> Outcome:
    """Replay the selected dead letters (open ones; also replayed ones with ``again``), at
    most ``rate`` per second. Explicit ids are taken in any status and skipped with a reason."""
    _check(reason, dry_run, rate)
    control = control or Control()
    outcome = Outcome("replay", dry_run)
    pacer = _Pacer(rate)
    for page in _pages(store, selection, _statuses(selection, again)):
        with reading(store) as conn:
            items = plan_replay(conn, page, topology, again=again, connectors=connectors,
                                paused=set(pauses(conn)))
        for dl, item in zip(page, items, strict=True):
            if not dry_run:
                if not pacer.wait(control, counts=item.action == REPLAY):
                    outcome.stopped = True
                    return outcome
                try:
                    _replay_one(store, publisher, topology, dl, item, actor, reason, selection)
                except Exception as exc:  # the broker or the store: stop, report, keep the rest
                    outcome.error = f"dead letter {dl.id}: {type(exc).__name__}: {exc}"
                    return outcome
                outcome.done[item.action] = outcome.done.get(item.action, 0) + 1
            outcome.items.append(item)
            if progress is not None:
                progress(item)
    return outcome


def discard(store: Store, selection: Selection, *, actor: str, reason: str,
            dry_run: bool = False, progress: Progress | None = None,
            control: Control | None = None) -> Outcome:
    """Discard the selected open dead letters: kept for the record, never replayed."""
    _check(reason, dry_run, None)
    control = control or Control()
    outcome = Outcome("discard", dry_run)
    for page in _pages(store, selection, _statuses(selection, False)):
        if control.stopped:
            outcome.stopped = True
            return outcome
        items = plan_discard(page)
        if not dry_run:
            chosen = [i for i in items if i.action == DISCARD]
            chosen_ids = {i.dead_letter_id for i in chosen}
            with store.transaction() as tx:
                tx.set_dead_letter_status(sorted(chosen_ids), "discarded")
                record(tx.conn, [_audit("discard", i, actor, reason, selection, {})
                                 for i in chosen])
                tx.add_trace(_hops([dl for dl in page if dl.id in chosen_ids], "discarded",
                                   actor, reason))
            for item in items:
                outcome.done[item.action] = outcome.done.get(item.action, 0) + 1
        for item in items:
            outcome.items.append(item)
            if progress is not None:
                progress(item)
    return outcome


def count_selected(store: Store, selection: Selection, again: bool = False) -> int:
    """How many dead letters an operation on ``selection`` would look at (for a progress bar)."""
    with reading(store) as conn:
        return len(select_ids(conn, selection, _statuses(selection, again)))


def _check(reason: str, dry_run: bool, rate: float | None) -> None:
    if not dry_run and not reason.strip():
        raise ValueError("a reason is required: it goes into the audit log with who and when")
    if rate is not None and rate <= 0:
        raise ValueError(f"rate must be a positive number of messages per second, not {rate}")


def _statuses(selection: Selection, again: bool) -> tuple[str, ...] | None:
    # Ids named one by one are looked at in any status, so the answer can say why one is
    # skipped; filters and groups only pick what the operation can act on.
    if selection.ids:
        return None
    return ("open", "replayed") if again else ("open",)


def _pages(store: Store, selection: Selection,
           statuses: tuple[str, ...] | None) -> Iterator[list[DeadLetterRow]]:
    with reading(store) as conn:
        ids = select_ids(conn, selection, statuses)
    for start in range(0, len(ids), PAGE):
        with reading(store) as conn:
            yield load_rows(conn, ids[start:start + PAGE])


def _replay_one(store: Store, publisher: Publishes, topology: Topology, dl: DeadLetterRow,
                item: PlanItem, actor: str, reason: str, selection: Selection) -> None:
    if item.action == SKIP:
        return
    sent = item.action == REPLAY
    # The hop's time is the send's: the delivery it causes may be traced before this
    # transaction commits, and the timeline must still read replayed -> delivered.
    at = datetime.now(UTC)
    key = None
    if sent:
        if dl.message_id:
            _forget_receipt(store, dl.connector, dl.message_id)
        messages = outgoings(dl, topology)
        # fresh for this replay when its target had rejected it (hub.ops.plan)
        key = messages[0].headers.get(codec.H_IDEMPOTENCY_KEY) if messages else None
        publisher.publish(messages)
    note = f"; idempotency key {key}" if key else ""
    with store.transaction() as tx:
        tx.set_dead_letter_status([item.dead_letter_id], "replayed", replayed=sent)
        record(tx.conn, [_audit("replay", item, actor, reason, selection, {
            "sent": sent, "replay_count": dl.replay_count + (1 if sent else 0),
            "idempotency_key": key})])
        tx.add_trace(_hops([dl], "replayed" if sent else "resolved", actor, reason, at, note))


def _forget_receipt(store: Store, connector: str, message_id: str) -> None:
    """The hub marks a message it refused as seen, and a delivery stage one it dead-lettered;
    forget that, or the replay would be taken for a duplicate. Committed before the publish so
    that no worker can read the old key. The plan only gets here for a message the hub never
    applied (``plan._already_applied``) or the connector never took."""
    consumer = HUB if connector == HUB else f"deliver:{connector}"
    with store.transaction() as tx:
        tx.conn.execute(sa.delete(seen_t).where(seen_t.c.consumer == consumer,
                                                seen_t.c.message_id == message_id))


def _audit(action: str, item: PlanItem, actor: str, reason: str, selection: Selection,
           extra: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        actor=actor, action=action, subject=f"dead-letter {item.dead_letter_id}", reason=reason,
        dead_letter_id=item.dead_letter_id,
        detail={"selection": selection.describe(), "connector": item.connector,
                "message_id": item.message_id, "case_id": item.case_id,
                "message_type": item.message_type, "destination": item.destination,
                "decision": item.why, **extra})


def _hops(rows: Sequence[DeadLetterRow], name: str, actor: str, reason: str,
          at: datetime | None = None, note: str = "") -> list[TraceRow]:
    """The operator's action in the case's timeline, beside the hops it caused."""
    at = at or datetime.now(UTC)
    # The note (the replay's idempotency key) is kept whole: the reason is cut to fit.
    return [TraceRow(message_id=dl.message_id, case_id=dl.case_id, type=dl.message_type,
                     hop=name, source="ops", target=dl.connector, route=dl.route,
                     outcome="ok", at=at, keys=dl.keys,
                     detail=f"dead letter {dl.id} by {actor}: {reason}"[:500 - len(note)] + note)
            for dl in rows if dl.message_id and dl.case_id and dl.message_type]


class _Pacer:
    """At most ``rate`` sends per second, evenly spaced (no catch-up burst after a pause)."""

    def __init__(self, rate: float | None) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._next = 0.0

    def wait(self, control: Control, *, counts: bool) -> bool:
        """Wait for the next slot (only sends ``count``); False once stopped."""
        if not control.wait_until(self._next if counts else 0.0):
            return False
        if counts:
            self._next = time.monotonic() + self._interval
        return True
