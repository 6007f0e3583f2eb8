"""Field paths and compiled predicates over real envelopes: every operator, true and false."""

from __future__ import annotations

import re

import pytest

from hub.routes import AllOf, AnyOf, Compare, Not, compile_condition, getter, parse_path
from hub.routes.predicates import MISSING, check_operand
from tests.factories import block_case, envelope, swedish_case

CASE = swedish_case(7)
ENV = envelope("case.submitted", CASE)
EXTRA = envelope("case.submitted", CASE, payload={
    **CASE.model_dump(mode="json"), "count": 3, "ratio": 0.5, "flag": True, "nothing": None,
    "postcode_number": 25228})


def _holds(field: str, op: str, value: object, env=EXTRA) -> bool:
    operand = re.compile(value) if op == "matches" else value  # the loader compiles regexes
    return compile_condition(Compare(field, op, operand))(env)


def test_paths_reach_envelope_fields_payload_fields_and_list_items():
    block = envelope("case.completion.submitted", block_case(3, seed=2))
    gsrn = block.payload["facilities"][1]["facility_id"]
    assert getter("payload.facilities.1.facility_id")(block) == gsrn
    assert getter("payload.grid_owner.country")(ENV) == "SE"
    assert getter("type")(ENV) == "case.submitted"
    assert getter("case_id")(ENV) == CASE.case_id
    assert getter("occurred_at")(ENV) == ENV.occurred_at.isoformat()
    assert getter("payload.facilities.3.facility_id")(block) is MISSING  # past the end
    assert getter("payload.grid_owner.0")(ENV) is MISSING  # an index into a mapping
    assert getter("payload.nothing")(EXTRA) is MISSING  # null counts as missing
    assert getter("causation_id")(ENV) is MISSING


@pytest.mark.parametrize("path", ["", "payload.", ".payload", "payload..x", "payload.a b",
                                  "headers.x", "type.x", "payload.x[0]"])
def test_bad_paths(path):
    with pytest.raises(ValueError, match="field path"):
        parse_path(path)


def test_parse_path_splits_segments():
    assert parse_path("payload.facilities.0.facility_id") == (
        "payload", "facilities", "0", "facility_id")


@pytest.mark.parametrize(("field", "op", "value", "expected"), [
    ("payload.grid_owner.country", "eq", "SE", True),
    ("payload.grid_owner.country", "eq", "NO", False),
    ("payload.count", "eq", 3, True),
    ("payload.flag", "eq", 1, False),  # true is not 1
    ("payload.count", "eq", True, False),
    ("payload.flag", "eq", True, True),
    ("payload.grid_owner.country", "ne", "NO", True),
    ("payload.grid_owner.country", "ne", "SE", False),
    ("payload.installation_type", "in", ["new_installation", "extension"], True),
    ("payload.installation_type", "in", ["fuse_change"], False),
    ("payload.count", "in", [1, 2, 3], True),
    ("payload.count", "in", ["3"], False),
    ("payload.installation_type", "not_in", ["fuse_change"], True),
    ("payload.installation_type", "not_in", ["new_installation"], False),
    ("payload.count", "lt", 4, True),
    ("payload.count", "lt", 3, False),
    ("payload.count", "lte", 3, True),
    ("payload.count", "lte", 2, False),
    ("payload.ratio", "gt", 0.25, True),
    ("payload.ratio", "gt", 0.5, False),
    ("payload.ratio", "gte", 0.5, True),
    ("payload.ratio", "gte", 0.75, False),
    ("payload.received_on", "gte", "2024-03-01", True),  # ISO dates order as strings
    ("payload.received_on", "lt", "2024-03-01", False),
    ("payload.grid_owner.country", "gt", 1, False),  # text against a number: false
    ("payload.flag", "gt", 0, False),  # booleans are not numbers
    ("payload.facilities", "exists", True, True),
    ("payload.facilities", "exists", False, False),
    ("payload.reference", "matches", "^MEE[0-9]+$", True),
    ("payload.reference", "matches", "^SNS", False),
    ("payload.postcode_number", "matches", "^252", True),  # numbers are matched as text
    ("payload.flag", "matches", "True", False),
    ("payload.grid_owner", "matches", ".*", False),  # a mapping is not text
])
def test_operators(field, op, value, expected):
    assert _holds(field, op, value) is expected


@pytest.mark.parametrize(("op", "value", "expected"), [
    ("eq", "x", False), ("ne", "x", True), ("in", ["x"], False), ("not_in", ["x"], True),
    ("lt", 5, False), ("lte", 5, False), ("gt", 5, False), ("gte", 5, False),
    ("exists", True, False), ("exists", False, True), ("matches", ".*", False),
])
def test_a_missing_field_is_not_equal_to_anything(op, value, expected):
    assert _holds("payload.no_such_field", op, value) is expected
    assert _holds("payload.nothing", op, value) is expected  # JSON null is missing too
    assert _holds("payload.grid_owner.no.deeper", op, value) is expected


def test_all_any_not_and_no_condition():
    se = Compare("payload.grid_owner.country", "eq", "SE")
    no = Compare("payload.grid_owner.country", "eq", "NO")
    assert compile_condition(AllOf((se, Compare("source", "eq", "elsmart"))))(ENV)
    assert not compile_condition(AllOf((se, no)))(ENV)
    assert compile_condition(AnyOf((no, se)))(ENV)
    assert not compile_condition(AnyOf((no, Compare("type", "eq", "case.approved"))))(ENV)
    assert compile_condition(Not(no))(ENV)
    assert not compile_condition(Not(se))(ENV)
    assert compile_condition(None)(ENV)


@pytest.mark.parametrize(("op", "value"), [
    ("eq", "SE"), ("ne", 1), ("in", ["a", 1, True]), ("lt", 1.5), ("gte", "2024-01-01"),
    ("exists", False), ("matches", "^[0-9]{5}$")])
def test_good_operands(op, value):
    assert check_operand(op, value) is None


def test_unknown_operator_is_named():
    assert check_operand("like", "x") == ("unknown operator 'like' (operators: eq, ne, in, "
                                          "not_in, lt, lte, gt, gte, exists, matches, "
                                          "same_as)")
