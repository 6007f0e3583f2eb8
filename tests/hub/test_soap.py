import pytest
from lxml import etree

from hub.errors import InvalidMessage, TargetRejected, TargetServerError
from hub.soap import body_of, envelope, fault, raise_for_fault


def test_envelope_and_body_round_trip():
    payload = etree.Element("{urn:gridhub:kis:v1}Lookup")
    etree.SubElement(payload, "{urn:gridhub:kis:v1}MeterNumber").text = "7359991"
    back = body_of(envelope(payload))
    assert back.tag == "{urn:gridhub:kis:v1}Lookup"
    assert back.findtext("{urn:gridhub:kis:v1}MeterNumber") == "7359991"


def test_not_an_envelope_names_root():
    with pytest.raises(InvalidMessage, match="root element is Lookup"):
        body_of(b"<Lookup/>")


def test_empty_body_is_invalid():
    with pytest.raises(InvalidMessage, match="soap:Body is missing or empty"):
        body_of(b"<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'>"
                b"<s:Body/></s:Envelope>")


def test_server_fault_is_transient_and_kept():
    with pytest.raises(TargetServerError) as info:
        raise_for_fault(fault("Server", "database busy"), where="kis")
    assert info.value.remote.status == "Server"
    assert info.value.remote.message == "database busy"


def test_client_fault_is_permanent():
    with pytest.raises(TargetRejected, match="MeterNumber: unknown"):
        raise_for_fault(fault("Client", "MeterNumber: unknown"), where="kis")


def test_a_normal_answer_raises_nothing():
    raise_for_fault(envelope(etree.Element("Ok")), where="kis")
