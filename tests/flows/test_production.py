"""Issue 15 item 8: production and plus customers (mikroproduktion, plusskunde, innmating):
the same meter measures both directions; the market gets a production metering point: Norway's
datahub (Elhub), and in Sweden the supplier buying the production, over Ediel."""

from __future__ import annotations

import re
from datetime import date

from hub.demo.cases import NO_GSRN_PREFIX, norwegian_case, production_point, swedish_case
from schemas.identifier_samples import make_gsrn
from tests.flows.conftest import in_handler_queue, work_until

SUPPLIER, BUYER = "12345", "23456"  # the customer's supplier; the one buying the production


def test_item8_a_plus_customer_gets_a_production_metering_point_in_the_market(d):
    plain = norwegian_case(71, job_type="production")
    facility = plain.facilities[0]
    production = make_gsrn(9_071, NO_GSRN_PREFIX)
    case = plain.model_copy(update={"facilities": [facility.model_copy(
        update={"production_id": production})]})
    d.known_to_kis(case)
    d.installer.submit(case)
    d.wait_for(lambda: in_handler_queue(d, case.case_id), "queued")
    _approved_completed_and_archived(d, case)
    points = d.world.elhub.hub.metering_points
    consumption = points[facility.facility_id.reveal()]
    made = d.wait_for(lambda: points.get(production.reveal(), {}).get("status") == "active"
                      and points[production.reveal()], "the production point active")
    assert (consumption["type"], consumption["status"]) == ("E17", "active")
    assert made["type"] == "E18"  # innmating: what flows into the grid
    assert made["meter_number"] == consumption["meter_number"]  # one meter, both directions
    # The meter's values, both directions: drawn from the grid on the consumption point,
    # fed in (innmating) on the production point, a day each.
    for gsrn in (facility.facility_id.reveal(), production.reveal()):
        d.coordinator.publish_values(gsrn, date(2024, 6, 3))
    received = d.world.elhub.hub.values_received
    d.wait_for(lambda: received.get(facility.facility_id.reveal())
               and received.get(production.reveal()), "both directions at the datahub")
    assert received[production.reveal()] == 96
    assert not d.store.dead_letters()


def _received(d, to: str, function: str, point: str) -> list[dict]:
    """What the Ediel simulator's party ``to`` received for ``point`` (a BGM function)."""
    return [r for r in d.world.ediel.snapshot()["received"]
            if r["to"] == to and function in r["functions"] and point in r["raw"]]


def test_item8_a_swedish_plus_customer_s_production_point_reaches_its_supplier_over_ediel(d):
    plain = swedish_case(72, job_type="production")
    facility = plain.facilities[0]
    case = plain.model_copy(update={"facilities": [facility.model_copy(
        update={"production_id": production_point(72)})]})
    consumption, fed_in = facility.facility_id.reveal(), production_point(72).reveal()
    d.known_to_kis(case)
    # the customer register knows the production point too, not in operation before its meter
    register = d.world.kis.state.data["facilities"]
    register[fed_in] = {**register[consumption], "facility_id": fed_in}
    d.installer.submit(case)
    d.wait_for(lambda: case.case_id in d.handler.waiting(), "the case in the handler queue")
    # a move-in (LK) at each point: the customer's supplier, and the supplier buying the
    # production, which must notify LK for a production point (ediel-sweden.md §1.3)
    d.world.ediel.send_start(consumption, date(2024, 4, 1), reason="Z23", supplier=SUPPLIER)
    d.world.ediel.send_start(fed_in, date(2024, 4, 1), reason="Z23", supplier=BUYER)
    d.wait_for(lambda: d.world.kis.state.supplier_of(fed_in) == BUYER, "KIS has the buyer")
    _approved_completed_and_archived(d, case)
    [z04] = d.wait_for(lambda: _received(d, BUYER, "Z04", fed_in), "the production point's Z04")
    # reason D (obligation to receive) and metering point type E18, with the one meter
    assert "CCI++Z13'CAV+Z70'CCI+++E12::260'CAV+E18::260'" in z04["raw"]
    [z04_consumption] = d.wait_for(lambda: _received(d, SUPPLIER, "Z04", consumption),
                                   "the consumption point's Z04")
    assert "CAV+Z23'" in z04_consumption["raw"] and "CAV+E18" not in z04_consumption["raw"]
    [meter] = re.findall(r"RFF\+MG:([^']+)'", z04["raw"])
    assert f"RFF+MG:{meter}'" in z04_consumption["raw"]  # one meter, both directions
    [start] = re.findall(r"DTM\+92:(\d{8})0000:203'", z04["raw"])
    day = date(int(start[:4]), int(start[4:6]), int(start[6:]))
    # the meter's values, both directions, each to its point's supplier: drawn from the grid
    # on the consumption point (E17), fed in on the production point (E18)
    for gsrn in (consumption, fed_in):
        d.coordinator.publish_values(gsrn, day)
    [drawn] = d.wait_for(lambda: _received(d, SUPPLIER, "E66", consumption), "drawn values")
    [fed] = d.wait_for(lambda: _received(d, BUYER, "E66", fed_in), "fed-in values")
    assert f"LOC+172+{fed_in}::9'" in fed["raw"] and "CAV+E18::260'" in fed["raw"]
    assert f"LOC+172+{consumption}::9'" in drawn["raw"] and "CAV+E17::260'" in drawn["raw"]
    assert fed["raw"].count("QTY+136:") == 96
    assert not _received(d, BUYER, "E66", consumption)  # nobody gets another point's values
    # the Swedish case sends nothing to the Norwegian datahub
    elhub = d.world.elhub.hub
    assert not {consumption, fed_in} & (set(elhub.metering_points) | set(elhub.values_received))
    assert not d.store.dead_letters()


def _approved_completed_and_archived(d, case) -> None:
    """The handler approves, the installer completes, the handler approves the completion,
    and the meter job runs until the case is archived."""
    d.handler.approve(case.case_id)
    d.wait_status(case.case_id, "approved")
    d.installer.complete(case)
    d.wait_for(lambda: in_handler_queue(d, case.case_id), "the completion in the handler queue")
    d.handler.approve_completion(case.case_id)
    work_until(d, case.case_id, "archived")
