"""What the case process needs of routes.yaml: conditions over any or all facilities, an
emit per facility (``each``), and per-grid-owner market configuration (``grid_owners``)."""

from __future__ import annotations

import pytest

from hub.router import Emitted, Router
from hub.routes import RoutesFileError, parse_routes
from tests.factories import block_case, envelope, swedish_case

OWNERS = """\
grid_owners:
  "7359993217913":
    name: Helsingborgs Nät AB
    country: SE
    market: ediel
    grid_area: HEL
    parties: [{id: "7359993217913", role: DDM}]
  "7070573217917":
    name: Sørlandsnett AS
    country: "NO"
    market: elhub
    grid_area: 50Y73EMZ34CQL9AJ
    parties: [{id: "7070573217917", role: DDM}]
"""
ROUTES = """\
version: 1
connectors:
  metering: {plugin: metering}
  elhub: {plugin: elhub}
routes:
  - name: one-job-per-facility
    match:
      type: case.completion.approved
      where: {field: item.facility_id, exists: true}
    each: case.facilities
    emit:
      type: workorder.requested
      payload: {kind: meter_new_installation, gsrn: {from: item.facility_id},
                at: {from: occurred_at}}
  - name: all-small-fuses
    match:
      type: case.note.added
      where: {field: case.facilities.all.main_fuse_a, lte: 25}
    to: [metering]
  - name: any-big-fuse
    match:
      type: case.note.added
      where: {field: case.facilities.any.main_fuse_a, gt: 25}
    to: [elhub]
  - name: norwegian-market
    match:
      type: case.archived
      where: {field: case.grid_owner.market, eq: elhub}
    to: [elhub]
""" + OWNERS


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(parse_routes(ROUTES, env={}))


def _view(case, **extra):
    return {**case.model_dump(mode="json"), **extra}


def test_each_emits_one_message_per_facility_with_distinct_ids(router):
    case = block_case(3)
    message = envelope("case.completion.approved", case, payload={})
    emitted = [a for a in router.route(message, _view(case)) if isinstance(a, Emitted)]
    assert [e.message.payload["gsrn"] for e in emitted] == \
        [f.facility_id.reveal() for f in case.facilities]
    assert len({e.message.message_id for e in emitted}) == 3
    again = [a for a in router.route(message, _view(case)) if isinstance(a, Emitted)]
    assert [e.message.message_id for e in again] == [e.message.message_id for e in emitted]


def test_each_skips_elements_its_where_refuses(router):
    case = block_case(2)
    view = _view(case)
    view["facilities"][1]["facility_id"] = None
    message = envelope("case.completion.approved", case, payload={})
    emitted = [a for a in router.route(message, view) if isinstance(a, Emitted)]
    assert len(emitted) == 1


def test_all_and_any_over_facilities(router):
    case = block_case(3)
    view = _view(case)
    for fac in view["facilities"]:
        fac["main_fuse_a"] = 20
    message = envelope("case.note.added", case)
    assert [a.destination for a in router.route(message, view)] == ["metering"]
    view["facilities"][2]["main_fuse_a"] = 63
    assert [a.destination for a in router.route(message, view)] == ["elhub"]


def test_all_over_an_empty_list_does_not_hold(router):
    case = swedish_case(1)
    view = _view(case, facilities=[])
    assert router.route(envelope("case.note.added", case), view) == []


def test_grid_owner_market_comes_from_configuration(router):
    se = swedish_case(1)
    se_view = _view(se)
    se_view["grid_owner"]["gln"] = "7359993217913"
    no_view = {**se_view, "grid_owner": {**se_view["grid_owner"], "gln": "7070573217917"}}
    message = envelope("case.archived", se, payload={})
    assert router.route(message, se_view) == []
    assert [a.destination for a in router.route(message, no_view)] == ["elhub"]
    unknown = {**se_view, "grid_owner": {**se_view["grid_owner"], "gln": "7359990000002"}}
    assert router.route(message, unknown) == []  # not configured: no market message


@pytest.mark.parametrize("owner, error", [
    ('"7070573217917": {name: X, country: "NO", market: ediel, grid_area: 50Y73EMZ34CQL9AJ}',
     "grid_owners.7070573217917.market: a grid owner in NO reports to elhub, not 'ediel'"),
    ('"7359993217913": {name: X, country: SE, market: ediel, grid_area: 50Y73EMZ34CQL9AJ}',
     "grid_owners.7359993217913.grid_area: grid_area in SE is a three-letter nätområde id"),
    ('"12345": {name: X, country: SE, market: ediel, grid_area: HEL}',
     "grid_owners.12345: a grid owner is keyed by its 13-digit GLN"),
    ('"7359993217913": {name: X, country: SE, market: ediel, grid_area: HEL, '
     'parties: [{id: "7359993217913", role: DDQ}]}',
     "role in ediel is one of DDM, MDR, not 'DDQ'"),
])
def test_bad_grid_owner_configuration_is_named(owner, error):
    text = ROUTES.split("grid_owners:")[0] + "grid_owners:\n  " + owner + "\n"
    with pytest.raises(RoutesFileError) as info:
        parse_routes(text, env={})
    assert error in str(info.value)


def test_each_goes_with_emit_alone():
    text = ROUTES.replace("    each: case.facilities\n",
                          "    each: case.facilities\n    to: [metering]\n")
    with pytest.raises(RoutesFileError) as info:
        parse_routes(text, env={})
    assert "each goes with emit alone" in str(info.value)


def test_same_as_compares_two_paths_of_one_message():
    from hub.routes import compile_condition
    from hub.routes.model import Compare

    same = compile_condition(Compare("item.gsrn", "same_as", "payload.gsrn"))
    message = envelope("workorder.reported", swedish_case(1))
    gsrn = message.payload["gsrn"]
    assert same(message, {"__item__": {"gsrn": gsrn}})
    other = "735999442974511872" if gsrn != "735999442974511872" else "735999324554010770"
    assert not same(message, {"__item__": {"gsrn": other}})
    assert not same(message, {"__item__": {}})  # missing on one side: never the same
