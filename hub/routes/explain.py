"""Why a message was (or was not) routed somewhere: every route, each predicate's verdict and
the value it saw. For ``gridhub routes explain`` and the ops web's case page.

The verdicts are computed from the same predicates the router compiles
(``compile_condition`` and ``getter``), so the explanation cannot disagree with what the router
did; the case is seen as the router sees it (with its grid owner's ``grid_owners:`` settings,
and for a route with ``each:`` once per element, read as ``item.``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hub.routes.grid_owners import with_grid_owner
from hub.routes.model import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    ListCondition,
    Not,
    Route,
    RouteTable,
)
from hub.routes.predicates import ITEM_KEY, MISSING, CaseView, compile_condition, elements, getter
from schemas.envelope import Envelope
from schemas.masking import mask_personal_numbers

_MAX_ELEMENTS = 20  # a list condition shows at most this many elements' verdicts


@dataclass(frozen=True)
class Check:
    """One node of a ``where`` tree: its verdict, what it tested and, for a comparison, the
    value it saw. ``children`` for all/any/not and the elements of a list condition."""

    holds: bool
    text: str
    seen: str | None = None
    children: tuple[Check, ...] = ()


@dataclass(frozen=True)
class RouteVerdict:
    route: Route
    applies: bool
    why: str
    checks: tuple[Check, ...] = field(default_factory=tuple)


def explain(table: RouteTable, env: Envelope, case: CaseView = None) -> list[RouteVerdict]:
    """Every route of ``table``, in file order, judged for ``env`` (and its case)."""
    out = []
    case = with_grid_owner(case, table.grid_owners)
    for route in table.routes:
        if env.type not in route.types:
            out.append(RouteVerdict(route, False, f"takes {', '.join(route.types)}, not "
                                                  f"{env.type}"))
            continue
        if route.each is not None:
            out.append(_each(route, route.each, env, case))
            continue
        if route.where is None:
            out.append(RouteVerdict(route, True, "no where: every such message"))
            continue
        check = judge(route.where, env, case)
        why = "every condition holds" if check.holds else "a condition does not hold"
        out.append(RouteVerdict(route, check.holds, why, (check,)))
    return out


def judge(condition: Condition, env: Envelope, case: CaseView = None,
          relative: bool = False) -> Check:
    """The verdict of ``condition`` with the reasons, as the router would decide it."""
    if isinstance(condition, Compare):
        value = getter(condition.field, relative=relative)(env, case)
        holds = compile_condition(condition, relative=relative)(env, case)
        if condition.op == "same_as":
            other = getter(condition.value)(env, case)
            return Check(holds, f"{condition.field} same_as {condition.value}",
                         f"{_show(value)} and {_show(other)}")
        return Check(holds, f"{condition.field} {condition.op} {_show(condition.value)}",
                     _show(value))
    if isinstance(condition, AllOf | AnyOf):
        parts = tuple(judge(c, env, case, relative) for c in condition.conditions)
        every = isinstance(condition, AllOf)
        holds = all(p.holds for p in parts) if every else any(p.holds for p in parts)
        return Check(holds, "all of" if every else "any of", None, parts)
    if isinstance(condition, Not):
        inner = judge(condition.condition, env, case, relative)
        return Check(not inner.holds, "not", None, (inner,))
    if isinstance(condition, ListCondition):
        return _quantified(condition, env, case, relative)
    raise TypeError(f"not a condition: {condition!r}")


def _each(route: Route, each: str, env: Envelope, case: CaseView) -> RouteVerdict:
    """A route with ``each:`` emits once per element its ``where`` accepts (as the router)."""
    items = getter(each)(env, case)
    if not isinstance(items, list) or not items:
        return RouteVerdict(route, False, f"each: {each} is {_show(items)}, nothing to emit for")
    checks = []
    for position, element in enumerate(items):
        view = {**(case or {}), ITEM_KEY: element}
        check = judge(route.where, env, view) if route.where is not None else Check(
            True, "no where: every element")
        checks.append(Check(check.holds, f"item {each}.{position}", None, (check,)))
    hits = [c for c in checks if c.holds]
    why = f"emits for {len(hits)} of {len(items)} element(s) of {each}"
    return RouteVerdict(route, bool(hits), why, tuple(checks[:_MAX_ELEMENTS]))


def _quantified(condition: ListCondition, env: Envelope, case: CaseView,
                relative: bool) -> Check:
    value = getter(condition.field, relative=relative)(env, case)
    items = elements(value)
    text = f"{condition.quantifier} of {condition.field}"
    if items is None:
        return Check(False, text, "missing" if value is MISSING else "an empty list"
                     if value == [] else _show(value))
    verdicts = [judge(condition.condition, env, item, relative=True) for item in items]
    holds = (all(v.holds for v in verdicts) if condition.quantifier == "all"
             else any(v.holds for v in verdicts))
    shown = tuple(Check(v.holds, f"[{i}]", None, (v,))
                  for i, v in enumerate(verdicts[:_MAX_ELEMENTS]))
    matched = [str(i) for i, v in enumerate(verdicts) if v.holds]
    seen = f"{len(items)} element(s), holds for: {', '.join(matched) or 'none'}"
    return Check(holds, text, seen, shown)


def _show(value: Any) -> str:
    if value is MISSING:
        return "missing"
    if hasattr(value, "pattern"):
        return repr(value.pattern)
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > 80:
        text = text[:77] + "..."
    return mask_personal_numbers(text)  # people read this: seed 001


def render(verdicts: list[RouteVerdict], filename: str = "routes.yaml", *,
           every_route: bool = False) -> Iterator[str]:
    """The explanation as text lines, one route after the other: the routes that take the
    message's type (``every_route``: the others too, with the types they take)."""
    shown = [v for v in verdicts if every_route or v.checks or v.applies]
    applied = sum(v.applies for v in verdicts)
    takes = "1 takes" if len(shown) == 1 else f"{len(shown)} take"
    yield (f"{applied} of {len(verdicts)} routes apply; {takes} this message type"
           if not every_route else f"{applied} of {len(verdicts)} routes apply")
    for verdict in shown:
        mark = "APPLIES" if verdict.applies else "no"
        route = verdict.route
        sends = _sends(route)
        yield f"{mark:7} {route.name} ({filename}:{route.line}){sends}: {verdict.why}"
        for check in verdict.checks:
            yield from _lines(check, "        ")


def _sends(route: Route) -> str:
    if route.to:
        return f" -> {', '.join(route.to)}"
    if route.emit:
        return f" -> emits {', '.join(e.type for e in route.emit)}"
    if route.aggregate is not None:
        return f" -> aggregates into {route.aggregate.emit}"
    return ""


def _lines(check: Check, indent: str) -> Iterator[str]:
    mark = "yes" if check.holds else "NO "
    seen = f"  (saw {check.seen})" if check.seen is not None else ""
    yield f"{indent}{mark} {check.text}{seen}"
    for child in check.children:
        yield from _lines(child, indent + "    ")
