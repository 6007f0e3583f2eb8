"""Parsing a route's ``where:`` into a condition tree, checking paths, operators and operands.

    where:                                  # a list: all must hold
      - {field: payload.installation_type, in: [new_installation, extension]}
      - any:                                # one of them
          - {field: payload.grid_owner.country, eq: SE}
          - {field: payload.postcode, matches: "^2[0-9]{4}$"}
      - not: {field: payload.flags, exists: true}
      - field: case.facilities              # a list: some element (any) or every one (all)
        any:                                #   paths inside are relative to the element
          - {field: main_fuse_a, gt: 25}
      - {field: case.facilities.all.main_fuse_a, lte: 25}   # the same, in one path (.any.)
      - {field: item.facility_id, same_as: payload.gsrn}    # two paths (item.: with each:)

Given a :class:`~hub.routes.fieldcheck.Scope` (the route's message types), every field path
is checked against the canonical model too, with a did-you-mean.
"""

from __future__ import annotations

import re
from typing import Any

from hub.routes.fieldcheck import Found, Scope
from hub.routes.model import AllOf, AnyOf, Compare, Condition, ListCondition, Not
from hub.routes.predicates import OPERATORS, QUANTIFIERS, check_operand, parse_path
from hub.routes.source import Issues, child, item, suggest

LOGICAL = ("all", "any", "not")
_SHAPE = ("a condition is {field: PATH, OPERATOR: VALUE}, or all: [...], any: [...], "
          "not: {...}, or {field: LIST, any|all: [...]}")


def parse_condition(raw: Any, path: str, issues: Issues,
                    scope: Scope | None = None) -> Condition | None:
    """The condition at ``path``; None (with errors recorded) when it is invalid. With a
    ``scope``, field paths are checked against the model (relative ones in a list element)."""
    if isinstance(raw, list):
        return _group(raw, path, issues, AllOf, scope)
    if not isinstance(raw, dict):
        issues.add(path, _SHAPE)
        return None
    if "field" in raw and any(q in raw for q in QUANTIFIERS):
        return _quantified(raw, path, issues, scope)
    logical = [key for key in LOGICAL if key in raw]
    if logical:
        return _logical(raw, logical, path, issues, scope)
    return _compare(raw, path, issues, scope)


def _group(raw: list[Any], path: str, issues: Issues,
           kind: type[AllOf] | type[AnyOf], scope: Scope | None) -> Condition | None:
    if not raw:
        issues.add(path, "an empty list of conditions; add conditions or remove the key")
        return None
    parsed = [parse_condition(sub, item(path, i), issues, scope) for i, sub in enumerate(raw)]
    conditions = tuple(c for c in parsed if c is not None)
    if len(conditions) != len(parsed):
        return None
    return conditions[0] if len(conditions) == 1 else kind(conditions)


def _quantified(raw: dict[str, Any], path: str, issues: Issues,
                scope: Scope | None) -> Condition | None:
    found = [q for q in QUANTIFIERS if q in raw]
    others = sorted(k for k in raw if k not in ("field", *found))
    if len(found) > 1 or others:
        issues.add(path, "a list condition is {field: LIST, any: [...]} or {field: LIST, all: "
                   "[...]} and nothing else (found also: " + ", ".join(found[1:] + others) + ")")
        return None
    quantifier = found[0]
    element = _field(raw["field"], child(path, "field"), issues, scope, want_list=True)
    if element is False:
        return None
    inner = parse_condition(raw[quantifier], child(path, quantifier), issues,
                            element if isinstance(element, Scope) else None)
    if inner is None:
        return None
    return ListCondition(raw["field"], quantifier, inner)


def _field(field: Any, path: str, issues: Issues, scope: Scope | None,
           want_list: bool = False) -> Scope | bool:
    """Check a condition's field path: False (recorded) when wrong; for a list condition the
    scope of its elements (or True when nothing is known to check them against)."""
    relative = scope is not None and scope.relative
    try:
        parse_path(field, relative=relative)
    except ValueError as exc:
        issues.add(path, str(exc))
        return False
    if scope is None:
        return True
    found = scope.resolve(field)
    if isinstance(found, str):
        issues.add(path, f"{field}: {found}")
        return False
    if want_list:
        if not isinstance(found, Found) or not found.is_list:
            issues.add(path, f"{field} is not a list: any/all take a list, e.g. "
                       "case.facilities")
            return False
        return scope.element(found)
    return True


def _logical(raw: dict[str, Any], logical: list[str], path: str,
             issues: Issues, scope: Scope | None) -> Condition | None:
    if len(raw) != 1:
        others = ", ".join(sorted(k for k in raw if k != logical[0]))
        issues.add(path, f"{logical[0]} must stand alone in its mapping (found also: "
                   f"{others}); nest the other conditions inside it")
        return None
    key = logical[0]
    sub_path = child(path, key)
    if key == "not":
        inner = parse_condition(raw[key], sub_path, issues, scope)
        return Not(inner) if inner is not None else None
    if not isinstance(raw[key], list):
        issues.add(sub_path, f"{key} takes a list of conditions")
        return None
    return _group(raw[key], sub_path, issues, AllOf if key == "all" else AnyOf, scope)


def _compare(raw: dict[str, Any], path: str, issues: Issues,
             scope: Scope | None) -> Condition | None:
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
    elif _field(raw["field"], child(path, "field"), issues, scope) is False:
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
    if op == "same_as" and scope is not None and not scope.relative:
        why = scope.check(raw[op])  # the other path is checked like the field
        if why is not None:
            issues.add(child(path, op), f"{raw[op]}: {why}")
            return None
    value = re.compile(raw[op]) if op == "matches" else raw[op]
    return Compare(raw["field"], op, value) if ok else None
