"""Flow 4, smart-meter rebuild in Norway (seed 003): a completion-only case, the meter job
through its steps at the coordinator, the meter change at the datahub, archived."""

from __future__ import annotations

from hub.demo.cases import norwegian_case
from tests.flows.conftest import in_handler_queue, portal, work_until


def test_rebuild_1_to_3_phase(d):
    case = norwegian_case(8, installation_type="work_in_existing", job_type="phase_rebuild")
    gsrn = case.facilities[0].facility_id.reveal()
    d.known_to_kis(case)
    d.known_to_datahub(case)
    d.installer.complete(case, completion_only=True)
    row = d.wait_status(case.case_id, "completion_submitted")
    assert row.flow == "completion_only"
    assert not d.world.metering.orders  # reviewed first: nothing released before approval
    d.wait_for(lambda: in_handler_queue(d, case.case_id), "the completion in the queue")
    d.handler.approve_completion(case.case_id)
    d.wait_for(lambda: d.world.metering.orders, "the work order at the coordinator")
    [order] = d.world.metering.orders.values()
    assert order["orderType"] == "OMBYGGING_1_3_FASE" and order["externalRef"] == case.case_id

    work_until(d, case.case_id, "archived")
    steps = [e["eventType"] for e in d.world.metering.published]
    assert steps == ["EQUIPMENT_PLANNED", "WAREHOUSE_TASK_CREATED", "ASSIGNED", "REPORTED"]
    point = d.world.elhub.hub.metering_points[gsrn]
    assert point.get("meter_number") == order["meteringPoint"]["meterNumber"]  # new meter
    d.wait_for(lambda: portal(d, case.case_id).get("status") == "archived", "archived")
    assert portal(d, case.case_id)["side_tracks"]["work_order"] == "reported"
    assert not d.store.dead_letters()
