"""Field paths and predicates over an envelope, compiled once to closures.

A field path is dotted over the envelope: ``type``, ``source``, ``case_id``, ``payload.x.y``;
a number steps into a list (``payload.facilities.0.facility_id``). ``case.x.y`` reads the
case the message is about, as projected after it (``case.status``, ``case.installation_type``,
``case.side_tracks.work_order``, ``case.grid_data.short_circuit_current_ka``); with no case
every ``case.`` path is missing. A path that leads nowhere,
or to JSON null, is *missing*: every comparison with a missing field is false, except ``ne``
and ``not_in`` (a missing field is not equal to anything) and ``exists: false``.
``same_as: PATH`` compares with another path of the same message (``item.facility_id``
with ``payload.gsrn``); ``all``/``any`` step through a list (see :func:`getter`).

``{field: LIST, any|all: CONDITION}`` tests the elements of a list (``case.facilities``):
inside, paths are relative to one element (``main_fuse_a``). A missing or empty list
satisfies neither ``any`` nor ``all``.

Comparisons are type-strict: ``true`` never equals ``1``, and ``lt``/``gt`` compare numbers
with numbers and strings with strings (ISO dates order correctly as strings); a decimal in a
string (``"6.2"``, how JSON carries amounts and currents) counts as a number. Any other mix is
false rather than an error, because one odd message must not stop the hub.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol

from hub.routes.model import AllOf, AnyOf, Compare, Condition, ListCondition, Not
from schemas.envelope import Envelope

CaseView = Mapping[str, Any] | None
"""The projected case as JSON (``CaseState.case`` plus status, flow, flags, side tracks)."""


class Predicate(Protocol):
    def __call__(self, env: Envelope, case: CaseView = None, /) -> bool: ...


class Getter(Protocol):
    def __call__(self, env: Envelope, case: CaseView = None, /) -> Any: ...


QUANTIFIERS = ("all", "any")
OPERATORS = ("eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "exists", "matches",
             "same_as")
ENVELOPE_FIELDS = ("message_id", "case_id", "causation_id", "type", "source", "occurred_at",
                   "schema_version", "payload")
ROOTS = (*ENVELOPE_FIELDS, "case", "item")
_NESTED = ("payload", "case", "item")
ITEM_KEY = "__item__"
"""Where a route with ``each:`` puts the element at hand in the case view (read as ``item.``)."""
MISSING: Any = object()
_SEGMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*|[0-9]+")


def parse_path(path: object, *, relative: bool = False) -> tuple[str, ...]:
    """The segments of a field path; ValueError saying what is wrong with it. A ``relative``
    path (inside any/all) starts at a list element, not at the envelope."""
    if not isinstance(path, str) or not path:
        raise ValueError(f"a field path must be a non-empty string, got {path!r}")
    segments = tuple(path.split("."))
    for segment in segments:
        if not _SEGMENT.fullmatch(segment):
            raise ValueError(f"bad field path {path!r}: segment {segment!r} is not a name or "
                             "a list index (e.g. payload.facilities.0.facility_id)")
    if relative:
        return segments
    head = segments[0]
    if head not in ROOTS:
        raise ValueError(f"bad field path {path!r}: it must start with one of "
                         f"{', '.join(ROOTS)}")
    if head not in _NESTED and len(segments) > 1:
        raise ValueError(f"bad field path {path!r}: only payload, case and item have fields "
                         "below them")
    return segments


def getter(path: str, *, relative: bool = False) -> Getter:
    """A function returning the value at ``path`` of an envelope (and its case), or MISSING.
    A ``relative`` getter (inside a list condition) reads its second argument, a list element.

    ``all`` or ``any`` where the path meets a list (``case.facilities.all.main_fuse_a``)
    reads the rest of the path in every element: the value is a :class:`Quantified` list, and
    a condition on it holds when it holds for every element (``all``; not for an empty list)
    or for at least one (``any``)."""
    if relative:
        parse_path(path, relative=True)
        return getter(f"case.{path}")  # the element is passed where the case would be
    head, *rest = parse_path(path)
    if head == "occurred_at":
        return lambda env, case=None, /: env.occurred_at.isoformat()
    if head not in _NESTED:
        return lambda env, case=None, /: _present(getattr(env, head))
    steps = tuple((s, int(s) if s.isdigit() else None) for s in rest)
    if head == "item":
        def get_item(env: Envelope, case: CaseView = None, /) -> Any:
            return _walk(case.get(ITEM_KEY, MISSING) if case is not None else MISSING, steps)

        return get_item
    from_case = head == "case"

    def get(env: Envelope, case: CaseView = None, /) -> Any:
        value: Any = (case if case is not None else MISSING) if from_case else env.payload
        return _walk(value, steps)

    return get


class Quantified(list[Any]):
    """The values of a path through ``all``/``any``: one per list element (MISSING where the
    element lacks the rest of the path)."""

    def __init__(self, kind: str, values: list[Any]) -> None:
        super().__init__(values)
        self.kind = kind


def _walk(value: Any, steps: tuple[tuple[str, int | None], ...]) -> Any:
    for at, (key, index) in enumerate(steps):
        if isinstance(value, list) and key in QUANTIFIERS:
            return Quantified(key, [_walk(element, steps[at + 1:]) for element in value])
        if isinstance(value, Mapping):
            value = value.get(key, MISSING)
        elif index is not None and isinstance(value, list) and index < len(value):
            value = value[index]
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return _present(value)


def _present(value: Any) -> Any:
    return MISSING if value is None else value


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float | bool)


def _orderable(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def check_operand(op: str, value: object) -> str | None:
    """Why ``value`` cannot be the operand of ``op``, or None when it can."""
    if op in ("eq", "ne"):
        if value is None:
            return f"{op} needs a value; to test for a missing field use exists: false"
        return None if _scalar(value) else f"{op} takes one value; for several use in/not_in"
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            return f"{op} takes a non-empty list, e.g. {op}: [a, b]"
        if not all(_scalar(v) for v in value):
            return f"{op} takes a list of plain values (strings, numbers, true/false)"
        return None
    if op in ("lt", "lte", "gt", "gte"):
        return None if _orderable(value) else f"{op} takes a number or a string"
    if op == "exists":
        return None if isinstance(value, bool) else "exists takes true or false"
    if op == "same_as":
        try:
            parse_path(value)
        except ValueError as exc:
            return f"same_as takes the path of the value to compare with: {exc}"
        return None
    if op == "matches":
        if not isinstance(value, str):
            return "matches takes a regular expression as a string"
        try:
            re.compile(value)
        except re.error as exc:
            return f"bad regular expression {value!r}: {exc}"
        return None
    return f"unknown operator {op!r} (operators: {', '.join(OPERATORS)})"


def _same(a: Any, b: Any) -> bool:
    """Equality that does not let true equal 1."""
    return isinstance(a, bool) is isinstance(b, bool) and a == b


def comparison(op: str, operand: Any) -> Callable[[Any], bool]:
    """``value -> bool`` for one operator; ``value`` may be MISSING."""
    if op == "eq":
        return lambda v: v is not MISSING and _same(v, operand)
    if op == "ne":
        return lambda v: v is MISSING or not _same(v, operand)
    if op in ("in", "not_in"):
        member = _membership(operand)
        return member if op == "in" else (lambda v: not member(v))
    if op in ("lt", "lte", "gt", "gte"):
        return _ordering(op, operand)
    if op == "exists":
        return lambda v: (v is not MISSING) is operand
    if op == "matches":
        pattern = operand if isinstance(operand, re.Pattern) else re.compile(operand)
        return lambda v: ((isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)))
                          and pattern.search(str(v)) is not None)
    raise ValueError(f"unknown operator {op!r}")


def _membership(values: list[Any]) -> Callable[[Any], bool]:
    if all(isinstance(x, str) for x in values):
        strings = frozenset(values)
        return lambda v: isinstance(v, str) and v in strings
    return lambda v: v is not MISSING and any(_same(v, x) for x in values)


def _ordering(op: str, operand: Any) -> Callable[[Any], bool]:
    if isinstance(operand, str):
        def coerce(v: Any) -> Any:
            return v if isinstance(v, str) else MISSING
    else:
        bound = Decimal(str(operand))

        def coerce(v: Any) -> Any:
            # Amounts and currents are decimals, which JSON carries as strings ("6.2").
            if isinstance(v, int | float) and not isinstance(v, bool):
                return Decimal(str(v))
            if isinstance(v, str) and _DECIMAL.fullmatch(v):
                return Decimal(v)
            return MISSING

        operand = bound
    compare = _ORDER[op]

    def test(v: Any) -> bool:
        value = coerce(v)
        return value is not MISSING and compare(value, operand)

    return test


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
}
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def elements(value: Any) -> list[Any] | None:
    """The elements a list condition tests, None when ``value`` is not a non-empty list."""
    return value if isinstance(value, list) and value else None


def holds(test: Callable[[Any], bool], value: Any) -> bool:
    """``test`` applied to a value, or to the values of a quantified path (``.all.``/``.any.``)."""
    if isinstance(value, Quantified):
        if value.kind == "any":
            return any(test(v) for v in value)
        return bool(value) and all(test(v) for v in value)
    return test(value)


def compile_condition(condition: Condition | None, *, relative: bool = False) -> Predicate:
    """One closure for a whole condition tree; None (no ``where``) accepts everything.
    ``relative``: the paths start at a list element, passed as the second argument."""
    if condition is None:
        return lambda env, case=None, /: True
    if isinstance(condition, Compare) and condition.op == "same_as":
        # {field: item.facility_id, same_as: payload.gsrn}: two paths of the same message
        # Inside a list condition the field is relative to the element, the other path not.
        get, other = getter(condition.field, relative=relative), getter(condition.value)

        def same(env: Envelope, case: CaseView = None, /) -> bool:
            value = other(env, case)
            return value is not MISSING and holds(lambda v: _same(v, value), get(env, case))

        return same
    if isinstance(condition, Compare):
        get = getter(condition.field, relative=relative)
        test = comparison(condition.op, condition.value)
        return lambda env, case=None, /: holds(test, get(env, case))
    if isinstance(condition, AllOf | AnyOf):
        parts = tuple(compile_condition(c, relative=relative) for c in condition.conditions)
        if isinstance(condition, AllOf):
            return lambda env, case=None, /: all(p(env, case) for p in parts)
        return lambda env, case=None, /: any(p(env, case) for p in parts)
    if isinstance(condition, Not):
        inner = compile_condition(condition.condition, relative=relative)
        return lambda env, case=None, /: not inner(env, case)
    if isinstance(condition, ListCondition):
        return _list_condition(condition, relative)
    raise TypeError(f"not a condition: {condition!r}")


def _list_condition(condition: ListCondition, relative: bool) -> Predicate:
    get = getter(condition.field, relative=relative)
    each = compile_condition(condition.condition, relative=True)
    every = condition.quantifier == "all"

    def test(env: Envelope, case: CaseView = None, /) -> bool:
        items = elements(get(env, case))
        if items is None:
            return False
        hits = (each(env, item) for item in items)
        return all(hits) if every else any(hits)

    return test
