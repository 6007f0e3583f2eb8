"""Flow 5: 15-minute values from the metering coordinator to the datahub, one document per
metering point and day."""

from __future__ import annotations

from datetime import date

from hub.demo.cases import norwegian_case


def test_values_reach_the_datahub_per_point_and_day(d):
    cases = [norwegian_case(n) for n in (9, 10)]
    for case in cases:
        d.known_to_datahub(case)
    points = [c.facilities[0].facility_id.reveal() for c in cases]
    for gsrn in points:
        d.coordinator.publish_values(gsrn, date(2024, 3, 13))
    received = d.world.elhub.hub.values_received
    d.wait_for(lambda: all(received.get(g) for g in points), "values at the datahub")
    assert [received[g] for g in points] == [96, 96]  # one day of quarter hours each
    assert not d.store.dead_letters()
