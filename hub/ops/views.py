"""The text ``gridhub dlq``, ``trace`` and ``status`` print: aligned, short, masked."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hub.ops.audit import AuditEntry
from hub.ops.casetrace import CaseSummary, CaseTrace
from hub.ops.plan import PlanItem
from hub.ops.render import age, clip, masked, masked_text, number, printable, table, when
from hub.ops.replay import Outcome
from hub.ops.status import HubStatus, QueueStatus
from hub.store import DeadLetterGroup, DeadLetterRow, TraceRow

ERROR_WIDTH = 60
DETAIL_WIDTH = 70


def dead_letter_table(rows: Sequence[DeadLetterRow], *, with_status: bool) -> str:
    headers = ["ID", "LAST FAILURE", "CONNECTOR", "TYPE", "CASE", "TRIES", "REPLAYS",
               *(["STATUS"] if with_status else []), "ERROR"]
    return table(headers, [
        [r.id, when(r.last_failure_at), r.connector, r.message_type, r.case_id, r.attempts,
         r.replay_count, *([r.status] if with_status else []),
         clip(masked_text(f"{r.exception_type}: {r.exception_message}"), ERROR_WIDTH)]
        for r in rows])


def group_table(groups: Sequence[DeadLetterGroup]) -> str:
    return table(["GROUP", "COUNT", "CONNECTOR", "TYPE", "EXCEPTION", "FIRST", "LAST",
                  "LATEST ERROR"], [
        [g.fingerprint, g.count, g.connector, g.message_type, g.exception_type,
         when(g.first_failure), when(g.last_failure), clip(masked_text(g.sample_error), 48)]
        for g in groups])


def body_text(body: bytes, reveal: bool) -> str:
    """The message body, pretty; personal data masked unless ``reveal``."""
    try:
        doc: Any = json.loads(body)
    except ValueError:
        text = body.decode("utf-8", "replace")[:4000]
        return text if reveal else str(masked_text(text))
    return json.dumps(doc if reveal else masked(doc), indent=2, ensure_ascii=False)


def dead_letter_detail(dl: DeadLetterRow, hops: Sequence[TraceRow],
                       audit: Sequence[AuditEntry], reveal: bool) -> str:
    where = f" at {dl.where}" if dl.where else ""
    lines = [
        f"dead letter {dl.id}: {dl.status}, replayed {dl.replay_count} time(s)",
        *_fields([
            ("message", f"{dl.message_id or '-'}  {dl.message_type or '-'}"),
            ("case", dl.case_id or "-"),
            ("route", f"{dl.route or '-'} -> {dl.connector}"),
            ("attempts", f"{dl.attempts}, first failed {when(dl.first_failure_at)}, "
                         f"last {when(dl.last_failure_at)}"),
            ("error", f"{dl.exception_type}{where}: {masked_text(dl.exception_message)}"),
            ("remote", _remote(dl.remote_fault, reveal)),
            ("group", dl.fingerprint),
            ("keys", _keys(dl.keys)),
        ]),
        "", "headers",
        *(f"  {k}: {v}" for k, v in sorted((dl.headers or {}).items())),
    ]
    if hops:
        lines += ["", "attempts and hops of this message", timeline(hops, indent="  ")]
    lines += ["", "message" + ("" if reveal else
                               " (personal data masked; --reveal --reason WHY shows it)")]
    lines += ["  " + printable(line) for line in body_text(dl.body, reveal).splitlines()]
    if audit:
        lines += ["", "audit", table(["TIME", "WHO", "ACTION", "REASON"], [
            [when(a.at), a.actor, a.action, clip(a.reason, 50)] for a in audit], indent="  ")]
    return "\n".join(lines)


def _fields(pairs: Sequence[tuple[str, str]]) -> list[str]:
    width = max(len(k) for k, _ in pairs)
    return [f"  {k.ljust(width)}  {printable(v)}" for k, v in pairs]


def _remote(fault: dict[str, Any] | None, reveal: bool) -> str:
    if not fault:
        return "-"
    shown = fault if reveal else masked(fault)
    return clip(", ".join(f"{k}={v}" for k, v in shown.items()), 200)


def _keys(keys: dict[str, list[str]]) -> str:
    return ", ".join(f"{kind} {' '.join(values)}" for kind, values in sorted(keys.items())) or "-"


def timeline(hops: Sequence[TraceRow], *, indent: str = "", with_case: bool = False) -> str:
    headers = ["TIME", *(["CASE"] if with_case else []), "HOP", "FROM -> TO", "OUTCOME",
               "TRY", "TYPE", "DETAIL"]
    return table(headers, [
        [when(h.at), *([h.case_id] if with_case else []), h.hop,
         f"{h.source} -> {h.target or 'hub'}", h.outcome, h.attempt, h.type,
         clip(masked_text(h.detail), DETAIL_WIDTH)] for h in hops], indent=indent)


def case_trace_text(trace: CaseTrace) -> str:
    cases = len(trace.cases)
    lines = [f"trace of {trace.key}: {cases} case(s), {len(trace.hops)} hop(s)", ""]
    if trace.hops:
        lines += [timeline(trace.hops, with_case=cases > 1), ""]
    for case in trace.cases:
        lines += _case_lines(case)
    return "\n".join(lines).rstrip()


def _case_lines(case: CaseSummary) -> list[str]:
    if case.status is None:
        head = f"case {case.case_id}: not projected (the hub never accepted a message of it)"
    else:
        head = (f"case {case.case_id}: {case.status} (flow {case.flow}), "
                f"updated {when(case.updated_at)}")
    tracks = ", ".join(f"{k} {v}" for k, v in sorted(case.side_tracks.items())) or "none"
    lines = [head, f"  side tracks  {tracks}"]
    if case.flags:
        lines.append(f"  flags        {', '.join(case.flags)}")
    if case.keys:
        lines.append(f"  keys         {_keys(case.keys)}")
    for w in case.waiting:
        state = ("held: connector paused" if w.paused and w.due_at is None else
                 "held behind an earlier message" if w.due_at is None else
                 f"retry at {when(w.due_at)} after {w.attempt} tries")
        error = f" (last error: {clip(masked_text(w.last_error), 60)})" if w.last_error else ""
        lines.append(f"  waiting      for {w.destination}: {state}{error}")
    for dl in case.open_dead_letters:
        lines.append(f"  dead letter  {dl.id} at {dl.connector}: {dl.exception_type}: "
                     f"{clip(masked_text(dl.exception_message), 60)}  "
                     f"(gridhub dlq show {dl.id})")
    return [*(printable(line) for line in lines), ""]  # each one line; data may hold controls


def plan_summary(outcome: Outcome, verb: str) -> str:
    """One line per kind of decision, e.g. ``12 to send to gridhub.out -> kis``."""
    counts: dict[tuple[str, str], int] = {}
    for item in outcome.items:
        key = (item.action, item.destination if item.action == "replay" else item.why)
        counts[key] = counts.get(key, 0) + 1
    lines = []
    for (action, what), n in sorted(counts.items()):
        if action == "replay":
            lines.append(f"  {n} to {verb} via {what}")
        elif action == "discard":
            lines.append(f"  {n} to discard")
        elif action == "resolved":
            lines.append(f"  {n} already delivered: mark replayed, send nothing")
        else:
            lines.append(f"  {n} skipped: {what}")
    return "\n".join(lines)


def plan_table(items: Sequence[PlanItem]) -> str:
    return table(["ID", "CONNECTOR", "TYPE", "CASE", "ACTION", "WHY"], [
        [i.dead_letter_id, i.connector, i.message_type, i.case_id, i.action, clip(i.why, 70)]
        for i in items])


def status_text(s: HubStatus) -> str:
    lines = [f"gridhub status at {when(s.at)}  broker {s.broker}  namespace {s.namespace}",
             f"management API: {s.management}", "", "queues", table(
                 ["QUEUE", "DEPTH", "CONSUMERS", "IN/S", "OUT/S", "OLDEST", "REPLICAS"],
                 [[q.name, number(q.depth), number(q.consumers), number(q.rate_in),
                   number(q.rate_out), _oldest(q.oldest_age_s, q.oldest_from, q.problem),
                   replicas(q)] for q in s.queues], indent="  ")]
    if s.waiting:
        lines += ["", "waiting in the scheduler", table(
            ["DESTINATION", "RETRIES", "HELD", "OVERDUE", "NEXT DUE"],
            [[w.destination, w.retries, w.held, w.overdue, when(w.next_due)]
             for w in s.waiting], indent="  ")]
    total = sum(g.count for g in s.groups)
    lines += ["", f"dead letters: {total} open in {len(s.groups)} group(s)"]
    if s.groups:
        lines.append(table(["GROUP", "COUNT", "CONNECTOR", "TYPE", "EXCEPTION", "LAST"], [
            [g.fingerprint, g.count, g.connector, g.message_type, g.exception_type,
             when(g.last_failure)] for g in s.groups], indent="  "))
    lines += ["", "connectors", table(["CONNECTOR", "TARGET", "PAUSED"], [
        [c.name, _reach(c.reachable, c.problem),
         f"since {when(c.paused.paused_at)} by {c.paused.paused_by}: {clip(c.paused.reason, 40)}"
         if c.paused else "no"] for c in s.connectors], indent="  ")]
    if s.problems:
        lines += ["", "problems", *(f"  {p}" for p in s.problems)]
    return "\n".join(lines)


def replicas(q: QueueStatus) -> str:
    """``3/3``; ``1/3 UNDER`` when fewer than wanted or some are on a node that is down."""
    if q.members is None:
        return "-"
    shown = f"{q.members_online}/{q.members_wanted}" if q.members_online == q.members else \
        f"{q.members_online} up of {q.members}/{q.members_wanted}"
    return f"{shown} UNDER" if q.under_replicated else shown


def _oldest(seconds: float | None, source: str | None, problem: str | None) -> str:
    if problem:
        return f"n/a: {problem}"
    if seconds is None:
        return "-"
    return ("≈" if source == "trace" else "") + age(seconds)


def _reach(reachable: bool | None, problem: str | None) -> str:
    if problem:
        return f"unknown: {problem}"
    return "reachable" if reachable else "DOWN"
