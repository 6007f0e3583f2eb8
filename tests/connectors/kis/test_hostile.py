"""Hostile input around KIS: documents given to the translator, answers from a KIS that
misbehaves, bad events in a poll, and wrong credentials at the simulator. Each is an error of
ours naming what and where; the next good call still works."""

from __future__ import annotations

import pytest
import requests

from connectors.kis.connector import KisConnector
from hub.errors import InvalidMessage, TargetRejected
from hub.soap import CONTENT_TYPE, SOAP_NS, envelope, fault
from hub.xmlsafe import MAX_XML_BYTES
from tests.connectors.kis.conftest import PASSWORD
from tests.factories import envelope as message
from tests.factories import swedish_case
from tests.support.canned import canned

CASE = swedish_case(3)
LOOKUP = message("facility.lookup.requested", CASE)
REGISTER = KisConnector.to_wire(message("customer.registered", CASE))
DOCTYPE = b'<?xml version="1.0"?>\n<!DOCTYPE k [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE k [<!ENTITY a "aaaaaaaaaa">'
          + b"".join(b'<!ENTITY a%d "%s">' % (i, (b"&a%d;" % (i - 1) if i > 1 else b"&a;") * 10)
                     for i in range(1, 10))
          + b"]>\n")


def _bad_gsrn(wire: bytes) -> bytes:
    good = str(CASE.facilities[0].facility_id.reveal())
    assert good.encode() in wire
    return wire.replace(good.encode(), (good[:-1] + str((int(good[-1]) + 1) % 10)).encode())


def _events(*events: tuple[str, str, str]) -> bytes:
    """A GetEventsResponse of (event id, KIS billing kind, occurred at) events."""
    items = "".join(
        f"<k:Event><k:EventId>{eid}</k:EventId><k:CaseRef>SE-1003</k:CaseRef>"
        f"<k:OccurredAt>{at}</k:OccurredAt><k:Kind>{kind}</k:Kind></k:Event>"
        for eid, kind, at in events)
    return (f'<k:GetEventsResponse xmlns:k="urn:gridhub:kis:v1"><k:Events>{items}</k:Events>'
            "<k:NextCursor>c-2</k:NextCursor></k:GetEventsResponse>").encode()


HOSTILE_DOCUMENTS = {
    "malformed": (b"<k:LookupFacilityRequest xmlns:k='urn:gridhub:kis:v1'><k:CaseRef>",
                  "malformed XML"),
    "json": (b'{"case_ref": "SE-1003", "customer_number": 42, "extra": true}', "malformed XML"),
    "wrong namespace": (REGISTER.replace(b"urn:gridhub:kis:v1", b"urn:evil:kis"),
                        "is not a KIS document"),
    "xxe": (DOCTYPE + REGISTER.split(b"?>", 1)[1], "DOCTYPE"),
    "billion laughs": (LAUGHS + b'<k:X xmlns:k="urn:gridhub:kis:v1">&a9;</k:X>', "DOCTYPE"),
    "soap fault": (fault("Client", "nope"), "is not a KIS document"),
    "bad gsrn": (_bad_gsrn(REGISTER), "check digit"),
    "oversized": (b"<a>" + b" " * MAX_XML_BYTES + b"</a>", "more than the limit"),
}


@pytest.mark.parametrize("name", list(HOSTILE_DOCUMENTS))
def test_hostile_document_is_invalid_naming_what_and_where(name):
    document, expected = HOSTILE_DOCUMENTS[name]
    with pytest.raises(InvalidMessage) as info:
        KisConnector.to_canonical(document)
    assert expected in info.value.message, info.value.message
    assert info.value.where
    assert KisConnector.to_canonical(REGISTER)[0].case_id == CASE.case_id


def test_bad_gsrn_is_named_by_field_and_not_echoed():
    with pytest.raises(InvalidMessage) as info:
        KisConnector.to_canonical(_bad_gsrn(REGISTER))
    assert "facility_id" in str(info.value)
    assert str(CASE.facilities[0].facility_id.reveal())[:-1] not in str(info.value)


@pytest.fixture
def fake_kis():
    with canned(CONTENT_TYPE) as fake:
        yield fake


def _soap_body(inner: bytes) -> bytes:
    return (f'<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body>'.encode() + inner
            + b"</soap:Body></soap:Envelope>")


@pytest.mark.parametrize("answer, error, expected", [
    (b"<soap:Envelope", InvalidMessage, "malformed XML"),
    (DOCTYPE + _soap_body(b"<k:LookupFacilityResponse xmlns:k='urn:gridhub:kis:v1'/>"),
     InvalidMessage, "DOCTYPE"),
    (_soap_body(b"<k:LookupFacilityResponse xmlns:k='urn:gridhub:kis:v1'>"
                b"<k:CaseRef>SE-1003</k:CaseRef></k:LookupFacilityResponse>"),
     InvalidMessage, "breaks kis.xsd"),
    (fault("Client", "KIS says no"), TargetRejected, "KIS says no"),
    (b'{"ok": true}', InvalidMessage, "malformed XML"),
    (b"<a>" + b" " * MAX_XML_BYTES + b"</a>", InvalidMessage, "answer larger than"),
])
def test_hostile_answers_from_kis_are_our_errors(fake_kis, inbound, answer, error, expected):
    fake_kis.answer = (500 if b"Fault" in answer else 200, answer)
    conn = KisConnector({"url": fake_kis.url + "/kis", "timeout": 2, "poll_interval": 0}, inbound)
    with pytest.raises(error) as info:
        conn.deliver(LOOKUP)
    assert expected.lower() in str(info.value).lower(), str(info.value)
    assert "kis LookupFacility" in (info.value.where or "") or error is InvalidMessage


def test_a_poisoned_event_is_set_aside_and_the_others_flow(fake_kis, inbound):
    at = "2024-03-14T08:30:00+00:00"
    fake_kis.answer = (200, _soap_body(_events(("e-1", "OFFERTSKICKAD", at),
                                               ("e-2", "<bad/>", at),
                                               ("e-3", "TELEPORTERAD", at),
                                               ("e-4", "BETALD", "igår"),
                                               ("e-5", "BETALD", at))))
    conn = KisConnector({"url": fake_kis.url + "/kis", "timeout": 2, "poll_interval": 0}, inbound)
    batch = conn.fetch_events(None, 10)
    assert [m.message_id for m in batch.messages] == ["kis:e-1", "kis:e-5"]
    assert [entry.event_id for entry in batch.set_aside] == ["e-2", "e-3", "e-4"]
    assert all(entry.error.message and entry.body for entry in batch.set_aside)
    assert batch.next_cursor == "c-2"


@pytest.mark.parametrize("auth", [None, ("gridhub", "wrong"), ("intruder", PASSWORD)])
def test_wrong_credentials_are_refused_by_the_simulator(kis_sim, make_connector, auth):
    answer = requests.post(kis_sim.endpoint, data=envelope_of(REGISTER), auth=auth, timeout=5,
                           headers={"Content-Type": CONTENT_TYPE})
    assert answer.status_code == 401
    if auth:
        conn = make_connector(username=auth[0], password=auth[1])
        with pytest.raises(TargetRejected, match="401"):
            conn.deliver(LOOKUP)
    assert make_connector().deliver(LOOKUP)[0].type == "facility.lookup.answered"


def test_simulator_refuses_hostile_xml_with_a_client_fault(kis_sim):
    for body in (DOCTYPE + REGISTER.split(b"?>", 1)[1], b"<not-closed", b""):
        answer = requests.post(kis_sim.endpoint, data=body, auth=("gridhub", PASSWORD),
                               timeout=5, headers={"Content-Type": CONTENT_TYPE})
        assert answer.status_code == 500 and b"Client" in answer.content


def envelope_of(wire: bytes) -> bytes:
    return wire if wire.lstrip().startswith(b"<?xml") else envelope(wire)
