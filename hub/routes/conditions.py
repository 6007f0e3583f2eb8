"""Parsing a route's ``where:`` into a condition tree, checking paths, operators and operands.

    where:                                  # a list: all must hold
      - {field: payload.installation_type, in: [new_installation, extension]}
      - any:                                # one of them
          - {field: payload.grid_owner.country, eq: SE}
          - {field: payload.postcode, matches: "^2[0-9]{4}$"}
      - not: {field: payload.flags, exists: true}
"""

from __future__ import annotations

import re
from typing import Any

from hub.routes.model import AllOf, AnyOf, Compare, Condition, Not
from hub.routes.predicates import OPERATORS, check_operand, parse_path
from hub.routes.source import Issues, child, item, suggest

LOGICAL = ("all", "any", "not")
_SHAPE = "a condition is {field: PATH, OPERATOR: VALUE}, or all: [...], any: [...], not: {...}"


def parse_condition(raw: Any, path: str, issues: Issues) -> Condition | None:
    """The condition at ``path``; None (with errors recorded) when it is invalid."""
    if isinstance(raw, list):
        return _group(raw, path, issues, AllOf)
    if not isinstance(raw, dict):
        issues.add(path, _SHAPE)
        return None
    logical = [key for key in LOGICAL if key in raw]
    if logical:
        return _logical(raw, logical, path, issues)
    return _compare(raw, path, issues)


def _group(raw: list[Any], path: str, issues: Issues,
           kind: type[AllOf] | type[AnyOf]) -> Condition | None:
    if not raw:
        issues.add(path, "an empty list of conditions; add conditions or remove the key")
        return None
    parsed = [parse_condition(sub, item(path, i), issues) for i, sub in enumerate(raw)]
    conditions = tuple(c for c in parsed if c is not None)
    if len(conditions) != len(parsed):
        return None
    return conditions[0] if len(conditions) == 1 else kind(conditions)


def _logical(raw: dict[str, Any], logical: list[str], path: str,
             issues: Issues) -> Condition | None:
    if len(raw) != 1:
        others = ", ".join(sorted(k for k in raw if k != logical[0]))
        issues.add(path, f"{logical[0]} must stand alone in its mapping (found also: "
                   f"{others}); nest the other conditions inside it")
        return None
    key = logical[0]
    sub_path = child(path, key)
    if key == "not":
        inner = parse_condition(raw[key], sub_path, issues)
        return Not(inner) if inner is not None else None
    if not isinstance(raw[key], list):
        issues.add(sub_path, f"{key} takes a list of conditions")
        return None
    return _group(raw[key], sub_path, issues, AllOf if key == "all" else AnyOf)


def _compare(raw: dict[str, Any], path: str, issues: Issues) -> Condition | None:
    ok = True
    operators = []
    for key in raw:
        if key == "field":
            continue
        if key in OPERATORS:
            operators.append(key)
        else:
            issues.add(child(path, key), f"unknown operator {key!r}"
                       f"{suggest(key, (*OPERATORS, *LOGICAL))} (operators: "
                       f"{', '.join(OPERATORS)}; or all/any/not)")
            ok = False
    if "field" not in raw:
        issues.add(path, f"the condition names no field; {_SHAPE}")
        ok = False
    else:
        try:
            parse_path(raw["field"])
        except ValueError as exc:
            issues.add(child(path, "field"), str(exc))
            ok = False
    if len(operators) > 1:
        issues.add(path, f"one operator per condition, found {', '.join(operators)}; "
                   "list several conditions instead")
        return None
    if not operators:
        if ok:
            issues.add(path, f"the condition has no operator ({', '.join(OPERATORS)})")
        return None
    op = operators[0]
    why = check_operand(op, raw[op])
    if why is not None:
        issues.add(child(path, op), why)
        return None
    value = re.compile(raw[op]) if op == "matches" else raw[op]
    return Compare(raw["field"], op, value) if ok else None
