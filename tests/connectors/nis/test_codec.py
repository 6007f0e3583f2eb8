"""NIS translation without I/O: to_wire / to_canonical, round trips, contract errors."""

import pytest
from lxml import etree

from connectors.nis import NisConnector
from connectors.nis.codec import answer_from_wire
from connectors.nis.wire import NisWire
from hub.errors import InvalidMessage
from tests.factories import envelope, grid_data, gsrn, swedish_case

N = "urn:gridhub:nis:v1"
NIS_GRID = {k: v for k, v in grid_data().model_dump(mode="json").items()
            if k not in ("bill_customer", "project_number", "connection_fee", "currency",
                         "documentation")}  # commercial fields are not the NIS's
MESSAGES = {
    "griddata.requested": {
        "facility_id": gsrn(0).reveal(), "meter_number": "7350000", "substation": "T114",
        "address": {"street": "Storgatan 1", "postcode": "25221", "town": "Helsingborg",
                    "country": "SE"},
        "installation_type": "fuse_change", "main_fuse_a": 35},
    "griddata.answered": NIS_GRID,
    "installation.registered": {"facility_id": gsrn(0).reveal(), "meter_number": "7350000",
                                "technical_number": "T-40100", "substation": "T114",
                                "documents": [{"name": "sluttkontroll.pdf",
                                               "media_type": "application/pdf", "size": 4100,
                                               "sha256": "ab" * 32, "origin": "installer",
                                               "kind": "final_check"}]},
}


def _pruned(value):
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v is not None}
    return value


def _response(**replace: str) -> bytes:
    text = NisConnector.to_wire(envelope("griddata.answered", payload=NIS_GRID)).decode()
    for old, new in replace.items():
        text = text.replace(old, new)
    return text.encode()


@pytest.mark.parametrize("type_", list(MESSAGES))
def test_round_trip_loses_nothing_the_contract_carries(type_):
    message = envelope(type_, swedish_case(), payload=MESSAGES[type_])
    [back] = NisConnector.to_canonical(NisConnector.to_wire(message))
    assert (back.type, back.case_id, back.source) == (type_, "SE-1000", "nis")
    assert _pruned(back.payload) == MESSAGES[type_]
    if type_ != "griddata.answered":
        assert back.message_id == message.message_id


def test_grid_answer_units_and_codes_on_the_wire():
    root = etree.fromstring(_response())
    assert root.findtext(f"{{{N}}}EarthFaultImpedanceMilliohm") == "40"
    assert root.findtext(f"{{{N}}}ShortCircuitCurrentKiloampere") == "9.51"
    assert root.findtext(f"{{{N}}}Service/{{{N}}}Laying") == "MARK"
    assert root.findtext(f"{{{N}}}Assessment/{{{N}}}Decision") == "ANSLUTNINGSBAR"
    assert root.findtext(f"{{{N}}}ServiceFuse/{{{N}}}Rating") == "6 x 250 A"


def test_reply_is_derived_from_the_request():
    request = envelope("griddata.requested", swedish_case())
    answer = answer_from_wire(request, _response(), NisWire.default(), where="t")
    again = answer_from_wire(request, _response(), NisWire.default(), where="t")
    assert answer.type == "griddata.answered" and answer.causation_id == request.message_id
    assert answer.message_id == again.message_id
    assert answer.payload["earth_fault_impedance_mohm"] == "40"


def test_an_answer_for_another_case_is_refused():
    request = envelope("griddata.requested", case_id="SE-4711")
    with pytest.raises(InvalidMessage, match="SE-4711"):
        answer_from_wire(request, _response(), NisWire.default(), where="t")


def test_the_answer_must_be_a_grid_data_response():
    request = envelope("griddata.requested", swedish_case())
    receipt = (f"<n:InstallationReceipt xmlns:n='{N}'><n:CaseRef>SE-1000</n:CaseRef>"
               f"<n:FacilityId>{gsrn(0).reveal()}</n:FacilityId><n:ObjectId>NIS-1</n:ObjectId>"
               "<n:Status>REGISTRERAD</n:Status></n:InstallationReceipt>").encode()
    with pytest.raises(InvalidMessage, match="expected a GridDataResponse"):
        answer_from_wire(request, receipt, NisWire.default(), where="t")


@pytest.mark.parametrize(("replace", "where", "why"), [
    ({"<n:Phases>3</n:Phases>": "<n:Phases>2</n:Phases>"}, "Phases", "enumeration"),
    ({"<n:Decision>ANSLUTNINGSBAR</n:Decision>": ""}, "Date", "Decision"),
    ({"6 x 250 A": "sex gånger 250"}, "Rating", "pattern"),
    ({"<n:EarthFaultImpedanceMilliohm>40": "<n:EarthFaultImpedanceMilliohm>-4"},
     "EarthFaultImpedanceMilliohm", "minInclusive"),
    ({"</n:GridDataResponse>": "<n:Extra/></n:GridDataResponse>"}, "Extra", "not expected"),
])
def test_contract_violations_name_the_element(replace, where, why):
    with pytest.raises(InvalidMessage) as info:
        NisConnector.to_canonical(_response(**replace))
    assert where in str(info.value) and why in str(info.value)


@pytest.mark.parametrize(("document", "why"), [
    (b"<n:Error xmlns:n='urn:gridhub:nis:v1'><n:Code>X</n:Code><n:Text>t</n:Text></n:Error>",
     "carries no canonical message"),
    (b"<other/>", "not a NIS document"),
    (b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>", "DOCTYPE"),
    (b"\x00\x01", "malformed XML"),
])
def test_unreadable_documents_are_refused(document, why):
    with pytest.raises(InvalidMessage, match=why):
        NisConnector.to_canonical(document)


def test_to_wire_refuses_a_type_nis_does_not_take():
    with pytest.raises(InvalidMessage, match=r"nis has no document for 'billing\.updated'"):
        NisConnector.to_wire(envelope("billing.updated"))


def test_to_wire_names_the_invalid_payload_field():
    with pytest.raises(InvalidMessage) as info:
        NisConnector.to_wire(envelope("griddata.requested", payload={"main_fuse_a": 25}))
    assert "give a facility_id, meter_number, substation or address" in str(info.value)


def test_a_wrong_installation_type_code_on_the_wire_names_the_element():
    document = (f"<n:GridDataRequest xmlns:n='{N}'><n:CaseRef>SE-1</n:CaseRef>"
                "<n:Substation>T114</n:Substation><n:InstallationType>XX</n:InstallationType>"
                "</n:GridDataRequest>").encode()
    with pytest.raises(InvalidMessage, match="InstallationType"):
        NisConnector.to_canonical(document)
