"""What a replay would do with each dead letter, decided before anything is sent.

The same plan serves the dry run (shown, nothing changed) and the real run (executed item by
item), so a dry run says exactly what the real run will do with the dead letters as they are.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from hub import codec
from hub.errors import GridhubError, PermanentError, TransientError
from hub.intake import ROOT, WIRE
from hub.plugins import load as load_plugin
from hub.publisher import Outgoing
from hub.store import DeadLetterRow
from hub.store.statements import chunks
from hub.store.tables import delivered as delivered_t
from hub.store.tables import trace as trace_t
from hub.topology import HUB_KEY, Topology
from schemas.envelope import Envelope

HUB = "hub"  # the connector name of dead letters made by the hub stage itself


class PlanAction(StrEnum):
    """What an operation does with one dead letter."""

    REPLAY = "replay"  # send again
    RESOLVED = "resolved"  # its message already reached the target: marked replayed, not sent
    SKIP = "skip"  # left as it is (``PlanItem.why`` says why)
    DISCARD = "discard"


REPLAY, RESOLVED, SKIP, DISCARD = (PlanAction.REPLAY, PlanAction.RESOLVED, PlanAction.SKIP,
                                   PlanAction.DISCARD)
# Headers that describe the failed delivery: a replay starts afresh (attempts, retry row).
_RESET = (codec.H_ATTEMPT, codec.H_FIRST_FAILURE, codec.H_SCHEDULED_ID, codec.H_REPLAY_OF,
          codec.H_IDEMPOTENCY_KEY)


@dataclass(frozen=True)
class PlanItem:
    """One dead letter and what the operation does with it (``PlanAction``)."""

    dead_letter_id: int
    connector: str
    case_id: str | None
    message_type: str | None
    message_id: str | None
    action: PlanAction
    destination: str
    why: str

    def as_dict(self) -> dict[str, Any]:
        return {"dead_letter_id": self.dead_letter_id, "connector": self.connector,
                "case_id": self.case_id, "message_type": self.message_type,
                "message_id": self.message_id, "action": self.action,
                "destination": self.destination, "why": self.why}


def destination(dl: DeadLetterRow, topology: Topology) -> str:
    """Where a replay of ``dl`` goes: the hub's inbound exchange for the hub's own dead
    letters and for wire documents a connector could not translate, else the connector's
    delivery queue via the outbound exchange."""
    if dl.connector == HUB or is_wire(dl):
        return f"{topology.inbound.name} -> {HUB_KEY}"
    return f"{topology.outbound.name} -> {dl.connector}"


def replay_headers(dl: DeadLetterRow) -> dict[str, Any]:
    """The original headers with the attempt data reset, the route kept, the replay marked."""
    headers = {k: v for k, v in (dl.headers or {}).items() if k not in _RESET}
    if dl.route and codec.H_ROUTE not in headers:
        headers[codec.H_ROUTE] = dl.route
    headers[codec.H_REPLAY_OF] = dl.id
    key = _replay_key(dl)
    if key:
        headers[codec.H_IDEMPOTENCY_KEY] = key
    return headers


def _replay_key(dl: DeadLetterRow) -> str | None:
    """After a permanent failure (the target said no) a fresh key: a target that keeps its
    answers per key would give its old rejection again. After transient failures (time-outs,
    5xx until the policy gave up) the key last sent: the target may have acted on one of those
    deliveries, and then its kept answer is the right one. The hub stage's own dead letters go
    to no target and need none."""
    if not dl.message_id or dl.connector == HUB:
        return None
    if dl.exception_type in transient_error_names():
        last = (dl.headers or {}).get(codec.H_IDEMPOTENCY_KEY)
        return str(last) if last else None
    return codec.replay_key(dl.message_id, dl.replay_count + 1)


def transient_error_names() -> frozenset[str]:
    """Names of the transient errors (connectors may add their own, so asked each time)."""
    names, todo = set(), [TransientError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return frozenset(names)


def outgoing(dl: DeadLetterRow, topology: Topology) -> Outgoing:
    """The original body, re-published where ``destination`` says."""
    if dl.connector == HUB:
        return Outgoing(topology.inbound, HUB_KEY, dl.body, replay_headers(dl),
                        case_id=dl.case_id or "")
    return Outgoing(topology.outbound, dl.connector, dl.body, replay_headers(dl))


def outgoings(dl: DeadLetterRow, topology: Topology) -> list[Outgoing]:
    """What a replay publishes: a wire document translated again by its connector plugin
    (its canonical messages to the hub), else the original body (``outgoing``)."""
    if not is_wire(dl):
        return [outgoing(dl, topology)]
    headers = {codec.H_REPLAY_OF: dl.id}
    return [Outgoing(topology.inbound, HUB_KEY, codec.encode(m), dict(headers), case_id=m.case_id)
            for m in translate_wire(dl)]


def is_wire(dl: DeadLetterRow) -> bool:
    """A document pulled from a sender that its connector could not translate (hub.intake)."""
    return bool((dl.headers or {}).get(WIRE))


def translate_wire(dl: DeadLetterRow) -> list[Envelope]:
    """The canonical messages of a wire dead letter, by the mapping installed now."""
    return list(load_plugin(str(dl.headers[WIRE])).to_canonical(dl.body))


def plan_replay(conn: sa.Connection, rows: Sequence[DeadLetterRow], topology: Topology, *,
                again: bool = False, connectors: Collection[str] | None = None,
                paused: Collection[str] = ()) -> list[PlanItem]:
    """Decide for each of ``rows``. ``connectors``: the configured ones (None: don't check);
    ``paused``: connectors whose replays will wait until they are resumed."""
    done = _already_delivered(conn, rows) | _already_applied(conn, rows)
    items = []
    for dl in rows:
        action, why = _decide(dl, done, again, connectors, paused)
        items.append(_item(dl, action, destination(dl, topology), why))
    return items


def plan_discard(rows: Sequence[DeadLetterRow]) -> list[PlanItem]:
    """Discard takes open dead letters only; it never sends anything."""
    return [_item(dl, DISCARD, "-", "discard") if dl.status == "open"
            else _item(dl, SKIP, "-", f"already {dl.status}") for dl in rows]


def _item(dl: DeadLetterRow, action: PlanAction, where: str, why: str) -> PlanItem:
    assert dl.id is not None  # rows read from the store always have one
    return PlanItem(dl.id, dl.connector, dl.case_id, dl.message_type, dl.message_id, action,
                    where, why)


def _decide(dl: DeadLetterRow, done: set[int], again: bool,
            connectors: Collection[str] | None, paused: Collection[str]) -> tuple[PlanAction, str]:
    allowed = ("open", "replayed") if again else ("open",)
    if dl.status not in allowed:
        hint = "" if again or dl.status != "replayed" else " (--again to send it once more)"
        return SKIP, f"already {dl.status}{hint}"
    if is_wire(dl):
        return _decide_wire(dl)
    try:
        codec.decode(dl.body)
    except PermanentError as exc:
        return SKIP, f"body is not a canonical message ({exc}); it would fail again: discard it"
    if dl.connector != HUB and connectors is not None and dl.connector not in connectors:
        return SKIP, f"connector {dl.connector!r} is not in the routes file: nobody would take it"
    if dl.id in done:
        target = "the hub" if dl.connector == HUB else dl.connector
        return RESOLVED, f"already reached {target}: nothing sent, marked replayed"
    if dl.connector in paused:
        return REPLAY, f"send; {dl.connector} is paused: it waits there until resumed"
    return REPLAY, "send"


def _decide_wire(dl: DeadLetterRow) -> tuple[PlanAction, str]:
    root = (dl.headers or {}).get(ROOT) or "document"
    try:
        messages = translate_wire(dl)
    except Exception as exc:  # the mapping still refuses it (or the plugin is gone): say why
        text = exc.message if isinstance(exc, GridhubError) else f"{type(exc).__name__}: {exc}"
        return SKIP, (f"{root} still cannot be translated ({text[:300]}); fix the mapping, "
                      f"or discard it")
    if not messages:
        return SKIP, f"{root} translates into no message; discard it if that is right"
    return REPLAY, f"translate {root} again: {len(messages)} message(s) to the hub"


def _already_delivered(conn: sa.Connection, rows: Sequence[DeadLetterRow]) -> set[int]:
    """Delivery dead letters whose message reached its connector since (by another path, or
    by an earlier replay whose bookkeeping was interrupted)."""
    wanted = {(dl.connector, dl.message_id): dl.id for dl in rows
              if dl.connector != HUB and dl.message_id and dl.id is not None}
    found: set[int] = set()
    ids = sorted({m for _, m in wanted})
    for part in chunks(ids):
        stmt = sa.select(delivered_t.c.destination, delivered_t.c.message_id).where(
            delivered_t.c.message_id.in_(part))
        found |= {wanted[(d, m)] for d, m in conn.execute(stmt).all() if (d, m) in wanted}
    return found


def _already_applied(conn: sa.Connection, rows: Sequence[DeadLetterRow]) -> set[int]:
    """Hub dead letters whose message the hub has applied since. The hub records a
    "received" hop for every attempt and a "dead-lettered" hop (no target) for each refusal,
    in one transaction: more receipts than refusals means one attempt went through."""
    wanted = {dl.message_id: dl.id for dl in rows
              if dl.connector == HUB and dl.message_id and dl.id is not None}
    found: set[int] = set()
    for part in chunks(sorted(wanted)):
        received = sa.func.sum(sa.case(
            (sa.and_(trace_t.c.hop == "received", trace_t.c.target == HUB), 1), else_=0))
        refused = sa.func.sum(sa.case(
            (sa.and_(trace_t.c.hop == "dead-lettered", trace_t.c.target.is_(None)), 1), else_=0))
        stmt = (sa.select(trace_t.c.message_id).where(trace_t.c.message_id.in_(part))
                .group_by(trace_t.c.message_id).having(received > refused))
        found |= {wanted[m] for m in conn.scalars(stmt)}
    return found
