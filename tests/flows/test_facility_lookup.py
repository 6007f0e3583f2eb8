"""Flow 2, "Hämta anl-data" (seeds 000 and 001): request/reply through the hub, by meter
number or EAN; status 100 with data on a hit, the not-found status and text on a miss."""

from __future__ import annotations

from hub.demo.cases import swedish_case
from tests.flows.conftest import portal


def _answers(d, case_id, n):
    return d.wait_for(lambda: len(portal(d, case_id).get("lookup_answers", [])) >= n and
                      portal(d, case_id)["lookup_answers"], f"{n} lookup answer(s) in the portal")


def test_lookup_hit_by_meter_number_and_miss_by_ean(d):
    case = swedish_case(3)
    facility = case.facilities[0]
    d.known_to_kis(case)
    # A draft case in the portal: the installer fetches the facility's data.
    d.installer.lookup(case.case_id, meter_number=facility.meter_number, overwrite=True)
    [hit] = _answers(d, case.case_id, 1)
    assert hit["status_code"] == 100
    assert hit["facility"]["facility_id"] == facility.facility_id.reveal()
    assert hit["overwrite"] is True
    # Personal and organisation numbers are never returned (data-protection law).
    assert "personal_number" not in (hit.get("customer") or {})

    other = swedish_case(4)  # not in the customer register
    d.installer.lookup(case.case_id, facility_id=other.facilities[0].facility_id.reveal())
    miss = _answers(d, case.case_id, 2)[1]
    assert miss["status_code"] != 100 and miss["status_text"]
    assert "facility" not in miss or not miss["facility"]
    assert d.status(case.case_id) == "draft"
    assert d.world.kis.calls["LookupFacility"] == 2
