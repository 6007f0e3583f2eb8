"""The router: recipient lists, all matching routes, the splitter and the aggregator."""

from __future__ import annotations

import copy

import pytest

from hub.errors import ConfigurationError, InvalidMessage
from hub.retry import RetryPolicy
from hub.router import AggregatePart, Delivery, Router
from hub.routes import load_routes, parse_routes
from schemas.envelope import derived_message_id
from schemas.payloads import CaseEnriched, parse_payload
from tests.factories import block_case, envelope, swedish_case
from tests.support.shipped import SHIPPED_ROUTES, SHIPPED_SECRETS

ROUTES = """\
version: 1
retry_policies:
  patient: {immediate: 0, delayed: 20, initial_delay: 10s, max_delay: 30m, max_age: 3d}
connectors:
  kis: {plugin: kis}
  nis: {plugin: nis}
  metering: {plugin: metering}
  audit: {plugin: webhook}
routes:
  - name: new-case-lookups
    match:
      type: case.submitted
      where:
        - {field: payload.installation_type, in: [new_installation, extension]}
        - {field: payload.grid_owner.country, eq: SE}
    to: [kis, nis]
  - name: audit-everything-submitted
    match: {type: [case.submitted, case.completion.submitted]}
    to: [audit]
    retry: patient
  - name: block-workorders
    match: {type: case.completion.submitted}
    split: payload.facilities
    to: [metering]
    retry: patient
  - name: enrich-case
    aggregate:
      parts: {lookup: facility.lookup.answered, griddata: griddata.answered}
      timeout: 30s
      emit: case.enriched
"""
PATIENT = RetryPolicy(immediate=0, delayed=20, initial_delay=10, max_delay=1800,
                      max_age=3 * 86400)


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(parse_routes(ROUTES, env={}))


def test_recipient_list_and_every_matching_route(router):
    msg = envelope("case.submitted", swedish_case(1))
    actions = router.route(msg)
    assert [(a.route, a.destination) for a in actions] == [
        ("new-case-lookups", "kis"), ("new-case-lookups", "nis"),
        ("audit-everything-submitted", "audit")]
    for action in actions:
        assert isinstance(action, Delivery)
        out = action.message
        assert out.message_id == derived_message_id(msg.message_id, action.route,
                                                    action.destination)
        assert out.causation_id == msg.message_id
        assert (out.case_id, out.type, out.source, out.payload, out.occurred_at) == (
            msg.case_id, msg.type, msg.source, msg.payload, msg.occurred_at)
    assert len({a.message.message_id for a in actions}) == 3
    assert actions[0].policy == RetryPolicy()  # the default policy
    assert actions[2].policy == PATIENT


def test_where_filters_a_route_out(router):
    msg = envelope("case.submitted", swedish_case(2, installation_type="fuse_change",
                                                  job_type="fuse_upgrade"))
    assert [a.route for a in router.route(msg)] == ["audit-everything-submitted"]


def test_no_route_matches(router):
    assert router.route(envelope("case.note.added", swedish_case(3))) == []


def test_split_of_a_three_facility_block_notification(router):
    case = block_case(3, seed=4)
    msg = envelope("case.completion.submitted", case)
    original = copy.deepcopy(msg.payload)
    actions = router.route(msg)
    split = [a for a in actions if a.route == "block-workorders"]
    assert actions[0].route == "audit-everything-submitted"
    assert len(split) == 3 and all(isinstance(a, Delivery) for a in split)
    for index, action in enumerate(split):
        out = action.message
        assert action.destination == "metering" and action.policy == PATIENT
        assert out.message_id == derived_message_id(msg.message_id, "block-workorders",
                                                    "metering", str(index))
        assert out.causation_id == msg.message_id and out.case_id == case.case_id
        assert out.payload["facilities"] == [original["facilities"][index]]
        assert (out.payload["split_index"], out.payload["split_count"]) == (index, 3)
        rest = {k: v for k, v in out.payload.items()
                if k not in ("facilities", "split_index", "split_count")}
        assert rest == {k: v for k, v in original.items() if k != "facilities"}
    gsrns = [a.message.payload["facilities"][0]["facility_id"] for a in split]
    assert gsrns == [f["facility_id"] for f in original["facilities"]]
    assert len(set(gsrns)) == 3
    assert msg.payload == original  # the input is not changed


def test_routing_the_same_input_twice_gives_the_same_outputs(router):
    msg = envelope("case.completion.submitted", block_case(3, seed=5))
    first = router.route(msg)
    again = Router(parse_routes(ROUTES, env={})).route(msg)  # e.g. after a restart
    assert [a.message for a in first] == [a.message for a in again]
    assert len({a.message.message_id for a in first}) == 4


def test_split_of_a_missing_list_is_an_invalid_message():
    table = parse_routes(ROUTES.replace("split: payload.facilities", "split: payload.blocks"),
                         env={})
    msg = envelope("case.completion.submitted", block_case(2, seed=6))
    with pytest.raises(InvalidMessage, match=r"splits on payload\.blocks, which is missing"):
        Router(table).route(msg)


def test_split_on_a_nested_list_replaces_only_that_list():
    table = parse_routes(ROUTES.replace("split: payload.facilities",
                                        "split: payload.grid_owner.regions"), env={})
    case = block_case(1, seed=7)
    payload = case.model_dump(mode="json")
    payload["grid_owner"]["regions"] = ["north", "south"]
    msg = envelope("case.completion.submitted", case, payload=payload)
    split = [a for a in Router(table).route(msg) if a.route == "block-workorders"]
    assert [a.message.payload["grid_owner"]["regions"] for a in split] == [["north"], ["south"]]
    assert split[0].message.payload["grid_owner"]["name"] == payload["grid_owner"]["name"]
    assert payload["grid_owner"]["regions"] == ["north", "south"]


def test_aggregator_parts(router):
    case = swedish_case(8)
    lookup = envelope("facility.lookup.answered", case)
    [part] = router.route(lookup)
    assert part == AggregatePart(
        route="enrich-case", key=f"enrich-case:{case.case_id}",
        part_type="facility.lookup.answered",
        expected=frozenset({"facility.lookup.answered", "griddata.answered"}),
        timeout_s=30.0, emit="case.enriched", message=lookup)
    [grid_part] = router.route(envelope("griddata.answered", case))
    assert grid_part.key == part.key and grid_part.part_type == "griddata.answered"


def test_complete_builds_the_emitted_message(router):
    case = swedish_case(9)
    lookup = envelope("facility.lookup.answered", case, step=1)
    grid = envelope("griddata.answered", case, step=2)
    [part] = router.route(lookup)
    parts = {m.type: m.model_dump(mode="json") for m in (lookup, grid)}
    emitted = router.complete(part, part.key, parts, timed_out=False)
    assert emitted.type == "case.enriched" and emitted.case_id == case.case_id
    assert emitted.source == "hub"
    assert emitted.payload == {"lookup": lookup.payload, "griddata": grid.payload,
                               "missing": []}
    assert emitted.causation_id == grid.message_id  # the latest part
    assert emitted.occurred_at == grid.occurred_at
    enriched = parse_payload(emitted)  # the canonical model takes it as it is
    assert isinstance(enriched, CaseEnriched) and enriched.griddata is not None
    again = router.complete("enrich-case", part.key, parts, timed_out=False)
    assert again == emitted  # deterministic: a re-emission after a crash is a duplicate


def test_complete_after_a_timeout_lists_the_missing_parts(router):
    case = swedish_case(10)
    lookup = envelope("facility.lookup.answered", case)
    key = f"enrich-case:{case.case_id}"
    parts = {lookup.type: lookup.model_dump(mode="json")}
    emitted = router.complete("enrich-case", key, parts, timed_out=True)
    assert emitted.payload == {"lookup": lookup.payload, "missing": ["griddata"]}
    assert emitted.causation_id == lookup.message_id
    assert isinstance(parse_payload(emitted), CaseEnriched)
    later_round = envelope("facility.lookup.answered", case, step=30)
    second = router.complete("enrich-case", key, {later_round.type:
                                                  later_round.model_dump(mode="json")},
                             timed_out=True)
    assert second.message_id != emitted.message_id  # a new round is a new message


def test_complete_for_an_unknown_route_or_a_foreign_key(router):
    with pytest.raises(ConfigurationError, match="no aggregate route 'gone'"):
        router.complete("gone", "gone:SE-1000", {}, timed_out=True)
    with pytest.raises(ValueError, match="does not belong to route 'enrich-case'"):
        router.complete("enrich-case", "other:SE-1000", {}, timed_out=True)


def test_the_shipped_routes_route_a_decision_to_portal_and_installer():
    table = load_routes(SHIPPED_ROUTES, env=SHIPPED_SECRETS)
    router = Router(table)
    approved = envelope("case.approved", swedish_case(11))
    assert [(a.route, a.destination) for a in router.route(approved)] == [
        ("decision-to-portal-and-installer", "elsmart"),
        ("decision-to-portal-and-installer", "notify")]
