import pytest
from lxml import etree

from hub.errors import ConfigurationError, InvalidMessage
from hub.mapping import parse_mapping
from hub.mapping_json import JsonMapper
from hub.mapping_xml import XmlMapper

MAPPING = {
    "namespaces": {"k": "urn:gridhub:kis:v1"},
    "codes": {"billing": {"EJ": "not_billable", "OFF": "quote_sent"}},
    "documents": {
        "Answer": {
            "root": "k:Answer",
            "fields": {
                "case_id": {"path": "k:CaseRef", "required": True},
                "status_code": {"path": "k:Status/k:Code", "as": "int"},
                "billing": {"path": "k:Billing", "code": "billing"},
                "ready": {"path": "k:Ready", "as": "date", "format": "%Y%m%d"},
                "fee": {"path": "k:Fee", "as": "decimal"},
                "bill_customer": {"path": "k:Bill", "as": "bool"},
                "version": {"path": "@version"},
                "facilities": {"each": "k:Facilities/k:Facility",
                               "fields": {"gsrn": "k:Ean", "meter_number": "k:MeterNo"}},
            },
        }
    },
}
DATA = {"case_id": "SE-2026-000117", "status_code": 100, "billing": "quote_sent",
        "ready": "2026-12-01", "fee": "1500.00", "bill_customer": True, "version": "1",
        "facilities": [{"gsrn": "735999100000000018", "meter_number": "7359991"},
                       {"gsrn": "735999100000000025", "meter_number": "7359992"}]}


def test_xml_round_trip_is_identity():
    mapper = XmlMapper(parse_mapping(MAPPING))
    element = mapper.write("Answer", DATA)
    assert element.findtext("{urn:gridhub:kis:v1}Billing") == "OFF"
    assert element.findtext("{urn:gridhub:kis:v1}Ready") == "20261201"
    reparsed = etree.fromstring(etree.tostring(element))
    assert mapper.read("Answer", reparsed) == DATA


def test_json_round_trip_is_identity():
    doc = {"documents": {"Order": {"fields": {
        "workorder_id": "/order/id", "phases": {"path": "/spec/phases", "as": "int"},
        "readings": {"each": "/readings", "fields": {"value": {"path": "/v", "as": "float"}}}}}}}
    mapper = JsonMapper(parse_mapping(doc))
    data = {"workorder_id": "AO-1", "phases": 3, "readings": [{"value": 1.5}, {"value": 2.0}]}
    wire = mapper.write("Order", data)
    assert wire == {"order": {"id": "AO-1"}, "spec": {"phases": 3},
                    "readings": [{"v": 1.5}, {"v": 2.0}]}
    assert mapper.read("Order", wire) == data


def test_unknown_code_names_element_and_known_codes():
    mapper = XmlMapper(parse_mapping(MAPPING))
    el = etree.fromstring(b"<k:Answer xmlns:k='urn:gridhub:kis:v1'><k:CaseRef>C</k:CaseRef>"
                          b"<k:Billing>XX</k:Billing></k:Answer>")
    with pytest.raises(InvalidMessage) as info:
        mapper.read("Answer", el)
    assert "k:Billing" in str(info.value) and "'XX'" in str(info.value)
    assert "EJ, OFF" in str(info.value)


def test_bad_date_names_format():
    mapper = XmlMapper(parse_mapping(MAPPING))
    el = etree.fromstring(b"<k:Answer xmlns:k='urn:gridhub:kis:v1'><k:CaseRef>C</k:CaseRef>"
                          b"<k:Ready>2026-12-01</k:Ready></k:Answer>")
    with pytest.raises(InvalidMessage, match=r"not a valid date in format %Y%m%d"):
        mapper.read("Answer", el)


def test_required_element_missing():
    mapper = XmlMapper(parse_mapping(MAPPING))
    el = etree.fromstring(b"<k:Answer xmlns:k='urn:gridhub:kis:v1'/>")
    with pytest.raises(InvalidMessage, match="required element is missing"):
        mapper.read("Answer", el)


@pytest.mark.parametrize("bad, message", [
    ({"documents": {"A": {"root": "x"}}}, "needs 'fields'"),
    ({"documents": {"A": {"fields": {"f": {"path": "x", "as": "money"}}}}}, "unknown converter"),
    ({"documents": {"A": {"fields": {"f": {"path": "x", "code": "nope"}}}}}, "unknown code list"),
    ({"documents": {"A": {"fields": {"f": {"as": "int"}}}}}, "missing 'path'"),
])
def test_mapping_errors_name_the_key(bad, message):
    with pytest.raises(ConfigurationError, match=message) as info:
        parse_mapping(bad, source="kis/mapping.yaml")
    assert "kis/mapping.yaml: documents.A" in str(info.value)
