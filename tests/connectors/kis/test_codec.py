"""KIS translation without I/O: to_wire / to_canonical, round trips, contract errors."""

import json

import pytest
from lxml import etree

from connectors.kis import KisConnector
from connectors.kis.codec import answer_from_wire, events_from_wire
from connectors.kis.wire import KisWire, from_soap
from hub.errors import InvalidMessage
from hub.soap import SOAP_NS
from schemas.identifier_samples import make_orgnummer, make_personnummer
from tests.factories import envelope, gsrn, swedish_case

K = "urn:gridhub:kis:v1"
ADDRESS = {"street": "Storgatan 1", "postcode": "25221", "town": "Helsingborg", "country": "SE"}
HIT = {"status_code": 100, "status_text": "Träff i anläggningsregistret", "overwrite": True,
       "facility": {"facility_id": gsrn(0).reveal(), "meter_number": "7350000",
                    "technical_number": "T-40100", "customer_number": "880000",
                    "substation": "T114", "address": ADDRESS, "main_fuse_a": 25},
       "customer": {"kind": "company", "name": "Lindqvist Fastigheter AB", "co": "Anna Lindqvist",
                    "address": ADDRESS, "phone": "042-12 34 56",
                    "email": "faktura@lindqvist.example.se", "customer_number": "880000"}}
REQUESTS = {
    "facility.lookup.requested": {"meter_number": "7350000", "facility_id": gsrn(0).reveal()},
    "facility.lookup.answered": HIT,
    "customer.registered": {"customer_number": "880000", "facility_id": gsrn(0).reveal(),
                            "registered_on": "2024-03-15"},
    "billing.updated": {"state": "invoiced", "quote_number": "OF-2024-118",
                        "invoice_number": "F-00417", "amount": "2750.00", "currency": "SEK"},
}


def _pruned(value):
    """Without the None fields (absent on the wire, None in a dumped model)."""
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v is not None}
    return value


def _doc(body: str) -> bytes:
    return (f"<soap:Envelope xmlns:soap='{SOAP_NS}'><soap:Body>{body}</soap:Body>"
            f"</soap:Envelope>").encode()


def _hit_xml(customer_extra: str = "", postcode: str = "25221") -> str:
    return (f"<k:LookupFacilityResponse xmlns:k='{K}'><k:CaseRef>SE-1000</k:CaseRef>"
            "<k:Status><k:Code>100</k:Code><k:Text>Träff</k:Text></k:Status>"
            f"<k:Facility><k:FacilityId>{gsrn(0).reveal()}</k:FacilityId></k:Facility>"
            "<k:Customer><k:Kind>P</k:Kind><k:Name>Anna Lindqvist</k:Name><k:Address>"
            f"<k:Street>Storgatan 1</k:Street><k:Postcode>{postcode}</k:Postcode>"
            "<k:Town>Helsingborg</k:Town></k:Address><k:CustomerNumber>880000</k:CustomerNumber>"
            f"{customer_extra}</k:Customer></k:LookupFacilityResponse>")


@pytest.mark.parametrize("type_", list(REQUESTS))
def test_round_trip_loses_nothing_the_contract_carries(type_):
    message = envelope(type_, swedish_case(), payload=REQUESTS[type_])
    if type_ == "billing.updated":
        message = message.model_copy(update={"message_id": "kis:EV00000042"})
    wire = KisConnector.to_wire(message)
    [back] = KisConnector.to_canonical(wire)
    assert (back.type, back.case_id, back.source) == (type_, message.case_id, "kis")
    got = _pruned(back.payload)
    if type_ == "facility.lookup.requested":
        del got["overwrite"]  # the installer's choice stays in gridhub; KIS is not told
    assert got == REQUESTS[type_]
    if type_ != "facility.lookup.answered":
        assert back.message_id == message.message_id
    if type_ == "billing.updated":
        assert back.occurred_at == message.occurred_at


def test_to_wire_is_a_soap_envelope_with_the_operation_body():
    wire = KisConnector.to_wire(envelope("facility.lookup.requested", swedish_case()))
    root = etree.fromstring(wire)
    assert root.tag == f"{{{SOAP_NS}}}Envelope"
    body = root.find(f"{{{SOAP_NS}}}Body")[0]
    assert body.tag == f"{{{K}}}LookupFacilityRequest"
    assert body.findtext(f"{{{K}}}CaseRef") == "SE-1000"


def test_a_bare_body_translates_too():
    [message] = KisConnector.to_canonical(_hit_xml().encode())
    assert message.type == "facility.lookup.answered"
    assert message.payload["customer"]["kind"] == "private"


def test_a_miss_carries_no_data_both_ways():
    miss = {"status_code": 201, "status_text": "Mätarnumret finns inte", "overwrite": True}
    wire = KisConnector.to_wire(envelope("facility.lookup.answered", payload=miss))
    assert b"<k:Facility>" not in wire
    [back] = KisConnector.to_canonical(wire)
    assert back.payload["status_code"] == 201 and back.payload["facility"] is None


def test_personal_and_organisation_numbers_from_kis_are_dropped():
    pnr, org = make_personnummer(3).reveal(), make_orgnummer(3).reveal()
    extra = (f"<k:PersonalNumber>{pnr}</k:PersonalNumber>"
             f"<k:OrganisationNumber>{org}</k:OrganisationNumber>")
    [message] = KisConnector.to_canonical(_doc(_hit_xml(extra)))
    dumped = message.model_dump_json()
    assert pnr not in dumped and org not in dumped
    assert "personal_number" not in message.payload["customer"]


def test_reply_to_a_request_is_derived_and_keeps_the_overwrite_choice():
    request = envelope("facility.lookup.requested", swedish_case(),
                       payload={"meter_number": "7350000", "overwrite": False})
    wire = KisWire.default()
    first = answer_from_wire(request, from_soap(_doc(_hit_xml()), where="t"), wire)
    again = answer_from_wire(request, from_soap(_doc(_hit_xml()), where="t"), wire)
    assert first.payload["overwrite"] is False
    assert first.causation_id == request.message_id and first.case_id == request.case_id
    assert first.message_id == again.message_id


def test_an_answer_for_another_case_is_refused():
    request = envelope("facility.lookup.requested", case_id="SE-2000")
    with pytest.raises(InvalidMessage, match="SE-1000"):
        answer_from_wire(request, from_soap(_doc(_hit_xml()), where="t"), KisWire.default())


# -- invalid input names the element or field and why ---------------------------------------

@pytest.mark.parametrize(("body", "where", "why"), [
    (_hit_xml().replace(gsrn(0).reveal(), "12345"), "FacilityId", "pattern"),
    (_hit_xml().replace("<k:Kind>P</k:Kind>", "<k:Kind>X</k:Kind>"), "Kind", "enumeration"),
    (_hit_xml().replace("<k:CaseRef>SE-1000</k:CaseRef>", ""), "Status", "CaseRef"),
    (f"<k:GetEventsResponse xmlns:k='{K}'><k:Events><k:Event><k:EventId>EV1</k:EventId>"
     "<k:CaseRef>SE-1</k:CaseRef><k:OccurredAt>2024-03-14T08:30:00</k:OccurredAt>"
     "<k:Kind>BETALD</k:Kind></k:Event></k:Events></k:GetEventsResponse>",
     "OccurredAt", "pattern"),
])
def test_contract_violations_name_the_element(body, where, why):
    with pytest.raises(InvalidMessage) as info:
        KisConnector.to_canonical(_doc(body))
    assert where in str(info.value) and why in str(info.value)


def test_a_wrong_gsrn_check_digit_names_the_field():
    bad = gsrn(0).reveal()[:-1] + str((int(gsrn(0).reveal()[-1]) + 1) % 10)
    with pytest.raises(InvalidMessage) as info:
        KisConnector.to_canonical(_doc(_hit_xml().replace(gsrn(0).reveal(), bad)))
    assert "facility_id" in str(info.value) and "check digit" in str(info.value)


def test_contract_errors_do_not_repeat_the_value():
    with pytest.raises(InvalidMessage) as info:
        KisConnector.to_canonical(_doc(_hit_xml(postcode="ABCDE")))
    assert "Postcode" in str(info.value) and "ABCDE" not in str(info.value)


@pytest.mark.parametrize(("document", "why"), [
    (b"not xml", "malformed XML"),
    (b"<!DOCTYPE x [<!ENTITY e 'boom'>]><x>&e;</x>", "DOCTYPE"),
    (_doc(f"<k:Unknown xmlns:k='{K}'/>"), "not a KIS document"),
    (_doc(f"<k:RegisterCustomerResponse xmlns:k='{K}'><k:CaseRef>SE-1</k:CaseRef>"
          "<k:Result>OK</k:Result></k:RegisterCustomerResponse>"), "carries no canonical"),
])
def test_unreadable_documents_are_refused(document, why):
    with pytest.raises(InvalidMessage, match=why):
        KisConnector.to_canonical(document)


def test_to_wire_refuses_a_type_kis_does_not_take():
    with pytest.raises(InvalidMessage, match=r"kis has no document for 'case\.submitted'"):
        KisConnector.to_wire(envelope("case.submitted", swedish_case()))


def test_to_wire_names_the_invalid_payload_field():
    message = envelope("billing.updated", payload={"state": "quote_sent", "amount": "10"})
    with pytest.raises(InvalidMessage) as info:
        KisConnector.to_wire(message)
    assert "amount needs a currency" in str(info.value)


# -- events -----------------------------------------------------------------------------------

def _events_doc(*kinds: str) -> etree._Element:
    events = "".join(
        f"<k:Event><k:EventId>EV{i}</k:EventId><k:CaseRef>SE-{i}</k:CaseRef>"
        f"<k:OccurredAt>2024-03-14T08:3{i}:00Z</k:OccurredAt><k:Kind>{kind}</k:Kind></k:Event>"
        for i, kind in enumerate(kinds))
    return etree.fromstring(f"<k:GetEventsResponse xmlns:k='{K}'><k:Events>{events}</k:Events>"
                            "<k:NextCursor>3</k:NextCursor></k:GetEventsResponse>")


def test_events_become_billing_updates_with_stable_ids():
    batch = events_from_wire(_events_doc("EJDEBITERBAR", "BETALD"), KisWire.default(),
                             strict=True)
    assert [(m.message_id, m.case_id, m.payload["state"]) for m in batch.messages] == [
        ("kis:EV0", "SE-0", "not_billable"), ("kis:EV1", "SE-1", "paid")]
    assert batch.next_cursor == "3" and batch.set_aside == []


def test_a_bad_event_fails_strict_reading_but_is_set_aside_by_the_poller():
    root = _events_doc("BETALD", "OKAND", "FAKTURERAD")
    with pytest.raises(InvalidMessage, match="Kind"):
        events_from_wire(root, KisWire.default(), strict=True)
    batch = events_from_wire(root, KisWire.default(), strict=False)
    assert [m.message_id for m in batch.messages] == ["kis:EV0", "kis:EV2"]
    assert [entry.event_id for entry in batch.set_aside] == ["EV1"]
    assert "Kind" in str(batch.set_aside[0].error)
    assert b"OKAND" in batch.set_aside[0].body and b"EV1" in batch.set_aside[0].body
    assert batch.next_cursor == "3"


def test_translate_output_is_json_serialisable():
    [message] = KisConnector.to_canonical(_doc(_hit_xml()))
    assert json.loads(message.model_dump_json())["payload"]["status_code"] == 100
