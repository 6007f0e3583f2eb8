"""Parsing ``where:``: the tree it builds, and every bad predicate named by line and key."""

from __future__ import annotations

import re

import pytest

from hub.routes import AllOf, AnyOf, Compare, Not
from tests.hub.routes.texts import assert_error, doc, errors, line, parse


def _where(where: str) -> str:
    """A route whose match.where is the block ``where`` (indented under where:)."""
    body = "\n".join(f"      {ln}" for ln in where.strip("\n").splitlines())
    return doc(f"""
- name: filtered
  match:
    type: case.submitted
    where:
{body}
  to: [kis]
""")


def _tree(where: str):
    [route] = parse(_where(where)).routes
    return route.where


def test_a_list_is_all_and_a_single_condition_stays_single():
    assert _tree("- {field: source, eq: elsmart}") == Compare("source", "eq", "elsmart")
    assert _tree("{field: source, eq: elsmart}") == Compare("source", "eq", "elsmart")
    assert _tree("- {field: source, eq: elsmart}\n- {field: case_id, exists: true}") == AllOf(
        (Compare("source", "eq", "elsmart"), Compare("case_id", "exists", True)))


def test_any_all_and_not_nest():
    tree = _tree("""
- any:
    - {field: payload.grid_owner.country, eq: SE}
    - all:
        - {field: payload.grid_owner.country, eq: NO}
        - {field: payload.postcode, matches: "^46"}
- not: {field: payload.flags, exists: true}
""")
    assert isinstance(tree, AllOf)
    first, second = tree.conditions
    assert isinstance(first, AnyOf) and isinstance(first.conditions[1], AllOf)
    regex = first.conditions[1].conditions[1]
    assert isinstance(regex, Compare) and regex.value == re.compile("^46")
    assert second == Not(Compare("payload.flags", "exists", True))


@pytest.mark.parametrize(("where", "needle", "key", "fragment"), [
    ("- {field: payload.postcode, equals: 1}", "equals", "routes[0].match.where[0].equals",
     "unknown operator 'equals' (operators: eq, ne, in, not_in"),
    ("- {field: payload.postcode, in: SE}", "in: SE", "routes[0].match.where[0].in",
     "in takes a non-empty list"),
    ("- {field: payload.postcode, not_in: []}", "not_in", "routes[0].match.where[0].not_in",
     "not_in takes a non-empty list"),
    ("- {field: payload.postcode, in: [a, [b]]}", "in: [a", "routes[0].match.where[0].in",
     "list of plain values"),
    ("- {field: payload.postcode, exists: yes}", "exists", "routes[0].match.where[0].exists",
     "exists takes true or false"),
    ("- {field: payload.postcode, lt: [1]}", "lt: [1]", "routes[0].match.where[0].lt",
     "lt takes a number or a string"),
    ("- {field: payload.postcode, gte: true}", "gte", "routes[0].match.where[0].gte",
     "gte takes a number or a string"),
    ("- {field: payload.postcode, eq: [a, b]}", "eq: [a", "routes[0].match.where[0].eq",
     "for several use in/not_in"),
    ("- {field: payload.postcode, ne: null}", "ne: null", "routes[0].match.where[0].ne",
     "use exists: false"),
    ('- {field: payload.postcode, matches: "(unclosed"}', "unclosed",
     "routes[0].match.where[0].matches",
     "bad regular expression '(unclosed'"),
    ("- {field: payload.postcode, matches: 5}", "matches: 5", "routes[0].match.where[0].matches",
     "regular expression as a string"),
    ("- {field: payload..x, eq: 1}", "payload..x", "routes[0].match.where[0].field",
     "bad field path 'payload..x'"),
    ("- {field: body.x, eq: 1}", "body.x", "routes[0].match.where[0].field",
     "must start with one of message_id, case_id"),
    ("- {field: source.name, eq: 1}", "source.name", "routes[0].match.where[0].field",
     "only payload, case and item have fields below them"),
    ("- {field: payload.postcode, eq: 1, ne: 2}", "ne: 2", "routes[0].match.where[0]",
     "one operator per condition, found eq, ne"),
    ("- {field: payload.postcode}", "payload.postcode", "routes[0].match.where[0]",
     "the condition has no operator"),
    ("- {eq: 1}", "eq: 1", "routes[0].match.where[0]", "the condition names no field"),
    ("- {any: [{field: source, eq: kis}], field: source}", "any:",
     "routes[0].match.where[0].field", "source is not a list: any/all take a list"),
    ("- {all: [{field: source, eq: kis}], any: [], field: source}", "all:",
     "routes[0].match.where[0]", "a list condition is {field: LIST, any: [...]}"),
    ("- {any: {field: source, eq: kis}}", "any:", "routes[0].match.where[0].any",
     "any takes a list of conditions"),
    ("- {all: []}", "all:", "routes[0].match.where[0].all", "an empty list of conditions"),
    ("- just-text", "just-text", "routes[0].match.where[0]", "a condition is {field: PATH"),
    ("[]", "where:", "routes[0].match.where", "an empty list of conditions"),
])
def test_bad_predicates(where, needle, key, fragment):
    assert_error(_where(where), needle, key, fragment)


def test_errors_deep_in_a_tree_name_the_full_path():
    text = _where("""
- any:
    - {field: source, eq: kis}
    - not:
        all:
          - {field: payload.postcode, eq: 1}
          - {field: payload.municipality, between: [1, 2]}
""")
    assert_error(text, "between", "routes[0].match.where[0].any[1].not.all[1].between",
                 "unknown operator 'between'")


def test_several_bad_conditions_are_all_reported():
    text = _where("""
- {field: payload.postcode, in: 1}
- {field: payload..y, eq: 1}
""")
    found = errors(text)
    assert found == [
        f"routes.yaml:{line(text, 'in: 1')}: routes[0].match.where[0].in: in takes a non-empty "
        "list, e.g. in: [a, b]",
        f"routes.yaml:{line(text, 'payload..y')}: routes[0].match.where[1].field: bad field "
        "path 'payload..y': segment '' is not a name or a list index (e.g. "
        "payload.facilities.0.facility_id)",
    ]
