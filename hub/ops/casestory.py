"""A case as a handler asks about it: where it stands, what it went through (status history and
side tracks, from the trace), what it waits for and since when; in the case's language.

Built from what the hub keeps anyway: the trace's received hops give when each status and side
track changed (a side-track update's new state comes from the body the hub stored for it in
its outbox); the scheduler, the pauses, the handler queue and open aggregations say what the
case waits for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from hub.ops.casetrace import CaseSummary
from hub.ops.db import reading
from hub.ops.handling import waiting as handler_queue
from hub.ops.pause import pauses
from hub.ops.storytext import Lang, say, who
from hub.store import Store, TraceRow
from hub.store.tables import aggregation as agg_t
from hub.store.tables import aggregation_part as part_t
from hub.store.tables import outbox as outbox_t
from hub.store.tables import scheduled as sched_t
from schemas.codes import SIDE_TRACK_STATES, CaseStatus, SideTrack
from schemas.payloads import STATUS_EFFECT
from schemas.status import FINAL

# Side-track changes a message type makes by itself (schemas.projection's effects).
FIXED_TRACKS: dict[str, tuple[SideTrack, str]] = {
    "customer.registered": (SideTrack.customer_service, "registered_in_kis"),
    "workorder.created": (SideTrack.work_order, "created"),
    "workorder.reported": (SideTrack.work_order, "reported"),
    "workorder.cancelled": (SideTrack.work_order, "cancelled"),
    "workorder.deviation": (SideTrack.work_order, "done_with_deviation"),
}
TRACK_BODIES = frozenset({"case.sidetrack.updated", "billing.updated"})


class EventKind(StrEnum):
    STATUS = "status"
    SIDE_TRACK = "side_track"
    PROBLEM = "problem"


class WaitKind(StrEnum):
    NOTHING = "nothing"  # final
    PERSON = "person"  # the handler queue
    ANSWER = "answer"  # a system's answer
    RETRY = "retry"
    PAUSED = "paused"  # a paused connector
    HELD = "held"  # behind an earlier message of the case
    INSTALLER = "installer"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: EventKind
    text: str
    by: str


@dataclass(frozen=True)
class Wait:
    kind: WaitKind
    text: str
    since: datetime | None


@dataclass(frozen=True)
class Story:
    case_id: str
    lang: Lang
    status: str | None  # the status label in ``lang``
    events: list[Event]
    waits: list[Wait]


def language(case: CaseSummary, state: dict[str, Any] | None) -> Lang:
    owner = ((state or {}).get("case") or {}).get("grid_owner") or {}
    country = owner.get("country") or case.case_id[:2]
    return "nb" if str(country).upper() == "NO" else "sv"


def case_story(store: Store, case: CaseSummary, hops: list[TraceRow]) -> Story:
    row = store.case(case.case_id)
    lang = language(case, row.state if row else None)
    mine = [h for h in hops if h.case_id == case.case_id]
    with reading(store) as conn:
        events = _events(conn, mine, lang)
        waits = _waits(conn, store, case, mine, events, lang)
    label = CaseStatus(case.status).label(lang) if case.status else None
    return Story(case.case_id, lang, label, events, waits)


def _events(conn: sa.Connection, hops: list[TraceRow], lang: Lang) -> list[Event]:
    refused = {h.message_id for h in hops if h.hop == "dead-lettered" and h.target in (None, "hub")}
    taken = [h for h in hops if h.hop == "received" and h.outcome == "ok"
             and h.message_id not in refused]
    # The hub keeps the bodies of what it sends on: a side-track update is found as itself
    # or as the copy routed on to a system (which names it as its cause).
    bodies = _bodies(conn, [h.message_id for h in hops if h.type in TRACK_BODIES])
    events: list[Event] = []
    status: str | None = None
    for h in taken:
        if h.type in STATUS_EFFECT and STATUS_EFFECT[h.type] != status:  # type: ignore[index]
            status = str(STATUS_EFFECT[h.type])  # type: ignore[index]
            events.append(Event(h.at, EventKind.STATUS, CaseStatus(status).label(lang),
                                who(h.source, lang)))
        track = FIXED_TRACKS.get(h.type) or _track_of(h.type, bodies.get(h.message_id))
        if track is not None:
            events.append(Event(h.at, EventKind.SIDE_TRACK, _track_text(*track, lang),
                                who(h.source, lang)))
    for h in hops:
        if h.hop == "dead-lettered" and h.target not in (None, "hub"):
            events.append(Event(h.at, EventKind.PROBLEM,
                                say("undelivered", lang, target=h.target), "gridhub"))
    return sorted(events, key=lambda e: e.at)


def _bodies(conn: sa.Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    stmt = sa.select(outbox_t.c.message_id, outbox_t.c.body).where(
        outbox_t.c.message_id.in_(ids))
    found: dict[str, dict[str, Any]] = {}
    for message_id, body in conn.execute(stmt):
        try:
            doc = json.loads(body)
            payload = doc.get("payload") or {}
        except (ValueError, AttributeError):  # not our JSON: the story goes without it
            continue
        found[message_id] = payload
        if doc.get("causation_id"):
            found.setdefault(str(doc["causation_id"]), payload)
    return found


def _track_of(type_: str, payload: dict[str, Any] | None) -> tuple[SideTrack, str] | None:
    if payload is None:
        return None
    if type_ == "billing.updated" and payload.get("state"):
        return SideTrack.billing, str(payload["state"])
    if payload.get("track") and payload.get("state"):
        try:
            return SideTrack(payload["track"]), str(payload["state"])
        except ValueError:
            return None
    return None


def _track_text(track: SideTrack, state: str, lang: Lang) -> str:
    try:
        state_label = SIDE_TRACK_STATES[track](state).label(lang)
    except ValueError:
        state_label = state
    return f"{track.label(lang)}: {state_label}"


def _waits(conn: sa.Connection, store: Store, case: CaseSummary, hops: list[TraceRow],
           events: list[Event], lang: Lang) -> list[Wait]:
    waits = _deliveries(conn, case.case_id, lang)
    status = CaseStatus(case.status) if case.status else None
    last_change = next((e.at for e in reversed(events) if e.kind == EventKind.STATUS), None)
    if status in FINAL:
        return waits or [Wait(WaitKind.NOTHING, say("final", lang, status=status.label(lang)),
                              last_change)]
    queued = next((w for w in handler_queue(store) if w.case_id == case.case_id), None)
    if queued is not None:
        key = "person_completion" if queued.status == "completion_submitted" else "person_pre"
        waits.append(Wait(WaitKind.PERSON, say(key, lang), queued.since))
    waits += _answers(conn, case.case_id, lang)
    if case.side_tracks.get("work_order") == "created":
        since = next((e.at for e in reversed(events) if e.kind == EventKind.SIDE_TRACK
                      and e.text.startswith(SideTrack.work_order.label(lang))), None)
        waits.append(Wait(WaitKind.ANSWER, say("workorder", lang), since))
    installer = {CaseStatus.approved: "installer_completion",
                 CaseStatus.pre_rejected: "installer_resubmit",
                 CaseStatus.completion_rejected: "installer_recomplete"}
    if status in installer:
        waits.append(Wait(WaitKind.INSTALLER, say(installer[status], lang), last_change))
    if not waits and status is not None:
        waits.append(Wait(WaitKind.UNKNOWN, say("unknown", lang, status=status.label(lang)),
                          last_change))
    return waits


def _deliveries(conn: sa.Connection, case_id: str, lang: Lang) -> list[Wait]:
    paused = pauses(conn)
    stmt = (sa.select(sched_t.c.destination, sched_t.c.due_at, sched_t.c.attempt,
                      sched_t.c.last_error, sched_t.c.first_failure_at)
            .where(sched_t.c.case_id == case_id).order_by(sched_t.c.id))
    waits: list[Wait] = []
    for dest, due_at, attempt, last_error, first_failure in conn.execute(stmt):
        if due_at is None and dest in paused:
            p = paused[dest]
            waits.append(Wait(WaitKind.PAUSED, say("paused", lang, target=dest, by=p.paused_by,
                                                   reason=p.reason), p.paused_at))
        elif due_at is None:
            waits.append(Wait(WaitKind.HELD, say("held", lang, target=dest), None))
        else:
            due = due_at.strftime("%Y-%m-%d %H:%M:%SZ")
            waits.append(Wait(WaitKind.RETRY, say("retry", lang, target=dest, due=due,
                                                  attempts=attempt,
                                                  error=(last_error or "-")[:120]),
                              first_failure))
    return waits


def _answers(conn: sa.Connection, case_id: str, lang: Lang) -> list[Wait]:
    """Open aggregations of the case (key ``<route>:<case_id>``): answers still to come."""
    stmt = sa.select(agg_t.c.key, agg_t.c.expires_at).where(agg_t.c.key.like(f"%:{case_id}"))
    waits = []
    for key, expires_at in conn.execute(stmt):
        parts = [m for (m,) in conn.execute(sa.select(part_t.c.message)
                                            .where(part_t.c.key == key))]
        got = sorted({who(str((m or {}).get("source", "?")), lang) for m in parts})
        waits.append(Wait(WaitKind.ANSWER, say(
            "answer", lang, got=", ".join(got) or say("nobody", lang),
            expires=expires_at.strftime("%Y-%m-%d %H:%M:%SZ")), None))
    return waits
