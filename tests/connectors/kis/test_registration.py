"""RegisterCustomer for a new facility (issue 15, item 9): KIS creates the end customer
and the facility it does not know, and only then confirms "Registrerad i KIS"."""

from __future__ import annotations

import pytest

from hub.errors import TargetRejected
from tests.factories import envelope, swedish_case


def _registration(case, customer_number: str, *, with_customer: bool = True):
    facility = case.facilities[0]
    payload = {"customer_number": customer_number,
               "facility_id": facility.facility_id.reveal(),
               "facility": facility.model_dump(mode="json")}
    if with_customer:
        payload["end_customer"] = case.property_owner.model_dump(mode="json")
        payload["payer"] = case.payer.model_dump(mode="json")
    return envelope("customer.registered", case, payload=payload)


def test_a_new_customer_and_facility_are_created_then_confirmed(connector, kis_sim):
    case = swedish_case(61)
    gsrn = case.facilities[0].facility_id.reveal()
    [confirmed] = connector.deliver(_registration(case, "990061"))
    assert confirmed.payload == {"track": "customer_service", "state": "registered_in_kis"}
    customer = kis_sim.state.data["customers"]["990061"]
    assert customer["name"] == case.property_owner.name
    # The grid owner's own register keeps the personal number (seed 001); lookups drop it.
    assert customer["personal_number"] == case.property_owner.personal_number.reveal()
    assert kis_sim.state.data["facilities"][gsrn]["customer_number"] == "990061"


def test_an_unknown_customer_without_data_is_refused(connector, kis_sim):
    case = swedish_case(62)
    with pytest.raises(TargetRejected, match="Kundnummer 990062 finns inte"):
        connector.deliver(_registration(case, "990062", with_customer=False))
    assert "990062" not in kis_sim.state.data["customers"]
