"""Rules you can check: ``where:`` paths against the canonical model, and any/all over lists.

Before: a typo such as ``case.facilites.0.main_fuse_a`` was accepted and the rule never matched;
there was no "any facility". Both tests below failed before (the first with no error at all,
the second with "any must stand alone in its mapping").
"""

from __future__ import annotations

import pytest

from hub.routes import compile_condition
from hub.routes.model import Compare, ListCondition
from tests.factories import block_case, envelope, swedish_case
from tests.hub.routes.texts import assert_error, doc, errors, line, parse


def _rule(where: str, type_: str = "case.enriched") -> str:
    body = "\n".join(f"      {ln}" for ln in where.strip("\n").splitlines())
    return doc(f"""
- name: rule
  match:
    type: {type_}
    where:
{body}
  to: [kis]
""")


def test_a_misspelt_case_path_is_an_error_with_did_you_mean():
    assert_error(_rule("- {field: case.facilites.0.main_fuse_a, lte: 25}"), "facilites",
                 "routes[0].match.where[0].field",
                 "case has no field 'facilites' (did you mean 'facilities'?)")


@pytest.mark.parametrize(("where", "needle", "fragment"), [
    ("- {field: payload.griddata.short_circuit_current_kA, gte: 1}", "current_kA",
     "payload.griddata has no field 'short_circuit_current_kA' (did you mean "
     "'short_circuit_current_ka'?)"),
    ("- {field: case.facilities.main_fuse_a, lte: 25}", "facilities.main",
     "it is a list: take one element by its number, e.g. .0, or use any/all"),
    ("- {field: case.status.name, eq: x}", "status.name", "it is a single value"),
])
def test_payload_and_case_paths_are_checked(where, needle, fragment):
    assert_error(_rule(where), needle, "routes[0].match.where[0].field", fragment)


def test_a_path_valid_for_one_of_the_route_types_is_accepted():
    # griddata.answered carries GridData at the top, case.enriched under payload.griddata
    text = _rule("- {field: payload.short_circuit_current_ka, gte: 1}",
                 type_="[griddata.answered, case.enriched]")
    assert parse(text).routes[0].where == Compare("payload.short_circuit_current_ka", "gte", 1)


def test_any_over_a_list_checks_paths_relative_to_the_element():
    text = _rule("""
- field: case.facilities
  any:
    - {field: main_fuse, gt: 25}
""")
    found = errors(text)
    assert found == [f"routes.yaml:{line(text, 'main_fuse,')}: routes[0].match.where[0].any[0]"
                     ".field: main_fuse: the list element has no field 'main_fuse' (did you "
                     "mean 'main_fuse_a'?)"]


def test_any_and_all_need_a_list():
    assert_error(_rule("- {field: case.installation_type, all: [{field: x, eq: 1}]}"),
                 "installation_type", "routes[0].match.where[0].field",
                 "case.installation_type is not a list")


def _case_view(fuses: list[int]) -> dict:
    case = block_case(len(fuses), seed=4).model_dump(mode="json")
    for facility, fuse in zip(case["facilities"], fuses, strict=True):
        facility["main_fuse_a"] = fuse
    return case


@pytest.mark.parametrize(("fuses", "any_big", "all_small"), [
    ([16, 20, 35], True, False),
    ([16, 20, 25], False, True),
    ([63], True, False),
])
def test_any_and_all_over_facilities(fuses, any_big, all_small):
    text = _rule("""
- field: case.facilities
  any: [{field: main_fuse_a, gt: 25}]
""")
    where = parse(text).routes[0].where
    assert where == ListCondition("case.facilities", "any", Compare("main_fuse_a", "gt", 25))
    env = envelope("case.enriched", swedish_case(3), payload={})
    assert compile_condition(where)(env, _case_view(fuses)) is any_big
    every = ListCondition("case.facilities", "all", Compare("main_fuse_a", "lte", 25))
    assert compile_condition(every)(env, _case_view(fuses)) is all_small


def test_an_empty_or_missing_list_satisfies_neither_any_nor_all():
    env = envelope("case.enriched", swedish_case(3), payload={})
    for quantifier in ("any", "all"):
        test = compile_condition(ListCondition("case.facilities", quantifier,
                                            Compare("main_fuse_a", "lte", 25)))
        assert test(env, {"facilities": []}) is False
        assert test(env, {}) is False
        assert test(env, None) is False


def test_nested_lists_inside_an_element():
    test = compile_condition(ListCondition("payload.items", "all", ListCondition(
        "meters", "any", Compare("number", "eq", "M1"))))
    env = envelope("case.enriched", swedish_case(3), payload={
        "items": [{"meters": [{"number": "M0"}, {"number": "M1"}]},
                  {"meters": [{"number": "M1"}]}]})
    assert test(env) is True
    env2 = envelope("case.enriched", swedish_case(3), payload={
        "items": [{"meters": [{"number": "M0"}]}, {"meters": [{"number": "M1"}]}]})
    assert test(env2) is False


def test_an_emit_from_path_is_checked_unless_it_has_a_default():
    route = """
- name: note
  match: {type: case.enriched}
  emit:
    type: case.note.added
    payload:
      note:
        subject: x
        text: {from: case.referense}
        author: {from: payload.author, default: gridhub}
        at: {from: occurred_at}
"""
    assert_error(doc(route), "case.referense", "routes[0].emit.payload.note.text.from",
                 "case has no field 'referense' (did you mean 'reference'?)")


# -- main's path styles, checked the same way (after merging main into extend) -----------------


def test_a_quantified_path_is_checked_through_the_list():
    assert parse(_rule("- {field: case.facilities.any.main_fuse_a, gt: 25}")).routes
    assert_error(_rule("- {field: case.facilities.all.main_fuse, lte: 25}"), "main_fuse,",
                 "routes[0].match.where[0].field",
                 "case.facilities.all has no field 'main_fuse' (did you mean 'main_fuse_a'?)")


def test_the_grid_owner_settings_are_paths_of_the_case():
    assert parse(_rule("- {field: case.grid_owner.market, eq: ediel}")).routes
    assert parse(_rule("- {field: case.grid_owner.name, exists: true}")).routes
    assert_error(_rule("- {field: case.grid_owner.markt, eq: ediel}"), "markt",
                 "routes[0].match.where[0].field",
                 "case.grid_owner has no field 'markt' (did you mean 'market'?)")


def test_a_same_as_path_is_checked_like_the_field():
    assert parse(_rule("- {field: case.reference, same_as: payload.griddata.decision}")).routes
    assert_error(_rule("- {field: case.reference, same_as: payload.gridata}"), "gridata",
                 "routes[0].match.where[0].same_as", "did you mean 'griddata'?")


EACH = """
- name: per-facility
  match:
    type: case.approved
    where:
      - {field: item.%s, exists: true}
  each: case.facilities
  emit:
    type: workorder.requested
    payload:
      kind: meter_new_installation
      gsrn: {from: item.%s}
      at: {from: occurred_at}
"""


def test_item_names_the_element_of_an_each_route():
    table = parse(doc(EACH % ("facility_id", "facility_id")))
    assert table.routes[0].each == "case.facilities"
    assert_error(doc(EACH % ("facilty_id", "facility_id")), "item.facilty_id",
                 "routes[0].match.where[0].field", "did you mean 'facility_id'?")
    assert_error(doc(EACH % ("facility_id", "facility_ib")), "item.facility_ib",
                 "routes[0].emit.payload.gsrn.from", "did you mean 'facility_id'?")


def test_an_each_list_is_checked_against_the_case():
    text = doc((EACH % ("facility_id", "facility_id")).replace("case.facilities",
                                                               "case.facilites"))
    assert_error(text, "case.facilites", "routes[0].each", "did you mean 'facilities'?")


def test_same_as_inside_a_list_condition_reads_the_element_and_the_message():
    test = compile_condition(ListCondition("case.facilities", "any", Compare(
        "facility_id", "same_as", "payload.gsrn")))
    view = _case_view([16, 35])
    env = envelope("case.enriched", swedish_case(3),
                   payload={"gsrn": view["facilities"][1]["facility_id"]})
    assert test(env, view) is True
    other = envelope("case.enriched", swedish_case(3), payload={"gsrn": "735999999999999999"})
    assert test(other, view) is False
