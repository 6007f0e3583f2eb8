"""The published KIS contract: WSDL and XSD load safely and agree with the mapping."""

from pathlib import Path

import pytest
import zeep
from lxml import etree
from zeep.transports import Transport

from connectors.kis.client import _soap_actions
from connectors.kis.contract import WSDL_PATH, XSD_PATH, XsdContract
from connectors.kis.wire import KisWire
from hub.errors import ConfigurationError, InvalidMessage
from hub.xmlsafe import zeep_settings

XS = "{http://www.w3.org/2001/XMLSchema}"


def test_wsdl_loads_with_hardened_zeep_and_names_its_operations():
    client = zeep.Client(str(WSDL_PATH), transport=Transport(timeout=5),
                         settings=zeep_settings())
    service = client.bind("KisService", "KisPort")
    assert {"LookupFacility", "RegisterCustomer", "ChangeTariff", "EndCustomer",
            "RegisterSupplyChange", "GetEvents"} <= set(dir(service))
    assert _soap_actions(WSDL_PATH) == {
        "LookupFacility": "urn:gridhub:kis:v1/LookupFacility",
        "RegisterCustomer": "urn:gridhub:kis:v1/RegisterCustomer",
        "ChangeTariff": "urn:gridhub:kis:v1/ChangeTariff",
        "EndCustomer": "urn:gridhub:kis:v1/EndCustomer",
        "RegisterSupplyChange": "urn:gridhub:kis:v1/RegisterSupplyChange",
        "GetEvents": "urn:gridhub:kis:v1/GetEvents"}


def test_every_mapped_document_is_a_global_element_of_the_xsd():
    declared = {e.get("name") for e in etree.parse(str(XSD_PATH)).getroot()
                .iterchildren(f"{XS}element")}
    wire = KisWire.default()
    roots = {doc.root.split(":")[1] for doc in wire.mapping.documents.values()}
    assert roots == declared


def test_every_request_document_names_a_wsdl_operation():
    wire = KisWire.default()
    operations = set(_soap_actions(WSDL_PATH))
    requests = [k for k in wire.mapping.documents if k.endswith("Request")]
    assert {wire.operation(k) for k in requests} == operations


def test_lookup_answer_never_maps_a_personal_number():
    doc = KisWire.default().document("LookupFacilityResponse")
    names = {f.name for f in doc.fields.fields}
    assert not any("personal_number" in n or "organisation_number" in n for n in names)
    assert set(doc.extra["discard"]) == {"k:Customer/k:PersonalNumber",
                                         "k:Customer/k:OrganisationNumber"}


def test_a_missing_contract_is_a_configuration_error(tmp_path: Path):
    contract = XsdContract(tmp_path / "absent.xsd")
    with pytest.raises(ConfigurationError, match=r"absent\.xsd"):
        contract.validate(etree.Element("x"), where="t")


@pytest.mark.parametrize(("text", "why"), [
    ("<nope/>", "no SOAP operations"),
    ("<unclosed", "cannot load the WSDL"),
])
def test_a_wrong_wsdl_is_a_configuration_error(tmp_path: Path, text, why):
    bad = tmp_path / "kis.wsdl"
    bad.write_text(text)
    with pytest.raises(ConfigurationError, match=why):
        _soap_actions(bad)


def test_validation_names_the_element_and_counts_the_rest():
    element = etree.fromstring(
        b"<k:GetEventsRequest xmlns:k='urn:gridhub:kis:v1'><k:MaxEvents>0</k:MaxEvents>"
        b"<k:Extra/></k:GetEventsRequest>")
    with pytest.raises(InvalidMessage) as info:
        XsdContract(XSD_PATH).validate(element, where="GetEventsRequest")
    assert "/k:GetEventsRequest/k:MaxEvents" in str(info.value)
    assert "minInclusive" in str(info.value) and "(and 1 more)" in str(info.value)
