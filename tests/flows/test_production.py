"""Issue 15 item 8: production and plus customers (mikroproduktion, plusskunde, innmating):
the same meter measures both directions; the market gets a production metering point."""

from __future__ import annotations

from datetime import date

from hub.demo.cases import NO_GSRN_PREFIX, norwegian_case
from schemas.identifier_samples import make_gsrn
from tests.flows.conftest import in_handler_queue, work_until


def test_item8_a_plus_customer_gets_a_production_metering_point_in_the_market(d):
    plain = norwegian_case(71, job_type="production")
    facility = plain.facilities[0]
    production = make_gsrn(9_071, NO_GSRN_PREFIX)
    case = plain.model_copy(update={"facilities": [facility.model_copy(
        update={"production_id": production})]})
    d.known_to_kis(case)
    d.installer.submit(case)
    d.wait_for(lambda: in_handler_queue(d, case.case_id), "queued")
    d.handler.approve(case.case_id)
    d.wait_status(case.case_id, "approved")
    d.installer.complete(case)
    d.wait_for(lambda: in_handler_queue(d, case.case_id), "the completion queued")
    d.handler.approve_completion(case.case_id)
    work_until(d, case.case_id, "archived")
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
