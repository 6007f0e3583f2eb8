"""RegisterSupplyChange: a Swedish supplier's start or end of supply reaches KIS, which records
who supplies the facility and answers what the grid owner's Z04/Z05 needs."""

import pytest

from connectors.kis.sim_state import EXAMPLE_POINT, EXAMPLE_SUPPLIER
from hub.errors import TargetRejected
from schemas.envelope import Envelope
from tests.factories import gsrn


def _notified(point: str, *, type_: str = "supply.start.notified", supplier: str = "12345",
              reason: str = "switch", case: str = "SUP-CASE-7") -> Envelope:
    return Envelope(case_id=case, type=type_, source="ediel", payload={
        "metering_point": point, "reason": reason, "effective_on": "2026-11-01",
        "supplier": supplier, "grid_owner": "54321", "grid_area": "XYZ",
        "balance_responsible": "11111", "document_id": "SUP-Z03-7", "case_reference": case,
        "customer": {"name": "Exempel AB", "organisation_number": "556677-8899"}})


def test_a_switch_is_recorded_and_answered_with_the_previous_supplier(connector, kis_sim):
    message = _notified(EXAMPLE_POINT)
    [registered] = connector.deliver(message)
    assert registered.type == "supply.registered"
    assert registered.case_id == "SUP-CASE-7" and registered.causation_id == message.message_id
    assert registered.payload == {
        "change": "start", "metering_point": EXAMPLE_POINT, "reason": "switch",
        "effective_on": "2026-11-01", "supplier": "12345", "grid_area": "XYZ",
        "case_reference": "SUP-CASE-7", "previous_supplier": EXAMPLE_SUPPLIER,
        "in_operation": True, "meter_number": kis_sim.state.data["facilities"][
            EXAMPLE_POINT]["meter_number"]}
    assert kis_sim.state.supplier_of(EXAMPLE_POINT) == "12345"
    recorded = kis_sim.state.data["supply_changes"][message.message_id]
    assert (recorded["change"], recorded["reason"]) == ("START", "LEVERANTORSBYTE")
    # redelivered: the same answer (KIS is idempotent per MessageId), not "no previous"
    assert connector.deliver(message) == [registered]


def test_a_facility_without_a_meter_in_operation_says_so(connector, kis_sim):
    point = gsrn(3).reveal()
    kis_sim.state.data["facilities"][point]["in_operation"] = False
    [registered] = connector.deliver(_notified(point, reason="move_in"))
    assert registered.payload["in_operation"] is False
    assert registered.payload["previous_supplier"] is None


def test_the_end_of_a_suppliers_own_contract_is_recorded(connector, kis_sim):
    connector.deliver(_notified(EXAMPLE_POINT, type_="supply.end.notified",
                                supplier=EXAMPLE_SUPPLIER, reason="rescission", case="SUP-8"))
    assert kis_sim.state.supplier_of(EXAMPLE_POINT) is None
    [change] = kis_sim.state.data["supply_changes"].values()
    assert (change["change"], change["reason"]) == ("SLUT", "HAVNING")


def test_an_unknown_facility_is_a_business_rejection_naming_it(connector):
    with pytest.raises(TargetRejected) as info:
        connector.deliver(_notified("735999123456789025"))
    assert info.value.remote.status == "AVVISAD"
    assert "Anläggnings-ID finns inte" in info.value.remote.message


def test_a_withdrawn_switch_gives_the_facility_back_to_the_supplier_before(connector, kis_sim):
    connector.deliver(_notified(EXAMPLE_POINT))
    [registered] = connector.deliver(_notified(EXAMPLE_POINT, reason="cancellation",
                                               case="SUP-CASE-9"))
    assert kis_sim.state.supplier_of(EXAMPLE_POINT) == EXAMPLE_SUPPLIER
    assert registered.payload["reason"] == "cancellation"
    assert registered.payload["previous_supplier"] is None  # nobody's supply ends
