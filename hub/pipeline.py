"""The hub stage: idempotency, case projection, routing and the outbox, one batch per transaction.

For each batch of inbound deliveries:
1. decode every body (a poison body becomes a dead letter, never a crash or a block);
2. in ONE store transaction: skip ids already applied (their stored outputs are re-published,
   which is what makes a redelivery after a crash safe), apply the rest to the case projection
   (the status machine refuses impossible transitions: dead letter), route them, keep aggregator
   parts, write outputs to the outbox, the trace, the idempotency keys and the dead letters;
3. publish every output with pipelined confirms; the consumer acks the batch only after the
   broker confirmed them: ``handle`` returns that wait (a ``Settle``), and the consumer calls
   it after handling the next batch, before it acks this one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

import structlog
from kombu.message import Message

from hub import codec, telemetry
from hub.consumer import Settle
from hub.errors import InvalidMessage, PermanentError
from hub.metrics import Metrics
from hub.publisher import Outgoing, Publisher
from hub.router import AggregatePart, Delivery, Due, Emitted, Router
from hub.store import CaseRow, DeadLetterRow, OutboxRow, Store, TraceRow, Tx
from hub.store.deadlines import WatchRow
from hub.store.deadlines import watch as watch_deadlines
from hub.topology import Topology
from hub.tracing import dead_letter, hop, now, safe_keys
from schemas.business_keys import payload_keys
from schemas.envelope import Envelope
from schemas.payloads import CASELESS, parse_payload
from schemas.projection import CaseState, project, state_json

CONSUMER = "hub"
POISON = "(undecodable)"  # the type label of a body that is not an envelope
MAX_EMIT_DEPTH = 16  # a chain of emits longer than this is a loop in routes.yaml
log = structlog.get_logger("gridhub.hub")


@dataclass
class _Work:
    """What one batch produces inside its transaction."""

    cases: dict[str, CaseState | None] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    outbox: list[OutboxRow] = field(default_factory=list)
    trace: list[TraceRow] = field(default_factory=list)
    dead: list[DeadLetterRow] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    watch: list[WatchRow] = field(default_factory=list)


class HubStage:
    """Handles batches from the hub queue. One instance per consumer thread."""

    def __init__(self, store: Store, router: Router, topology: Topology,
                 publisher: Publisher, metrics: Metrics | None = None) -> None:
        self._store = store
        self._router = router
        self._topology = topology
        self._publisher = publisher
        self._metrics = metrics

    def handle(self, batch: list[Message]) -> Settle | None:
        """Apply ``batch`` and publish its outputs. Returns the wait for their confirms (None:
        nothing to wait for): the caller calls it before it acks the batch."""
        decoded: list[tuple[Message, Envelope]] = []
        work = _Work()
        for msg in batch:
            try:
                decoded.append((msg, codec.decode(msg.body)))
            except PermanentError as exc:
                log.warning("hub.poison", error=str(exc))
                work.dead.append(dead_letter(exc, body=_raw(msg), headers=msg.headers,
                                             envelope=None, connector=CONSUMER, route=None,
                                             attempts=1))
        with self._store.transaction() as tx:
            outgoing = self._apply(tx, decoded, work)
        upto = self._publisher.publish_unconfirmed(outgoing) if outgoing else None
        if self._metrics is not None:  # after the commit: a rolled-back batch is not counted
            _count(self._metrics, batch, decoded, work)
        return None if upto is None else partial(self._publisher.settle, upto)

    def _apply(self, tx: Tx, items: list[tuple[Message, Envelope]], work: _Work) -> list[Outgoing]:
        ids = [env.message_id for _, env in items]
        seen = tx.seen(CONSUMER, ids)
        republish = tx.outbox_for(sorted(seen)) if seen else []
        fresh: list[tuple[Message, Envelope]] = []
        for msg, env in items:
            if env.message_id in seen:
                work.trace.append(hop(env, "duplicate", outcome="skipped",
                                      detail="already applied; outputs re-published"))
            else:
                seen.add(env.message_id)  # the same id twice in one batch is a duplicate too
                fresh.append((msg, env))
        work.cases.update(_states(tx.load_cases(sorted({e.case_id for _, e in fresh}))))
        for msg, env in fresh:
            self._one(tx, msg, env, work)
        self._write(tx, work)
        return [self._outgoing(row) for row in (*republish, *work.outbox)]

    def _one(self, tx: Tx, msg: Message | None, env: Envelope, work: _Work,
             depth: int = 0) -> None:
        """One message, in its own span (a child of the hop that sent it) and with its type
        on every log line; what it causes carries this span's traceparent."""
        with telemetry.span(f"hub {env.type}", env.traceparent, attributes={
                "messaging.message.id": env.message_id, "gridhub.case_id": env.case_id,
                "gridhub.message_type": env.type, "gridhub.source": env.source}), \
                structlog.contextvars.bound_contextvars(message_type=env.type, route=None):
            self._route_one(tx, msg, env, work, depth)

    def _route_one(self, tx: Tx, msg: Message | None, env: Envelope, work: _Work,
                   depth: int) -> None:
        work.applied.append(env.message_id)
        received = now()
        keys: dict[str, list[str]] | None = None  # from the one validation of the payload
        try:
            if depth > MAX_EMIT_DEPTH:
                raise InvalidMessage(f"more than {MAX_EMIT_DEPTH} emits in a chain: routes.yaml "
                                     "has a loop of emit routes", where=f"emit of {env.type}")
            if env.type in CASELESS:
                # not projected onto a case, but still held to its contract
                keys = payload_keys(parse_payload(env))
            else:
                projected = project(work.cases.get(env.case_id), env)
                keys = projected.payload_keys
                work.cases[env.case_id] = projected.state
                work.changed.add(env.case_id)
            case = case_view(work.cases.get(env.case_id)) \
                if self._router.uses_case(env.type) else None
            actions = self._router.route(env, case)
        except PermanentError as exc:
            log.warning("hub.rejected", message_id=env.message_id, case_id=env.case_id,
                        error=str(exc))
            if keys is None:  # refused before or by validation: what can be read of it
                keys = safe_keys(env)
            work.trace.append(hop(env, "received", target=CONSUMER, keys=keys, at=received))
            body = _raw(msg) if msg is not None else codec.encode(env)
            work.dead.append(dead_letter(exc, body=body, headers=msg.headers if msg else {},
                                         envelope=env, connector=CONSUMER, route=None, attempts=1,
                                         keys=keys))
            work.trace.append(hop(env, "dead-lettered", outcome="error", detail=str(exc),
                                  keys=keys))
            return
        work.trace.append(hop(env, "received", target=CONSUMER, keys=keys, at=received))
        if not actions:
            work.trace.append(hop(env, "unrouted", outcome="skipped", detail="no route matched",
                                  keys=keys))
        dues = {a.route: a for a in actions if isinstance(a, Due)}
        for action in actions:
            if isinstance(action, Delivery):
                self._deliver(env, action, work, keys)
                due = dues.get(action.route)
                if due is not None:  # judged when the target accepts it (hub.deadlines)
                    work.watch.append(WatchRow(
                        message_id=action.message.message_id, route=action.route,
                        destination=action.destination, case_id=action.message.case_id,
                        day=due.day.isoformat(), due_at=due.due, received_at=received))
            elif isinstance(action, AggregatePart):
                self._aggregate(tx, action, work, depth)
            elif isinstance(action, Emitted):
                self._one(tx, None, _traced(action.message), work, depth + 1)

    def _deliver(self, env: Envelope, action: Delivery, work: _Work,
                 keys: dict[str, list[str]]) -> None:
        work.outbox.append(OutboxRow(
            input_id=env.message_id, message_id=action.message.message_id,
            destination=action.destination, body=codec.encode(_traced(action.message)),
            headers={codec.H_ROUTE: action.route}))
        # A split message carries one element of the payload: its keys are its own.
        same = action.message.payload is env.payload or action.message.payload == env.payload
        work.trace.append(hop(action.message, "routed", target=action.destination,
                              route=action.route, keys=keys if same else None))

    def _aggregate(self, tx: Tx, part: AggregatePart, work: _Work, depth: int) -> None:
        expires = now() + timedelta(seconds=part.timeout_s)
        parts = tx.aggregate_add(part.key, part.route, part.part_type,
                                 part.message.model_dump(mode="json"), expires)
        work.trace.append(hop(part.message, "aggregated", route=part.route,
                              detail=f"{len(parts)}/{len(part.expected)} parts"))
        if part.expected <= set(parts):
            emitted = self._router.complete(part, part.key, tx.aggregate_take(part.key),
                                            timed_out=False)
            self._one(tx, None, _traced(emitted), work, depth + 1)

    def _write(self, tx: Tx, work: _Work) -> None:
        rows = []
        for case_id in sorted(work.changed):
            state = work.cases[case_id]
            if state is not None:
                rows.append(_case_row(state))
        if rows:
            tx.save_cases(rows)
        if work.outbox:
            tx.add_outbox(work.outbox)
        if work.watch:
            watch_deadlines(tx.conn, work.watch)
        if work.applied:
            tx.mark_seen(CONSUMER, work.applied, now())
        if work.trace:
            tx.add_trace(work.trace)
        fresh_dead = [row for row in work.dead if not tx.reopen_dead_letter(row)]
        if fresh_dead:
            tx.add_dead_letters(fresh_dead)

    def _outgoing(self, row: OutboxRow) -> Outgoing:
        return Outgoing(self._topology.outbound, row.destination, row.body, row.headers)


def _traced(message: Envelope) -> Envelope:
    """``message`` as a child of the current hub span (its traceparent replaced)."""
    traceparent = telemetry.current_traceparent()
    if traceparent is None or traceparent == message.traceparent:
        return message
    return message.model_copy(update={"traceparent": traceparent})


def _count(metrics: Metrics, batch: list[Message], decoded: list[tuple[Message, Envelope]],
           work: _Work) -> None:
    # Counted per label set, not per message: a labelled counter costs microseconds a call.
    for type_, n in Counter(str(env.type) for _, env in decoded).items():
        metrics.received(type_, n)
    if len(batch) > len(decoded):
        metrics.received(POISON, len(batch) - len(decoded))
    routed = Counter((row.headers.get(codec.H_ROUTE, ""), row.destination) for row in work.outbox)
    for (route, destination), n in routed.items():
        metrics.routed(route, destination, n)
    for dead in work.dead:
        metrics.dead_lettered(dead.route, dead.connector, dead.fingerprint)


def _states(rows: dict[str, CaseRow]) -> dict[str, CaseState | None]:
    return {case_id: CaseState.model_validate(row.state) for case_id, row in rows.items()}


def case_view(state: CaseState | None) -> dict[str, Any] | None:
    """The case as routes.yaml's ``case.`` paths see it: the latest case JSON with status,
    flow, flags, side tracks and business keys current."""
    if state is None:
        return None
    view: dict[str, Any] = dict(state.case) if state.case else {}
    view.update(case_id=state.case_id, status=str(state.status), flow=str(state.flow),
                flags=[str(f) for f in state.flags],
                side_tracks=state.side_tracks.model_dump(mode="json"), keys=state.keys,
                progress=list(state.progress.values()))
    return view


def _case_row(state: CaseState) -> CaseRow:
    return CaseRow(
        case_id=state.case_id, status=str(state.status), flow=str(state.flow),
        state=state_json(state), keys=state.keys,
        last_message_id=state.last_message_id, updated_at=now(), version=0)


def _raw(msg: Message | None) -> bytes:
    if msg is None:
        return b""
    body: Any = msg.body
    return body if isinstance(body, bytes) else str(body).encode()
