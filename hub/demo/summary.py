"""What a run did, from the hub's store alone: cases per status, messages per system in and
out, retries, dead letters grouped by cause, the slowest case with its timeline.

Counted from the store, not from the driver's own bookkeeping, so the summary shows what the
hub really recorded; ``lost`` lists the cases the installer sent that the store knows nothing
about (no projection, no trace, no dead letter).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from hub.demo.accounting import Drained, TargetAccount
from hub.demo.clock import SimClock
from hub.ops.casetrace import case_trace
from hub.ops.db import reading
from hub.ops.render import age, clip, masked_text, table
from hub.ops.views import case_trace_text
from hub.store import CaseRow, DeadLetterGroup, Store
from hub.store.tables import cases as cases_t
from hub.store.tables import dead_letter as dl_t
from hub.store.tables import trace as trace_t


def all_cases(store: Store) -> list[CaseRow]:
    """Every projected case (the demo's store holds only the demo's)."""
    with reading(store) as conn:
        return [CaseRow(**row) for row in conn.execute(sa.select(cases_t)).mappings()]


@dataclass(frozen=True)
class Slowest:
    case_id: str
    seconds: float
    timeline: str  # hub.ops rendering, personal data masked


@dataclass(frozen=True)
class Summary:
    sent: int  # cases the installers sent
    by_status: dict[str, int]
    lost: list[str]
    messages_in: dict[str, int]  # per source system: messages the hub received
    messages_out: dict[str, int]  # per target system: messages delivered
    retries: int  # retries scheduled after a transient failure
    dead_letters: list[DeadLetterGroup]
    slowest: Slowest | None
    late_values: int = 0
    elapsed: float = 0.0
    notes: list[str] = field(default_factory=list)
    deliveries: dict[str, TargetAccount] = field(default_factory=dict)  # per target
    drained: Drained | None = None
    # per country: cases, archived, master-data messages the datahub (Elhub) accepted,
    # metering points with values delivered and their point-days
    market: dict[str, dict[str, int]] = field(default_factory=dict)
    span: tuple[date, date] | None = None  # the simulated days played, first and last
    completion_days: list[float] = field(default_factory=list)  # approval -> completion

    @property
    def accounted(self) -> int:
        return self.sent - len(self.lost)

    @property
    def unexplained(self) -> int:
        """Messages still pending at a target with nobody able to say why."""
        return sum(len(a.unexplained) for a in self.deliveries.values())

    @property
    def pending(self) -> int:
        return sum(len(a.pending) for a in self.deliveries.values())

    @property
    def ok(self) -> bool:
        """Every case known to the hub, every message delivered, dead-lettered with a
        cause, or pending with a reason."""
        return not self.lost and self.unexplained == 0

    @property
    def dead_letter_count(self) -> int:
        return sum(g.count for g in self.dead_letters)


def summarize(store: Store, case_ids: Sequence[str], *, elapsed: float = 0.0,
              notes: Iterable[str] = (), deliveries: dict[str, TargetAccount] | None = None,
              drained: Drained | None = None, clock: SimClock | None = None,
              last_day: date | None = None) -> Summary:
    rows = {r.case_id: r for r in all_cases(store)}
    ours = [rows[c] for c in case_ids if c in rows]
    with reading(store) as conn:
        traced = _traced(conn, case_ids)
        dead = {c for (c,) in conn.execute(sa.select(dl_t.c.case_id).distinct())}
        received = _count(conn, "received", trace_t.c.source)
        delivered = _count(conn, "delivered", trace_t.c.target)
        retries = sum(_count(conn, "retry-scheduled", trace_t.c.target).values())
        late = sum(_count(conn, "late", trace_t.c.source).values())
        spans = _spans(conn, [r.case_id for r in ours])
        to_elhub = _delivered_per_case(conn, "meteringpoint.updated", "elhub")
        values = _values_per_country(conn)
        waits = _completion_days(conn, [r.case_id for r in ours], clock) if clock else []
    lost = [c for c in case_ids if c not in rows and c not in traced and c not in dead]
    return Summary(
        sent=len(case_ids), by_status=dict(Counter(r.status for r in ours).most_common()),
        lost=lost, messages_in=received, messages_out=delivered, retries=retries,
        dead_letters=store.dead_letter_groups("open"), slowest=_slowest(store, spans),
        late_values=late, elapsed=elapsed, notes=list(notes), deliveries=deliveries or {},
        drained=drained, market=_market(ours, to_elhub, values),
        span=(clock.first_day, last_day) if clock and last_day else None,
        completion_days=waits)


def _delivered_per_case(conn: sa.Connection, type_: str, target: str) -> Counter[str]:
    stmt = (sa.select(trace_t.c.case_id, sa.func.count())
            .where(trace_t.c.hop == "delivered", trace_t.c.type == type_,
                   trace_t.c.target == target).group_by(trace_t.c.case_id))
    return Counter({str(case_id): int(n) for case_id, n in conn.execute(stmt)})


VALUES_MARKET = {"elhub": "NO", "ediel": "SE"}
"""Where a country's metering values go: Norway's datahub, Sweden's suppliers over Ediel."""


def _values_per_country(conn: sa.Connection) -> dict[str, tuple[int, int]]:
    """Per country: (metering points, point-days) of values delivered to its market."""
    stmt = (sa.select(trace_t.c.target, sa.func.count(sa.distinct(trace_t.c.case_id)),
                      sa.func.count())
            .where(trace_t.c.hop == "delivered", trace_t.c.type == "meteringvalues.collected")
            .group_by(trace_t.c.target))
    return {VALUES_MARKET[str(t)]: (int(points), int(days)) for t, points, days
            in conn.execute(stmt) if str(t) in VALUES_MARKET}


def _completion_days(conn: sa.Connection, case_ids: Sequence[str],
                     clock: SimClock) -> list[float]:
    """Per case, simulated days from the hub receiving its approval to receiving the
    completion notice after it (cases without both are left out)."""
    stmt = (sa.select(trace_t.c.case_id, trace_t.c.type, trace_t.c.at)
            .where(trace_t.c.hop == "received",
                   trace_t.c.type.in_(["case.approved", "case.completion.submitted"]))
            .order_by(trace_t.c.at))
    wanted = set(case_ids)
    approved: dict[str, datetime] = {}
    out: dict[str, float] = {}
    for case_id, type_, at in conn.execute(stmt):
        if case_id not in wanted or case_id in out:
            continue
        if type_ == "case.approved":
            approved.setdefault(case_id, _dt(at))
        elif case_id in approved:
            out[case_id] = clock.days_between(approved[case_id], _dt(at))
    return sorted(out.values())


def _market(rows: Sequence[CaseRow], to_elhub: Counter[str],
            values: dict[str, tuple[int, int]]) -> dict[str, dict[str, int]]:
    """The market outcome per country: a Swedish case must never reach Elhub."""
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        country = str(((row.state.get("case") or {}).get("grid_owner") or {})
                      .get("country", "-"))
        tally = out.setdefault(country, {"cases": 0, "archived": 0, "to_elhub": 0})
        tally["cases"] += 1
        tally["archived"] += row.status == "archived"
        tally["to_elhub"] += to_elhub.get(row.case_id, 0)
    for country, tally in out.items():
        tally["points"], tally["point_days"] = values.get(country, (0, 0))
    return dict(sorted(out.items()))


def _traced(conn: sa.Connection, case_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    ids = list(case_ids)
    for start in range(0, len(ids), 500):
        stmt = sa.select(trace_t.c.case_id).where(
            trace_t.c.case_id.in_(ids[start:start + 500])).distinct()
        found.update(c for (c,) in conn.execute(stmt))
    return found


def _count(conn: sa.Connection, hop: str, column: sa.Column[str]) -> dict[str, int]:
    stmt = (sa.select(column, sa.func.count()).where(trace_t.c.hop == hop)
            .group_by(column).order_by(column))
    return {str(name or "-"): int(n) for name, n in conn.execute(stmt)}


def _spans(conn: sa.Connection, case_ids: Sequence[str]) -> dict[str, float]:
    """Seconds from each case's first hop to its last."""
    out: dict[str, float] = {}
    ids = list(case_ids)
    for start in range(0, len(ids), 500):
        stmt = (sa.select(trace_t.c.case_id, sa.func.min(trace_t.c.at), sa.func.max(trace_t.c.at))
                .where(trace_t.c.case_id.in_(ids[start:start + 500]))
                .group_by(trace_t.c.case_id))
        for case_id, first, last in conn.execute(stmt):
            out[case_id] = (_dt(last) - _dt(first)).total_seconds()
    return out


def _dt(value: datetime | str) -> datetime:
    # min()/max() over SQLite hand back text
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _slowest(store: Store, spans: dict[str, float]) -> Slowest | None:
    if not spans:
        return None
    case_id = max(spans, key=lambda c: (spans[c], c))
    return Slowest(case_id, spans[case_id], case_trace_text(case_trace(store, case_id)))


def render(s: Summary) -> str:
    """The summary as a person reads it at a glance."""
    verdict = _verdict(s)
    lines = [f"gridhub demo: {s.sent} cases{_span(s)} in {age(s.elapsed)}, {verdict}",
             *_timing(s), "",
             "cases per status", table(["STATUS", "CASES"],
                                       [[k, v] for k, v in s.by_status.items()], indent="  "),
             "", "messages per system",
             table(["SYSTEM", "IN (to the hub)", "OUT (delivered)"],
                   [[name, s.messages_in.get(name, 0), s.messages_out.get(name, 0)]
                    for name in sorted(set(s.messages_in) | set(s.messages_out))],
                   indent="  "),
             *_deliveries(s),
             "", "the market per country (Norway: the datahub, Elhub; Sweden: Ediel)",
             table(["COUNTRY", "CASES", "ARCHIVED", "MASTER DATA TO ELHUB",
                    "POINTS WITH VALUES", "VALUES DELIVERED (POINT-DAYS)"],
                   [[c, m["cases"], m["archived"], m["to_elhub"], m.get("points", 0),
                     m.get("point_days", 0)] for c, m in s.market.items()], indent="  "),
             "", f"retries scheduled: {s.retries}",
             f"late metering values: {s.late_values}",
             "", f"dead letters: {s.dead_letter_count} in {len(s.dead_letters)} group(s)"]
    if s.dead_letters:
        lines.append(table(["GROUP", "COUNT", "CONNECTOR", "TYPE", "CAUSE"], [
            [g.fingerprint, g.count, g.connector, g.message_type or "-",
             clip(masked_text(f"{g.exception_type}: {g.sample_error}"), 70)]
            for g in s.dead_letters], indent="  "))
    if s.slowest is not None:
        lines += ["", f"slowest case: {s.slowest.case_id}, {age(s.slowest.seconds)} "
                      "from first to last hop", s.slowest.timeline]
    if s.notes:
        lines += ["", "notes", *(f"  {n}" for n in s.notes)]
    return "\n".join(lines)


def _span(s: Summary) -> str:
    """", 6 weeks (42 days) of a grid owner's work, 2026-12-03 to 2027-01-13"."""
    if s.span is None:
        return ""
    first, last = s.span
    days = (last - first).days + 1
    weeks = round(days / 7)
    return (f", {weeks} week{'s' if weeks != 1 else ''} ({days} days) of a grid owner's work, "
            f"{first.isoformat()} to {last.isoformat()},")


def _timing(s: Summary) -> list[str]:
    if not s.completion_days:
        return []
    days = s.completion_days
    return [f"approval to completion: median {statistics.median(days):.0f} days, "
            f"{min(days):.0f} to {max(days):.0f} ({len(days)} cases)"]


def _verdict(s: Summary) -> str:
    if s.lost:
        return f"LOST {len(s.lost)} case(s): {', '.join(s.lost[:10])}"
    if s.unexplained:
        return (f"NOT ACCOUNTED FOR: {s.unexplained} message(s) still on their way to a target "
                "with no reason known")
    if s.pending:
        return f"every case accounted for ({s.pending} delivery(ies) pending, reasons below)"
    return "every case accounted for, every message delivered or dead-lettered"


PENDING_SHOWN = 20


def _deliveries(s: Summary) -> list[str]:
    """Per target what the hub routed to it and where each message ended."""
    if not s.deliveries:
        return []
    rows = [[a.target, a.routed, a.delivered, a.dead_lettered, len(a.pending)]
            for a in s.deliveries.values()]
    lines = ["", "deliveries per target",
             table(["TARGET", "ROUTED", "DELIVERED", "DEAD-LETTERED", "PENDING"], rows,
                   indent="  ")]
    if s.drained is not None:
        left = {q: n for q, n in s.drained.in_queues.items() if n}
        lines.append(f"  drained in {age(s.drained.seconds)}" if s.drained.complete else
                     f"  NOT drained after {age(s.drained.seconds)}; still in queues: "
                     + (", ".join(f"{q} {n}" for q, n in sorted(left.items())) or "none"))
    pending = [(a.target, p) for a in s.deliveries.values() for p in a.pending]
    if pending:
        lines += ["", "pending deliveries", table(
            ["TARGET", "CASE", "TYPE", "WHY IT WAITS"],
            [[t, p.case_id, p.type, clip(masked_text(p.reason or "NO REASON: still in a queue "
                                                      "or on its way"), 90)]
             for t, p in pending[:PENDING_SHOWN]], indent="  ")]
        if len(pending) > PENDING_SHOWN:
            lines.append(f"  and {len(pending) - PENDING_SHOWN} more")
    return lines
