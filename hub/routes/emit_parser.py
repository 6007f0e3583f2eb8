"""Parsing a route's ``emit:`` (message templates) and ``deadline:``.

    emit:
      - type: facility.lookup.requested
        payload:
          facility_id: {from: payload.facilities.0.facility_id}
          meter_number: {from: [payload.facilities.0.meter_number, case.facilities.0.meter_number]}
          overwrite: false                     # a constant
    deadline: {field: payload.day, at: "07:00", timezone: Europe/Oslo}

A mapping with a ``from`` key is a field reference (``default`` optional); anything else is
a constant. The payload's top-level keys are checked against the emitted type's model here,
so a typo is a start-up error with its line, not a dead letter at 03:00.
"""

from __future__ import annotations

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hub.routes.fieldcheck import Scope
from hub.routes.model import NO_DEFAULT, Deadline, Emit, From
from hub.routes.predicates import parse_path
from hub.routes.source import Issues, child, item, known_keys, suggest
from schemas.message_types import MessageType, is_known
from schemas.payloads import PAYLOAD_MODELS

EMIT_KEYS = ("type", "payload")
FROM_KEYS = ("from", "default")
DEADLINE_KEYS = ("field", "at", "timezone", "days_after")
_TYPES = tuple(m.value for m in MessageType)


def parse_emits(raw: Any, path: str, issues: Issues,
                scope: Scope | None = None) -> tuple[Emit, ...]:
    """The emits at ``path`` (one mapping or a list of them); invalid ones are left out. With
    a ``scope`` (the route's message types) every ``from:`` path is checked against the model."""
    values = raw if isinstance(raw, list) else [raw]
    paths = [item(path, i) for i in range(len(values))] if isinstance(raw, list) else [path]
    if not values:
        issues.add(path, "emit is an empty list; give at least one {type, payload}")
    emits = [_emit(value, at, issues, scope) for value, at in zip(values, paths, strict=True)]
    return tuple(e for e in emits if e is not None)


def _emit(raw: Any, path: str, issues: Issues, scope: Scope | None) -> Emit | None:
    if not isinstance(raw, dict):
        issues.add(path, "an emit is a mapping: {type: <message type>, payload: {...}}")
        return None
    known_keys(raw, path, EMIT_KEYS, issues)
    type_ = raw.get("type")
    if not (isinstance(type_, str) and is_known(type_)):
        issues.add(child(path, "type"), f"unknown message type {type_!r}"
                   f"{suggest(str(type_), _TYPES)} (the catalogue is schemas/message_types.py)")
        return None
    payload = raw.get("payload", {})
    if not isinstance(payload, dict):
        issues.add(child(path, "payload"), "payload must be a mapping of field -> value or "
                   "{from: PATH}")
        return None
    fields = PAYLOAD_MODELS[MessageType(type_)].model_fields
    for key in payload:
        if key not in fields:
            issues.add(child(child(path, "payload"), key),
                       f"{type_} has no field {key!r}{suggest(key, fields)} "
                       f"(fields: {', '.join(fields)})")
    template = _template(payload, child(path, "payload"), issues, scope)
    return Emit(type=type_, payload=template)


def _template(raw: Any, path: str, issues: Issues, scope: Scope | None) -> Any:
    if isinstance(raw, dict) and "from" in raw:
        return _from(raw, path, issues, scope)
    if isinstance(raw, dict):
        return {key: _template(value, child(path, str(key)), issues, scope)
                for key, value in raw.items()}
    if isinstance(raw, list):
        return [_template(value, item(path, i), issues, scope) for i, value in enumerate(raw)]
    return raw


def _from(raw: dict[str, Any], path: str, issues: Issues, scope: Scope | None) -> From | None:
    known_keys(raw, path, FROM_KEYS, issues)
    sources = raw["from"] if isinstance(raw["from"], list) else [raw["from"]]
    good: list[str] = []
    for index, source in enumerate(sources):
        at = item(child(path, "from"), index) if isinstance(raw["from"], list) \
            else child(path, "from")
        try:
            parse_path(source)
        except ValueError as exc:
            issues.add(at, str(exc))
            continue
        # With a default the path may name a field the model lacks on purpose (a value a
        # grid owner's back end may add); without one an unknown path is a typo.
        why = scope.check(source) if scope is not None and "default" not in raw else None
        if why is not None:
            issues.add(at, f"{source}: {why}")
            continue
        good.append(source)
    if not sources:
        issues.add(child(path, "from"), "from needs a field path or a list of them")
    if len(good) != len(sources) or not good:
        return None
    return From(paths=tuple(good), default=raw.get("default", NO_DEFAULT))


def parse_deadline(raw: Any, path: str, issues: Issues) -> Deadline | None:
    if not isinstance(raw, dict):
        issues.add(path, "deadline is a mapping: {field: payload.day, at: \"07:00\", "
                   "timezone: Europe/Oslo}")
        return None
    known_keys(raw, path, DEADLINE_KEYS, issues)
    field, at_raw, zone = raw.get("field"), raw.get("at"), raw.get("timezone", "UTC")
    ok = True
    try:
        parse_path(field)
    except ValueError as exc:
        issues.add(child(path, "field"), str(exc))
        ok = False
    try:
        at = time.fromisoformat(str(at_raw))
    except ValueError:
        issues.add(child(path, "at"), f"at must be a time of day like \"07:00\", got {at_raw!r}")
        ok = False
    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        issues.add(child(path, "timezone"), f"unknown time zone {zone!r} (e.g. Europe/Oslo)")
        ok = False
    days = raw.get("days_after", 1)
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        issues.add(child(path, "days_after"), f"days_after must be 0 or more, got {days!r}")
        ok = False
    if not ok:
        return None
    return Deadline(field=str(field), at=at, timezone=str(zone), days_after=days)
