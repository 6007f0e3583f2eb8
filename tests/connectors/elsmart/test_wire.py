"""Translation without I/O: canonical -> SOAP -> canonical for every type, and bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from connectors.elsmart import ElsmartConnector
from connectors.elsmart.contract import XSD
from connectors.elsmart.wire import MAPPING, ElsmartWire
from hub import soap
from hub.errors import InvalidMessage
from schemas.payloads import parse_payload
from tests.factories import block_case, envelope, norwegian_case, note, swedish_case

INBOUND = ["case.submitted", "case.resubmitted", "case.completion.submitted", "case.cancelled",
           "case.deletion.requested", "case.note.added", "case.attachment.added",
           "facility.lookup.requested"]
OUTBOUND = ["case.approved", "case.rejected", "case.completion.rejected",
            "case.completion.approved", "case.archived", "case.note.added",
            "case.sidetrack.updated", "facility.lookup.answered"]
CASES = {"se": swedish_case(), "no": norwegian_case(3), "block": block_case(3, seed=2)}
E = "{urn:gridhub:elsmart:v1}"


def _same(original, back):
    assert back.message_id == original.message_id
    assert back.case_id == original.case_id
    assert back.type == original.type
    assert back.occurred_at == original.occurred_at
    assert back.payload == parse_payload(original).model_dump(mode="json")


@pytest.mark.parametrize("case_name", sorted(CASES))
@pytest.mark.parametrize("type_", sorted(set(INBOUND + OUTBOUND)))
def test_round_trip_loses_nothing(type_, case_name):
    original = envelope(type_, CASES[case_name])
    wire = ElsmartConnector.to_wire(original)
    [back] = ElsmartConnector.to_canonical(wire)
    _same(original, back)


def test_round_trip_keeps_rich_optional_fields():
    case = swedish_case(notes=[note(), note("Internt", "Kontrollera servis", internal=True)],
                        temporary_kind=None)
    payloads = [
        ("case.submitted", case.model_dump(mode="json")),
        ("case.rejected", {"reason": note().model_dump(mode="json"),
                           "wrong_installation_type": True}),
        ("case.sidetrack.updated", {"track": "billing", "state": "quote_sent",
                                    "set_flags": ["on_hold", "documented"],
                                    "clear_flags": ["has_notes"]}),
        ("case.sidetrack.updated", {"set_flags": ["contains_transformer"]}),
        ("facility.lookup.answered", {"status_code": 404, "status_text": "Ingen träff",
                                      "overwrite": False}),
        ("case.deletion.requested", {"reason": "Fel installationstyp", "replaced_by": "SE-1077"}),
    ]
    for type_, payload in payloads:
        original = envelope(type_, case, payload=payload)
        [back] = ElsmartConnector.to_canonical(ElsmartConnector.to_wire(original))
        _same(original, back)


def test_wire_uses_portal_codes_and_status_selects_type():
    wire = ElsmartConnector.to_wire(envelope("case.completion.rejected", swedish_case()))
    body = soap.body_of(wire)
    assert body.tag == f"{E}UpdateStatus"
    assert body.findtext(f"{E}Status") == "AVVISAD_FARDIGANMALAN"
    assert body.findtext(f"{E}Note/{E}Text") == "Mätarplats saknas."
    submitted = soap.body_of(ElsmartConnector.to_wire(envelope("case.submitted", swedish_case())))
    assert submitted.findtext(f"{E}InstallationType") == "NY"
    assert submitted.findtext(f"{E}JobType") == "EN_MATARE"
    assert submitted.findtext(f"{E}PropertyOwner/{E}Kind") == "PRIVAT"


def test_source_follows_direction():
    [inbound] = ElsmartConnector.to_canonical(
        ElsmartConnector.to_wire(envelope("case.submitted", swedish_case())))
    [outbound] = ElsmartConnector.to_canonical(
        ElsmartConnector.to_wire(envelope("case.approved", swedish_case())))
    assert (inbound.source, outbound.source) == ("elsmart", "hub")


def test_bare_body_element_is_read_too():
    body = soap.body_of(ElsmartConnector.to_wire(envelope("case.note.added", swedish_case())))
    [back] = ElsmartConnector.to_canonical(etree.tostring(body))
    assert back.payload["note"]["subject"] == "Fråga"


def test_completion_without_flow_defaults_to_completion_only():
    wire = ElsmartConnector.to_wire(envelope("case.completion.submitted", swedish_case()))
    stripped = re.sub(rb"<e:Flow>[^<]*</e:Flow>", b"", wire)
    [back] = ElsmartConnector.to_canonical(stripped)
    assert back.payload["flow"] == "completion_only"


def test_missing_message_id_gets_a_stable_content_id():
    wire = ElsmartConnector.to_wire(envelope("case.cancelled", swedish_case()))
    stripped = re.sub(rb"<e:MessageId>[^<]*</e:MessageId>", b"", wire)
    body = etree.tostring(soap.body_of(wire))
    stripped_body = re.sub(rb"<e:MessageId>[^<]*</e:MessageId>", b"", body)
    # The shipped contract requires MessageId; a vendor mapping without it still gets an id.
    with pytest.raises(InvalidMessage, match="MessageId"):
        ElsmartConnector.to_canonical(stripped)
    wire_obj = ElsmartWire.load()
    lax = ElsmartWire(wire_obj.mapping, _NoContract())
    first = lax.read(etree.fromstring(stripped_body))
    again = lax.read(etree.fromstring(stripped_body))
    assert first.message_id == again.message_id
    assert first.message_id != envelope("case.cancelled", swedish_case()).message_id


class _NoContract:
    def check(self, element, *, where):
        return None


def test_bad_check_digit_names_the_wire_element():
    wire = ElsmartConnector.to_wire(envelope("case.submitted", swedish_case())).decode()
    ean = re.search(r"<e:Ean>(\d+)</e:Ean>", wire).group(1)
    bad = wire.replace(ean, ean[:-1] + str((int(ean[-1]) + 1) % 10))
    with pytest.raises(InvalidMessage) as info:
        ElsmartConnector.to_canonical(bad.encode())
    assert info.value.where.startswith("SubmitNotification/e:Facilities/e:Facility[1]/e:Ean")
    assert "check digit" in info.value.message


def test_contract_violation_names_element_and_masks_personal_numbers():
    wire = ElsmartConnector.to_wire(envelope("case.submitted", swedish_case())).decode()
    pnr = re.search(r"<e:PersonalNumber>([^<]+)</e:PersonalNumber>", wire).group(1)
    bad = wire.replace(pnr, pnr + "12345")
    with pytest.raises(InvalidMessage) as info:
        ElsmartConnector.to_canonical(bad.encode())
    assert "e:PropertyOwner/e:PersonalNumber" in info.value.where
    assert pnr not in str(info.value)
    bad_code = wire.replace("<e:JobType>EN_MATARE", "<e:JobType>SOLCELLER")
    with pytest.raises(InvalidMessage, match="enumeration") as info:
        ElsmartConnector.to_canonical(bad_code.encode())
    assert "e:JobType" in info.value.where


def test_job_type_not_offered_for_installation_type_is_invalid():
    wire = ElsmartConnector.to_wire(envelope("case.submitted", swedish_case())).decode()
    bad = wire.replace("<e:JobType>EN_MATARE", "<e:JobType>UPPSAKRING")
    with pytest.raises(InvalidMessage, match="not offered for installation_type"):
        ElsmartConnector.to_canonical(bad.encode())


def test_unknown_operation_and_hostile_xml_are_refused():
    with pytest.raises(InvalidMessage, match="unknown operation Foo"):
        ElsmartConnector.to_canonical(b'<e:Foo xmlns:e="urn:gridhub:elsmart:v1"/>')
    with pytest.raises(InvalidMessage, match="DOCTYPE"):
        ElsmartConnector.to_canonical(
            b'<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]><x>&a;</x>')
    with pytest.raises(InvalidMessage, match="malformed"):
        ElsmartConnector.to_canonical(b"<e:AddNote")


def test_to_wire_refuses_types_elsmart_does_not_carry_and_bad_payloads():
    with pytest.raises(InvalidMessage, match=r"carries no 'workorder\.created'"):
        ElsmartConnector.to_wire(envelope("workorder.created", swedish_case()))
    with pytest.raises(InvalidMessage, match="payload is case"):
        ElsmartConnector.to_wire(envelope("case.submitted", swedish_case(), case_id="SE-9"))
    with pytest.raises(InvalidMessage, match="reason"):
        ElsmartConnector.to_wire(envelope("case.rejected", swedish_case(), payload={}))


def test_a_grid_owner_adapts_codes_by_editing_mapping_and_contract(tmp_path: Path):
    mapping = tmp_path / "mapping.yaml"
    xsd = tmp_path / "vendor.xsd"
    mapping.write_text(MAPPING.read_text(encoding="utf-8").replace(
        "NY: new_installation", "NYANL: new_installation"), encoding="utf-8")
    xsd.write_text(XSD.read_text(encoding="utf-8").replace(
        '<xs:enumeration value="NY"/>', '<xs:enumeration value="NYANL"/>'), encoding="utf-8")
    vendor = ElsmartWire.load(mapping, xsd)
    original = envelope("case.submitted", swedish_case())
    element = vendor.write(original)
    assert element.findtext(f"{E}InstallationType") == "NYANL"
    _same(original, vendor.read(element))
    with pytest.raises(InvalidMessage):  # the shipped contract does not know the vendor code
        ElsmartWire.load().read(element)
