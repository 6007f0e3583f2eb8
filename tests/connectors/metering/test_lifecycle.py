"""The simulated coordinator's work-order lifecycle and metering values."""

from __future__ import annotations

from datetime import date

import pytest

from connectors.metering import lifecycle, wire


def request(order_type: str, meter: str | None = "5512345") -> dict[str, object]:
    point: dict[str, str] = {"gsrn": "707057500000000018"}
    if meter:
        point["meterNumber"] = meter
    return {"requestId": "r-1", "externalRef": "NO-2024-1", "orderType": order_type,
            "meteringPoint": point, "requestedAt": "2024-03-14T08:30:00Z"}


def run(order: dict[str, object]) -> list[dict[str, object]]:
    events = []
    while (event := lifecycle.advance(order)) is not None:
        events.append(event)
    return events


def test_rebuild_goes_through_equipment_warehouse_assignment_and_report() -> None:
    order = lifecycle.new_order(request("OMBYGGING_1_3_FASE"), 1, "reported")
    events = run(order)
    assert [e["eventType"] for e in events] == [
        "EQUIPMENT_PLANNED", "WAREHOUSE_TASK_CREATED", "ASSIGNED", "REPORTED"]
    report = events[-1]["report"]
    assert report["oldMeterNumber"] == "5512345" and report["meterNumber"] != "5512345"
    assert order["status"] == "REPORTED"
    assert order["meteringPoint"]["meterNumber"] == report["meterNumber"]


@pytest.mark.parametrize("order_type", ["STENGING", "APNING", "FELTKONTROLL", "NEDTAK_MALER"])
def test_jobs_without_new_equipment_skip_planning(order_type: str) -> None:
    events = run(lifecycle.new_order(request(order_type), 2, "reported"))
    assert [e["eventType"] for e in events] == ["ASSIGNED", "REPORTED"]
    assert events[-1]["report"]["meterNumber"] == "5512345"


@pytest.mark.parametrize(("outcome", "last"), [("deviation", "DONE_WITH_DEVIATION"),
                                               ("cancelled", "CANCELLED")])
def test_other_outcomes(outcome: str, last: str) -> None:
    events = run(lifecycle.new_order(request("MALERBYTTE"), 3, outcome))
    assert events[-1]["eventType"] == last


def test_every_event_meets_the_contract_and_has_a_stable_id() -> None:
    first = run(lifecycle.new_order(request("FLEKSIBELT_FORBRUK"), 4, "reported"))
    again = run(lifecycle.new_order(request("FLEKSIBELT_FORBRUK"), 4, "reported"))
    for event in first:
        wire.validate(event, "workorder-event", where="simulated event")
    assert [e["eventId"] for e in first] == [e["eventId"] for e in again]
    assert len({e["eventId"] for e in first}) == len(first)


@pytest.mark.parametrize(("day", "count"), [(date(2024, 3, 13), 96), (date(2024, 3, 31), 92),
                                            (date(2024, 10, 27), 100)])
def test_a_norwegian_day_has_96_92_or_100_quarter_hours(day: date, count: int) -> None:
    assert lifecycle.intervals(day) == count
    event = lifecycle.values_event("707057500000000018", day)
    wire.validate(event, "meteringvalues-event", where="simulated values")
    assert [v["pos"] for v in event["values"]] == list(range(1, count + 1))


def test_hourly_values() -> None:
    event = lifecycle.values_event("707057500000000018", date(2024, 3, 13), "PT1H")
    assert len(event["values"]) == 24
