"""Parsing and checking the ``routes:`` list of routes.yaml, one route at a time."""

from __future__ import annotations

import re
from typing import Any

from hub.routes.conditions import parse_condition
from hub.routes.durations import parse_duration
from hub.routes.emit_parser import parse_deadline, parse_emits
from hub.routes.fieldcheck import Scope
from hub.routes.model import DEFAULT_POLICY_NAME, Aggregate, Condition, Route
from hub.routes.predicates import parse_path
from hub.routes.source import Issues, child, item, known_keys, suggest
from schemas.message_types import MessageType, is_known

ROUTE_KEYS = ("name", "description", "match", "to", "emit", "split", "retry", "aggregate",
              "deadline", "with_case", "each")
MATCH_KEYS = ("type", "where")
AGGREGATE_KEYS = ("parts", "correlate", "timeout", "emit")
CORRELATIONS = ("case_id",)
# No ':' in a route name: the aggregation key is "<route>:<case_id>".
_ROUTE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_PART_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TYPES = tuple(m.value for m in MessageType)


class RouteParser:
    """Builds :class:`Route` values, recording every problem in ``issues``."""

    def __init__(self, issues: Issues, policies: set[str], connectors: set[str]) -> None:
        self.issues = issues
        self.policies = policies
        self.connectors = connectors
        self._names: dict[str, int] = {}

    def parse(self, raw: Any) -> list[Route]:
        if raw is None:
            self.issues.add("routes", "routes is required: a list of {name, match, to}",
                            line=self.issues.line_of(""))
            return []
        if not isinstance(raw, list):
            self.issues.add("routes", "routes must be a list: - {name: ..., match: ..., to: "
                            "[...]}")
            return []
        routes = [self._route(r, item("routes", i)) for i, r in enumerate(raw)]
        return [r for r in routes if r is not None]

    def _route(self, raw: Any, path: str) -> Route | None:
        if not isinstance(raw, dict):
            self.issues.add(path, "a route is a mapping: {name, match, to} or {name, aggregate}")
            return None
        known_keys(raw, path, ROUTE_KEYS, self.issues)
        name = self._name(raw.get("name"), path)
        has_to, aggregate_raw = "to" in raw, raw.get("aggregate")
        has_emit = "emit" in raw
        if not has_to and not has_emit and aggregate_raw is None:
            self.issues.add(path, "the route sends nowhere: give to: [connectors], emit: or "
                            "aggregate:")
        if (has_to or has_emit) and aggregate_raw is not None:
            self.issues.add(child(path, "aggregate"), "a route has to/emit or aggregate, not "
                            "both (the aggregated message is routed again by its own type)")
        each = self._each(raw, path, has_emit and not has_to and aggregate_raw is None)
        types, where = self._match(raw.get("match"), path, aggregate_raw is not None, each)
        to = self._destinations(raw["to"], child(path, "to")) if has_to else ()
        split = self._split(raw, path, has_to)
        retry = self._retry(raw.get("retry", DEFAULT_POLICY_NAME), child(path, "retry"))
        aggregate = None
        if aggregate_raw is not None:
            aggregate = self._aggregate(aggregate_raw, child(path, "aggregate"))
            types = tuple(sorted(aggregate.types)) if aggregate is not None else ()
        scope = Scope.for_types(types, each) if types else None
        if each is not None and scope is not None and (why := scope.check(each)) is not None:
            self.issues.add(child(path, "each"), f"{each}: {why}")
        emit = parse_emits(raw["emit"], child(path, "emit"), self.issues, scope) if has_emit \
            else ()
        deadline = None
        if raw.get("deadline") is not None:
            deadline = parse_deadline(raw["deadline"], child(path, "deadline"), self.issues)
        description = raw.get("description", "")
        if not isinstance(description, str):
            self.issues.add(child(path, "description"), "description must be text")
        with_case = self._with_case(raw, path, has_to, split)
        if name is None:
            return None
        return Route(name=name, types=types, where=where, to=to, split=split, retry=retry,
                     aggregate=aggregate, description=str(description or ""),
                     line=self.issues.line_of(path), emit=emit, deadline=deadline,
                     with_case=with_case, each=each)

    def _with_case(self, raw: dict[str, Any], path: str, has_to: bool,
                   split: str | None) -> bool:
        value = raw.get("with_case", False)
        where = child(path, "with_case")
        if not isinstance(value, bool):
            self.issues.add(where, f"with_case takes true or false, got {value!r}")
            return False
        if value and (not has_to or split is not None):
            self.issues.add(where, "with_case adds the case to what to: sends; it needs to: "
                            "and no split")
            return False
        return value

    def _name(self, name: Any, path: str) -> str | None:
        where = child(path, "name")
        if name is None:
            self.issues.add(where, "the route needs a name (used in traces and dead letters)")
            return None
        if not isinstance(name, str) or not _ROUTE_NAME.fullmatch(name):
            self.issues.add(where, f"bad route name {name!r}: letters, digits, '.', '-' and "
                            "'_', at most 64 characters")
            return None
        if name in self._names:
            self.issues.add(where, f"duplicate route name {name!r} (first at line "
                            f"{self._names[name]})")
            return None
        self._names[name] = self.issues.line_of(where)
        return name

    def _match(self, raw: Any, path: str, aggregating: bool,
               each: str | None = None) -> tuple[tuple[str, ...], Condition | None]:
        where_path = child(path, "match")
        if raw is None:
            if not aggregating:
                self.issues.add(where_path, "match is required: {type: <message type>}")
            return (), None
        if not isinstance(raw, dict):
            self.issues.add(where_path, "match must be a mapping: {type: ..., where: [...]}")
            return (), None
        known_keys(raw, where_path, MATCH_KEYS, self.issues)
        types: tuple[str, ...] = ()
        if aggregating and "type" in raw:
            self.issues.add(child(where_path, "type"), "an aggregate route matches the types "
                            "of its parts; remove match.type")
        elif not aggregating:
            types = self._types(raw.get("type"), child(where_path, "type"))
        where = None
        if raw.get("where") is not None:
            # Paths are checked against the payloads of the types matched (when known).
            scope = Scope.for_types(types, each) if types else None
            where = parse_condition(raw["where"], child(where_path, "where"), self.issues,
                                    scope)
        return types, where

    def _types(self, raw: Any, path: str) -> tuple[str, ...]:
        if raw is None:
            self.issues.add(path, "match.type is required: one message type or a list")
            return ()
        values = raw if isinstance(raw, list) else [raw]
        if not values:
            self.issues.add(path, "match.type is an empty list; name at least one type")
        paths = [item(path, i) for i in range(len(values))] if isinstance(raw, list) else [path]
        found: list[str] = []
        for value, at in zip(values, paths, strict=True):
            type_ = self.message_type(value, at)
            if type_ is not None and type_ in found:
                self.issues.add(at, f"message type {type_!r} is listed twice")
            elif type_ is not None:
                found.append(type_)
        return tuple(found)

    def message_type(self, value: Any, path: str) -> str | None:
        if isinstance(value, str) and is_known(value):
            return value
        self.issues.add(path, f"unknown message type {value!r}{suggest(str(value), _TYPES)} "
                        "(the catalogue is schemas/message_types.py)")
        return None

    def _destinations(self, raw: Any, path: str) -> tuple[str, ...]:
        values = raw if isinstance(raw, list) else [raw]
        paths = [item(path, i) for i in range(len(values))] if isinstance(raw, list) else [path]
        if not values:
            self.issues.add(path, "to is an empty list; name at least one connector")
        found: list[str] = []
        declared = ", ".join(sorted(self.connectors)) or "none"
        for value, at in zip(values, paths, strict=True):
            if not isinstance(value, str) or value not in self.connectors:
                self.issues.add(at, f"unknown connector {value!r}"
                                f"{suggest(str(value), self.connectors)} (declared: {declared})")
            elif value in found:
                self.issues.add(at, f"connector {value!r} is listed twice")
            else:
                found.append(value)
        return tuple(found)

    def _split(self, raw: dict[str, Any], path: str, has_to: bool) -> str | None:
        split = raw.get("split")
        if split is None:
            return None
        where = child(path, "split")
        if not has_to:
            self.issues.add(where, "split needs to: the connectors that get each part")
        if not isinstance(split, str) or not split.startswith("payload."):
            self.issues.add(where, f"split must name a list in the payload, e.g. "
                            f"payload.facilities (got {split!r})")
            return None
        try:
            parse_path(split)
        except ValueError as exc:
            self.issues.add(where, str(exc))
            return None
        return split

    def _each(self, raw: dict[str, Any], path: str, emit_only: bool) -> str | None:
        each = raw.get("each")
        if each is None:
            return None
        where = child(path, "each")
        if not emit_only:
            self.issues.add(where, "each goes with emit alone (no to: or aggregate:): the "
                            "route emits one message per element, read as item.")
        if not isinstance(each, str) or not each.startswith(("payload.", "case.")):
            self.issues.add(where, f"each must name a list in the payload or the case, e.g. "
                            f"case.facilities (got {each!r})")
            return None
        try:
            parse_path(each)
        except ValueError as exc:
            self.issues.add(where, str(exc))
            return None
        return each

    def _retry(self, raw: Any, path: str) -> str:
        if isinstance(raw, str) and raw in self.policies:
            return raw
        declared = ", ".join(sorted(self.policies))
        self.issues.add(path, f"unknown retry policy {raw!r}{suggest(str(raw), self.policies)}"
                        f" (declared: {declared})")
        return DEFAULT_POLICY_NAME

    def _aggregate(self, raw: Any, path: str) -> Aggregate | None:
        if not isinstance(raw, dict):
            self.issues.add(path, "aggregate is a mapping: {parts, correlate, timeout, emit}")
            return None
        known_keys(raw, path, AGGREGATE_KEYS, self.issues)
        parts = self._parts(raw.get("parts"), child(path, "parts"))
        correlate = raw.get("correlate", "case_id")
        if correlate not in CORRELATIONS:
            self.issues.add(child(path, "correlate"), f"cannot correlate on {correlate!r}; "
                            f"supported: {', '.join(CORRELATIONS)}")
        timeout = self._timeout(raw.get("timeout"), child(path, "timeout"))
        emit = raw.get("emit")
        if emit is None:
            self.issues.add(child(path, "emit"), "emit is required: the type of the message "
                            "produced when all parts arrived or the timeout passed")
        else:
            emit = self.message_type(emit, child(path, "emit"))
        if emit is not None and parts is not None and emit in parts.values():
            self.issues.add(child(path, "emit"), f"emit {emit!r} is also a part: it would "
                            "feed itself")
            return None
        if parts is None or timeout is None or emit is None:
            return None
        return Aggregate(parts=parts, timeout_s=timeout, emit=emit, correlate="case_id")

    def _timeout(self, raw: Any, path: str) -> float | None:
        if raw is None:
            self.issues.add(path, "timeout is required, e.g. 30s or 5m")
            return None
        try:
            seconds = parse_duration(raw)
        except ValueError as exc:
            self.issues.add(path, str(exc))
            return None
        if seconds <= 0:
            self.issues.add(path, "timeout must be more than 0")
            return None
        return seconds

    def _parts(self, raw: Any, path: str) -> dict[str, str] | None:
        """``[type, ...]`` (each named by its type) or ``{name: type}``."""
        if isinstance(raw, list):
            named = [(v if isinstance(v, str) else str(v), v, item(path, i))
                     for i, v in enumerate(raw)]
        elif isinstance(raw, dict):
            named = [(k, v, child(path, k)) for k, v in raw.items()]
            for name, _, at in named:
                if name == "missing":
                    self.issues.add(at, "'missing' is reserved: the emitted payload lists the "
                                    "parts that did not arrive under that key")
                elif not _PART_NAME.fullmatch(name):
                    self.issues.add(at, f"bad part name {name!r}: a name for the emitted "
                                    "payload key (letters, digits, _)")
        else:
            self.issues.add(path, "parts is required: a list of message types, or a mapping "
                            "name -> message type")
            return None
        if len(named) < 2:
            self.issues.add(path, "an aggregate needs at least two parts")
        parts: dict[str, str] = {}
        for name, value, at in named:
            type_ = self.message_type(value, at)
            if type_ is not None and type_ in parts.values():
                self.issues.add(at, f"message type {type_!r} is a part twice")
            elif type_ is not None:
                parts[name] = type_
        return parts if len(parts) == len(named) else None
