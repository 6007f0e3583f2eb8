"""The router: which outputs one canonical message produces, per routes.yaml.

Every route whose types include the message's type and whose ``where`` holds applies (not
first-match). A ``to`` route yields one :class:`Delivery` per connector (and per list element
when it splits); an ``emit`` route an :class:`Emitted` message per template, which the hub
applies and routes again; an ``aggregate`` route yields an :class:`AggregatePart` for the hub
to keep until all parts arrived or the timeout passed, when :meth:`Router.complete` builds the
emitted message; a ``deadline`` a :class:`Due` (by when the target must accept it). Output ids
are derived from the input id, so routing a redelivered input again yields the very same
outputs, which downstream de-duplication then recognises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hub.errors import ConfigurationError, InvalidMessage
from hub.retry import RetryPolicy
from hub.routes import Route, RouteTable
from hub.routes.grid_owners import with_grid_owner
from hub.routes.model import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Deadline,
    From,
    ListCondition,
    Not,
)
from hub.routes.predicates import (
    ITEM_KEY,
    MISSING,
    CaseView,
    Getter,
    Predicate,
    compile_condition,
    getter,
)
from hub.routes.templates import Builder, compile_template
from schemas.envelope import Envelope, derived_message_id

AGGREGATOR_SOURCE = "hub"


@dataclass(frozen=True)
class Delivery:
    """Send ``message`` to connector ``destination``, retrying per ``policy``."""

    route: str
    destination: str
    message: Envelope
    policy: RetryPolicy


@dataclass(frozen=True)
class AggregatePart:
    """Keep ``message`` as part ``part_type`` of aggregation ``key`` (``<route>:<case_id>``);
    complete when every type in ``expected`` is there, or after ``timeout_s`` from the first."""

    route: str
    key: str
    part_type: str
    expected: frozenset[str]
    timeout_s: float
    emit: str
    message: Envelope


@dataclass(frozen=True)
class Emitted:
    """A new message built by route ``route``'s emit template, to apply and route again."""

    route: str
    message: Envelope


@dataclass(frozen=True)
class Due:
    """Route ``route``'s deliveries of the message must be accepted by ``due``. Whether they
    are late is judged when the target accepts them (the delivery stage), not here."""

    route: str
    due: datetime
    day: date
    detail: str  # e.g. "payload.day 2024-03-13 is due by 2024-03-14T07:00:00+01:00"


Action = Delivery | AggregatePart | Emitted | Due


@dataclass(frozen=True)
class _Compiled:
    route: Route
    accepts: Predicate
    policy: RetryPolicy
    split: Getter | None
    emits: tuple[tuple[str, Builder], ...] = ()
    deadline: tuple[Getter, Deadline] | None = None
    each: Getter | None = None


class Router:
    """Routes envelopes by a :class:`RouteTable`: predicates compiled once, routes by type."""

    def __init__(self, table: RouteTable) -> None:
        self.table = table
        by_type: dict[str, list[_Compiled]] = {}
        self._aggregates: dict[str, Route] = {}
        for route in table.routes:
            compiled = _Compiled(
                route, compile_condition(route.where), table.policies[route.retry],
                getter(route.split) if route.split else None,
                tuple((e.type, compile_template(e.payload)) for e in route.emit),
                (getter(route.deadline.field), route.deadline) if route.deadline else None,
                getter(route.each) if route.each else None)
            for type_ in route.types:
                by_type.setdefault(type_, []).append(compiled)
            if route.aggregate is not None:
                self._aggregates[route.name] = route
        self._by_type = {t: tuple(cs) for t, cs in by_type.items()}
        self._uses_case = frozenset(t for t, cs in by_type.items()
                                    if any(_reads_case(c.route) for c in cs))
        self._owners = table.grid_owners

    def uses_case(self, type_: str) -> bool:
        """Whether a route for ``type_`` reads ``case.`` paths (else the case view is skipped)."""
        return type_ in self._uses_case

    def route(self, envelope: Envelope, case: CaseView = None) -> list[Action]:
        """The outputs of ``envelope``, in routes.yaml order; [] when no route matches.

        ``case`` is the projected case (for ``case.`` paths). Raises InvalidMessage when a
        splitting route matches but its list is missing or empty.
        """
        actions: list[Action] = []
        # Emits and aggregations go after every delivery of this message, so a message the
        # hub makes from it (case.archived after case.completion.approved) never overtakes it.
        after: list[Action] = []
        case = with_grid_owner(case, self._owners)
        for compiled in self._by_type.get(envelope.type, ()):
            if compiled.each is not None:
                after.extend(_each(compiled, envelope, case))
                continue
            if not compiled.accepts(envelope, case):
                continue
            route = compiled.route
            if compiled.deadline is not None:
                actions.extend(_due(compiled, envelope, case))
            if route.aggregate is not None:
                after.append(AggregatePart(
                    route=route.name, key=f"{route.name}:{envelope.case_id}",
                    part_type=envelope.type, expected=route.aggregate.types,
                    timeout_s=route.aggregate.timeout_s, emit=route.aggregate.emit,
                    message=envelope))
            elif compiled.split is not None:
                actions.extend(self._split(compiled, envelope))
            else:
                payload = _with_case(envelope.payload, case) if route.with_case else (
                    envelope.payload)
                actions.extend(
                    Delivery(route.name, dest, _derive(envelope, payload, route.name, dest),
                             compiled.policy)
                    for dest in route.to)
            for index, (type_, build) in enumerate(compiled.emits):
                after.append(Emitted(route.name, _emitted(envelope, case, route.name, index,
                                                          type_, build)))
        return actions + after

    def _split(self, compiled: _Compiled, envelope: Envelope) -> list[Delivery]:
        """One delivery per element and connector. The list at the split path is replaced by
        a one-element list (so the payload keeps its shape), and ``split_index`` (0-based)
        and ``split_count`` are added at the top of the payload."""
        route = compiled.route
        assert compiled.split is not None and route.split is not None
        elements = compiled.split(envelope)
        if elements is MISSING or not isinstance(elements, list) or not elements:
            what = "missing" if elements is MISSING else (
                "an empty list" if elements == [] else f"a {type(elements).__name__}, not a list")
            raise InvalidMessage(f"route {route.name!r} splits on {route.split}, which is "
                                 f"{what} in this {envelope.type} message", where=route.split)
        keys = route.split.split(".")[1:]
        count = len(elements)
        deliveries = []
        for index, element in enumerate(elements):
            payload = {**_replace(envelope.payload, keys, [element]),
                       "split_index": index, "split_count": count}
            for dest in route.to:
                message = _derive(envelope, payload, route.name, dest, str(index))
                deliveries.append(Delivery(route.name, dest, message, compiled.policy))
        return deliveries

    def complete(self, part: AggregatePart | str, key: str,
                 parts: Mapping[str, Mapping[str, Any]], *, timed_out: bool) -> Envelope:
        """The message an aggregation emits.

        ``part`` is any part of it (or its route name), ``key`` its aggregation key, ``parts``
        maps part type -> that part's envelope as a JSON dict (``model_dump(mode="json")``).
        The payload holds each arrived part's payload under its part name, and ``missing``:
        the names of parts that did not arrive (empty when complete). The causation and
        occurred_at are those of the latest part (by occurred_at, then id). The id derives
        from the key, the outcome and the part ids: emitting again after a crash gives the
        same id, while a later round for the same case (new parts) gives a new one.
        """
        name = part if isinstance(part, str) else part.route
        route = self._aggregates.get(name)
        if route is None or route.aggregate is None:
            raise ConfigurationError(f"no aggregate route {name!r} in {self.table.filename} "
                                     "(was it removed while an aggregation was open?)",
                                     where=f"aggregation {key}")
        prefix = f"{name}:"
        if not key.startswith(prefix):
            raise ValueError(f"aggregation key {key!r} does not belong to route {name!r}")
        aggregate = route.aggregate
        payload: dict[str, Any] = {}
        missing = []
        for part_name, part_type in aggregate.parts.items():
            doc = parts.get(part_type)
            if doc is None:
                missing.append(part_name)
            else:
                payload[part_name] = dict(doc.get("payload") or {})
        payload["missing"] = missing
        last = max(parts.values(), key=_order, default=None)
        ids = sorted(str(doc.get("message_id")) for doc in parts.values())
        outcome = "timed-out" if timed_out else "complete"
        return Envelope(
            message_id=derived_message_id(key, aggregate.emit, outcome, *ids),
            case_id=key[len(prefix):],
            causation_id=str(last["message_id"]) if last and last.get("message_id") else None,
            type=aggregate.emit, source=AGGREGATOR_SOURCE,
            occurred_at=_occurred(last) if last else datetime.now(UTC),
            payload=payload, traceparent=last.get("traceparent") if last else None)


def _reads_case(route: Route) -> bool:
    if route.with_case:
        return True
    paths: list[str] = []
    _condition_paths(route.where, paths)
    for emit in route.emit:
        _template_paths(emit.payload, paths)
    if route.deadline is not None:
        paths.append(route.deadline.field)
    if route.each is not None:
        paths.append(route.each)
    return any(path.split(".")[0] == "case" for path in paths)


def _condition_paths(condition: Condition | None, out: list[str]) -> None:
    if isinstance(condition, Compare):
        out.append(condition.field)
        if condition.op == "same_as":
            out.append(condition.value)
    elif isinstance(condition, AllOf | AnyOf):
        for inner in condition.conditions:
            _condition_paths(inner, out)
    elif isinstance(condition, Not):
        _condition_paths(condition.condition, out)
    elif isinstance(condition, ListCondition):
        out.append(condition.field)  # the paths inside are relative to its elements


def _template_paths(template: Any, out: list[str]) -> None:
    if isinstance(template, From):
        out.extend(template.paths)
    elif isinstance(template, dict):
        for value in template.values():
            _template_paths(value, out)
    elif isinstance(template, list):
        for value in template:
            _template_paths(value, out)


def _each(compiled: _Compiled, envelope: Envelope, case: CaseView) -> list[Action]:
    """One emit per element of the route's ``each`` list that its ``where`` accepts (the
    element read as ``item.``); ids keyed by the element's position."""
    assert compiled.each is not None
    elements = compiled.each(envelope, case)
    if not isinstance(elements, list):
        return []
    out: list[Action] = []
    route = compiled.route.name
    for position, element in enumerate(elements):
        view = {**(case or {}), ITEM_KEY: element}
        if not compiled.accepts(envelope, view):
            continue
        for index, (type_, build) in enumerate(compiled.emits):
            out.append(Emitted(route, _emitted(envelope, view, route, index, type_, build,
                                               str(position))))
    return out


def _emitted(envelope: Envelope, case: CaseView, route: str, index: int, type_: str,
             build: Builder, *element: str) -> Envelope:
    payload = build(envelope, case)
    # Not validated here: the hub applies the emitted message like any input, so a template
    # that builds an invalid payload becomes a dead letter naming the field.
    return Envelope.model_construct(
        message_id=derived_message_id(envelope.message_id, route, "emit", str(index), *element),
        case_id=envelope.case_id, causation_id=envelope.message_id, type=type_,
        source=AGGREGATOR_SOURCE, occurred_at=envelope.occurred_at,
        schema_version=envelope.schema_version, payload=payload)


def _due(compiled: _Compiled, envelope: Envelope, case: CaseView) -> list[Due]:
    assert compiled.deadline is not None
    get, deadline = compiled.deadline
    value = get(envelope, case)
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return []  # no date to hold it to: the payload model reports a bad date itself
    due = datetime.combine(day + timedelta(days=deadline.days_after), deadline.at,
                           tzinfo=ZoneInfo(deadline.timezone))
    return [Due(compiled.route.name, due, day,
                f"{deadline.field} {day.isoformat()} is due by {due.isoformat()}")]


def duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _with_case(payload: dict[str, Any], case: CaseView) -> dict[str, Any]:
    """The payload a ``with_case`` route delivers: the message's, plus the case as it stands
    after it under ``case`` (for a generic target that wants facilities, addresses, GSRNs)."""
    return {**payload, "case": dict(case) if case is not None else None}


def _derive(envelope: Envelope, payload: dict[str, Any], *key: str) -> Envelope:
    # model_copy skips re-validation: the input was validated and only ids/payload change.
    return envelope.model_copy(update={
        "message_id": derived_message_id(envelope.message_id, *key),
        "causation_id": envelope.message_id,
        "payload": payload,
    })


def _replace(container: Any, keys: list[str], value: Any) -> Any:
    """A copy of ``container`` with the value at ``keys`` replaced; the rest is shared."""
    head, rest = keys[0], keys[1:]
    if isinstance(container, list):
        index = int(head)
        copy = list(container)
        copy[index] = _replace(copy[index], rest, value) if rest else value
        return copy
    inner = _replace(container[head], rest, value) if rest else value
    return {**container, head: inner}


def _occurred(doc: Mapping[str, Any]) -> datetime:
    value = doc.get("occurred_at")
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    return datetime.min.replace(tzinfo=UTC)


def _order(doc: Mapping[str, Any]) -> tuple[datetime, str]:
    return _occurred(doc), str(doc.get("message_id"))
