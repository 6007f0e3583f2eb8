"""The delivery stage: hand routed messages to one connector, with retry, ordering and dead letters.

Per message: already delivered (idempotency) -> skip; its case already waiting on an earlier
failed message for this connector -> hold it behind that one (per-case order); else call the
connector, retrying at once ``immediate`` times. A transient failure after that goes to the
store's durable scheduler with a backoff (it survives restarts; no worker sleeps); a permanent
one, or an exhausted policy, goes to the dead-letter store. When the head of a held case is
delivered or dead-lettered, the next held message of that case is released.

A dead letter marks its case: the hub gets ``case.sidetrack.updated`` setting ``on_hold`` (so
the portal and the case trace show it waits for a person), and a replay delivered later clears
the flag the same way.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import structlog
from kombu.message import Message
from opentelemetry.trace import Span, SpanKind

from hub import codec, deadlines, telemetry
from hub.connector import Connector, delivering
from hub.errors import PermanentError, is_transient
from hub.metrics import Metrics
from hub.publisher import Outgoing, Publisher
from hub.retry import DEFAULT_POLICY, RetryAction, RetryPolicy, decide
from hub.store import ScheduledRow, Store, Tx
from hub.topology import HUB_KEY, Topology
from hub.tracing import dead_letter, hop, now
from schemas.codes import CaseFlag
from schemas.envelope import Envelope
from schemas.message_types import MessageType as M

log = structlog.get_logger("gridhub.delivery")
MARK_SOURCE = "hub.dead-letters"  # marks of dead letters, told apart from routed updates


class Outcome(StrEnum):
    """What the delivery stage did with one message of a batch."""

    PENDING = "pending"  # not decided yet
    DELIVERED = "delivered"
    LATER = "later"  # a transient failure: a retry is scheduled
    DEAD = "dead"  # permanent, or the policy gave up: dead-lettered
    HELD = "held"  # waits behind an earlier message of its case, or the connector is paused
    DUPLICATE = "duplicate"  # delivered before: skipped


@dataclass
class _Item:
    msg: Message
    env: Envelope
    route: str | None
    attempt: int  # deliveries made before this one
    first_failure: datetime | None
    scheduled_id: int | None
    outcome: Outcome = Outcome.PENDING
    error: BaseException | None = None
    due: datetime | None = None
    replies: Sequence[Envelope] = field(default_factory=list)
    parked: bool = False  # held because the connector is paused
    group: str = ""  # the dead letter's fingerprint
    key: str = ""  # the idempotency key sent to the target

    @property
    def key_note(self) -> str:
        """The key for the trace when it is not the message id (a replay's)."""
        return "" if self.key == self.env.message_id else f"idempotency key {self.key}"


class DeliveryStage:
    """Handles batches from one connector's delivery queue."""

    def __init__(self, name: str, connector: Connector, store: Store, topology: Topology,
                 publisher: Publisher, policies: Mapping[str, RetryPolicy],
                 metrics: Metrics | None = None) -> None:
        self.name = name
        self._metrics = metrics
        self._connector = connector
        self._store = store
        self._topology = topology
        self._publisher = publisher
        self._policies = policies
        self._consumer = f"deliver:{name}"
        self._late = self._at_risk = 0  # deadlines of the last batch, counted after its commit

    def handle(self, batch: list[Message]) -> None:
        items, poison = self._decode(batch)
        with self._store.transaction() as tx:
            seen = tx.seen(self._consumer, [i.env.message_id for i in items])
            held = {c for c in {i.env.case_id for i in items} if tx.is_held(self.name, c)}
            paused = tx.is_paused(self.name)
        for item in items:
            self._decide(item, seen, held, paused)
        self._mark_cases(items)
        replies = [r for i in items for r in i.replies]
        if replies:  # before the commit: a crash in between re-delivers, ids are deterministic
            self._publisher.publish([Outgoing(self._topology.inbound, HUB_KEY, codec.encode(r),
                                              case_id=r.case_id) for r in replies])
        with self._store.transaction() as tx:
            poison_groups = self._write(tx, items, poison)
        if self._metrics is not None:  # after the commit, as the hub stage counts
            self._count_outcomes(self._metrics, items, poison_groups)

    def _count_outcomes(self, metrics: Metrics, items: list[_Item],
                        poison_groups: list[str]) -> None:
        for item in items:
            if item.outcome == Outcome.LATER:
                metrics.retried(item.route or "", self.name)
            elif item.outcome == Outcome.DEAD:
                metrics.dead_lettered(item.route, self.name, item.group)
        for group in poison_groups:
            metrics.dead_lettered(None, self.name, group)
        if self._late:
            metrics.late_values(self._late)
        if self._at_risk:
            metrics.deadline_at_risk(self._at_risk)

    def _mark_cases(self, items: list[_Item]) -> None:
        """Add an on_hold flag change for each dead letter (and replay delivered) of a case."""
        marks = [i for i in items if not _is_mark(i.env) and (
            i.outcome == Outcome.DEAD or (i.outcome == Outcome.DELIVERED and
                                    (i.msg.headers or {}).get(codec.H_REPLAY_OF)))]
        if not marks:
            return
        with self._store.transaction() as tx:
            known = set(tx.load_cases(sorted({i.env.case_id for i in marks})))
        for item in marks:
            if item.env.case_id in known:
                change = "set_flags" if item.outcome == Outcome.DEAD else "clear_flags"
                item.replies = [*item.replies, item.env.derive(
                    M.CASE_SIDETRACK_UPDATED, MARK_SOURCE, {change: [str(CaseFlag.on_hold)]},
                    change, self.name)]

    def _decode(self, batch: list[Message]) -> tuple[list[_Item], list[tuple[Message, Exception]]]:
        items: list[_Item] = []
        poison: list[tuple[Message, Exception]] = []
        for msg in batch:
            headers = msg.headers or {}
            try:
                env = codec.decode(msg.body)
            except PermanentError as exc:
                poison.append((msg, exc))
                continue
            first = headers.get(codec.H_FIRST_FAILURE)
            sched = headers.get(codec.H_SCHEDULED_ID)
            items.append(_Item(
                msg=msg, env=env, route=headers.get(codec.H_ROUTE),
                attempt=codec.header_int(headers, codec.H_ATTEMPT),
                first_failure=datetime.fromisoformat(first) if first else None,
                scheduled_id=int(sched) if sched is not None else None,
                key=codec.idempotency_key(headers, env)))
        return items, poison

    def _decide(self, item: _Item, seen: set[str], held: set[str], paused: bool) -> None:
        if item.env.message_id in seen:
            item.outcome = Outcome.DUPLICATE
        elif paused:  # parked until an operator resumes; same-case messages queue behind
            item.outcome, item.parked = Outcome.HELD, True
        elif item.env.case_id in held and item.scheduled_id is None:
            item.outcome = Outcome.HELD
        else:
            self._attempt(item)
            if item.outcome == Outcome.DELIVERED:
                seen.add(item.env.message_id)
            elif item.outcome == Outcome.LATER:
                held.add(item.env.case_id)  # later messages of this case in the batch wait too

    def _attempt(self, item: _Item) -> None:
        """The calls to the target for ``item``: one span (a child of the hub hop that routed
        it; its traceparent goes to the target in the headers), route and type on every log
        line, each failed call an exception event on the span."""
        env = item.env
        with telemetry.span(f"deliver {self.name}", env.traceparent, kind=SpanKind.CLIENT,
                            attributes={"messaging.message.id": env.message_id,
                                        "gridhub.case_id": env.case_id,
                                        "gridhub.message_type": env.type,
                                        "gridhub.route": item.route,
                                        "gridhub.connector": self.name}) as span, \
                structlog.contextvars.bound_contextvars(route=item.route, message_type=env.type):
            try:
                self._calls(item, span)
            finally:
                span.set_attribute("gridhub.outcome", item.outcome or "error")
                span.set_attribute("gridhub.attempt", item.attempt)

    def _calls(self, item: _Item, span: Span) -> None:
        policy = self._policies.get(item.route or "", DEFAULT_POLICY)
        while True:
            item.attempt += 1
            started = time.monotonic()
            try:
                with delivering(item.env, item.key):
                    item.replies = list(self._connector.deliver(item.env) or [])
                item.outcome = Outcome.DELIVERED
                self._observe(item, time.monotonic() - started)
                return
            except Exception as exc:  # classify everything: nothing may escape unrecorded
                item.error = exc
                telemetry.failed(span, exc)
                self._observe(item, None)
                if not is_transient(exc):
                    item.outcome = Outcome.DEAD
                    return
                at = now()
                item.first_failure = item.first_failure or at
                decision = decide(policy, item.attempt, item.first_failure, at)
                if decision.action == RetryAction.LATER:
                    item.outcome, item.due = Outcome.LATER, decision.due
                    return
                if decision.action == RetryAction.DEAD:
                    item.outcome = Outcome.DEAD
                    return
                if self._metrics is not None:
                    self._metrics.retried(item.route or "", self.name)
                log.info("delivery.retry_now", connector=self.name,
                         message_id=item.env.message_id, attempt=item.attempt, error=str(exc))

    def _observe(self, item: _Item, seconds: float | None) -> None:
        """One delivery call: its time when it succeeded, its kind when it failed."""
        if self._metrics is None:
            return
        route = item.route or ""
        if seconds is not None:
            self._metrics.delivered(route, self.name, seconds)
        else:
            kind = "transient" if is_transient(item.error or Exception()) else "permanent"
            self._metrics.failed(route, self.name, kind)

    def _write(self, tx: Tx, items: list[_Item],
               poison: list[tuple[Message, Exception]]) -> list[str]:
        """Record the batch's outcomes; the fingerprints of the poison bodies' dead letters."""
        at = now()
        release: list[str] = []
        delivered = [i.env.message_id for i in items if i.outcome == Outcome.DELIVERED]
        dead = [i.env.message_id for i in items if i.outcome == Outcome.DEAD]
        for item in items:
            self._record(tx, item, at)
            if item.scheduled_id is not None and item.outcome in _RESOLVED:
                tx.delete_scheduled([item.scheduled_id])
                release.append(item.env.case_id)
        if delivered or dead:
            # A dead letter is an outcome too: redelivered after a crash between this commit
            # and the ack, the message must not reach the target again nor be dead-lettered
            # twice. A replay forgets the key (hub.ops.replay).
            tx.mark_seen(self._consumer, delivered + dead, at)
        if delivered:
            tx.mark_delivered(self.name, delivered, at)
        self._deadlines(tx, items, at)
        groups = []
        for msg, exc in poison:
            row = dead_letter(exc, body=_raw(msg), headers=msg.headers, envelope=None,
                              connector=self.name, route=None, attempts=1)
            tx.add_dead_letters([row])
            groups.append(row.fingerprint)
        for case_id in release:  # after all inserts, so a message held in this batch is found
            tx.release_next(self.name, case_id, at)
        return groups

    def _deadlines(self, tx: Tx, items: list[_Item], at: datetime) -> None:
        """Judge deadlines by this target's acceptance (hub.deadlines)."""
        settled = deadlines.settle(tx, self.name, [
            deadlines.Attempt(i.env, i.outcome, i.route, i.due) for i in items], at)
        if settled.trace:
            tx.add_trace(settled.trace)
        self._late, self._at_risk = settled.late, settled.at_risk

    def _record(self, tx: Tx, item: _Item, at: datetime) -> None:
        env, out = item.env, item.outcome
        if out == Outcome.DELIVERED:
            tx.add_trace([hop(env, "delivered", target=self.name, route=item.route,
                              attempt=item.attempt, at=at, detail=item.key_note or None)])
        elif out == Outcome.DUPLICATE:
            tx.add_trace([hop(env, "duplicate", target=self.name, route=item.route,
                              outcome="skipped", detail="already delivered", at=at)])
        elif out == Outcome.HELD:
            if item.scheduled_id is not None:  # a due retry met a pause: park it as it is
                tx.reschedule(item.scheduled_id, None)
            else:
                tx.schedule([self._row(item, due=None)])
            tx.add_trace([hop(env, "held", target=self.name, route=item.route, outcome="skipped",
                              detail=self._held_reason(item), at=at)])
        elif out == Outcome.LATER:
            if item.scheduled_id is not None:
                tx.reschedule(item.scheduled_id, item.due, attempt=item.attempt,
                              last_error=str(item.error)[:500])
            else:
                tx.schedule([self._row(item, due=item.due)])
            tx.add_trace([hop(env, "retry-scheduled", target=self.name, route=item.route,
                              outcome="error", attempt=item.attempt, at=at,
                              detail=_with(f"{type(item.error).__name__}: {item.error}; next "
                                           f"at {item.due.isoformat() if item.due else '?'}",
                                           item.key_note))])
        elif out == Outcome.DEAD:
            assert item.error is not None
            row = dead_letter(
                item.error, body=_raw(item.msg), headers=item.msg.headers, envelope=env,
                connector=self.name, route=item.route, attempts=item.attempt,
                first_failure=item.first_failure, at=at)
            item.group = row.fingerprint
            if not tx.reopen_dead_letter(row):  # a replay that failed again reopens its dead letter
                tx.add_dead_letters([row])
            tx.add_trace([hop(env, "dead-lettered", target=self.name, route=item.route,
                              outcome="error", attempt=item.attempt, at=at,
                              detail=_with(f"{type(item.error).__name__}: {item.error}",
                                           item.key_note))])
            log.warning("delivery.dead_letter", connector=self.name, message_id=env.message_id,
                        case_id=env.case_id, error=str(item.error))

    @staticmethod
    def _held_reason(item: _Item) -> str:
        if item.parked:
            return "connector paused"
        return "waiting behind an earlier message of this case"

    def _row(self, item: _Item, due: datetime | None) -> ScheduledRow:
        return ScheduledRow(
            destination=self.name, case_id=item.env.case_id, message_id=item.env.message_id,
            route=item.route, body=_raw(item.msg), headers=dict(item.msg.headers or {}),
            attempt=item.attempt if item.outcome == Outcome.LATER else 0,
            first_failure_at=item.first_failure if item.outcome == Outcome.LATER else None,
            last_error=str(item.error)[:500] if item.error else None, due_at=due)


def _with(detail: str, note: str) -> str:
    return f"{detail}; {note}" if note else detail


# Outcomes that end a scheduled row: it is deleted and the next held message of its case released.
_RESOLVED = (Outcome.DELIVERED, Outcome.DEAD, Outcome.DUPLICATE)


def _is_mark(env: Envelope) -> bool:
    # A mark that cannot be delivered must not mark again: that would never end.
    return env.type == M.CASE_SIDETRACK_UPDATED and env.source == MARK_SOURCE


def _raw(msg: Message) -> bytes:
    body = msg.body
    return body if isinstance(body, bytes) else str(body).encode()
