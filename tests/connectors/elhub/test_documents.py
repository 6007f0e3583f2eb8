"""Canonical <-> EMIF documents without I/O: round trips, the XSD contract, clear errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import zeep
from lxml import etree

from connectors.elhub import ElhubConnector, emif, values
from hub import soap
from hub.errors import InvalidMessage
from hub.xmlsafe import parse, zeep_settings
from schemas.envelope import Envelope
from schemas.payloads import parse_payload
from tests.connectors.elhub.conftest import KNOWN_GSRN, NEW_GSRN
from tests.connectors.elhub.structure_documents import same
from tests.factories import envelope

ABIE = emif.ABIE
ADDRESS = {"street": "Kirkegata 7", "postcode": "4610", "town": "Kristiansand", "country": "NO"}


def updated(event: str, **fields: Any) -> Envelope:
    payload = {"gsrn": NEW_GSRN if event == "new" else KNOWN_GSRN, "event": event,
               "effective_at": "2024-03-14T08:30:00+01:00"} | fields
    return envelope("meteringpoint.updated", payload=payload, case_id="NO-2024-000117")


def collected(day: str = "2024-03-13", resolution: str = "PT15M", count: int = 96,
              gsrn: str = KNOWN_GSRN, quality: str | None = None) -> Envelope:
    qualities = ["measured", "estimated", "final_estimated", "missing"]
    observations = [{"position": i, "quantity": str(Decimal("0.125") * (i % 7)),
                     "quality": quality or qualities[i % 4]} for i in range(1, count + 1)]
    return envelope("meteringvalues.collected", payload={
        "gsrn": gsrn, "day": day, "resolution": resolution, "observations": observations})


def normal(message: Envelope) -> dict[str, Any]:
    """The payload as typed values: equal instants and equal decimals compare equal."""
    return parse_payload(message).model_dump(exclude_none=True)


CHANNEL = {"product": "8716867000030", "unit": "kWh", "direction": "Out", "resolution": "PT15M"}
NEW = dict(grid_area="10YNO-2--------T", meter_number="6970631400000002", address=ADDRESS,
           grid_owner_gln="7080005051019", settlement_method="E02", channel=CHANNEL)


@pytest.mark.parametrize(("event", "fields"), [
    ("new", NEW), ("activate", {"grid_owner_gln": "7080005051019"}),
    ("meter_change", {"meter_number": "6970631400000009", "grid_owner_gln": "7080005051019"}),
    ("deactivate", {"grid_owner_gln": "7080005051019"})])
def test_master_data_round_trip(event: str, fields: dict[str, Any]) -> None:
    original = updated(event, **fields)
    wire = ElhubConnector.to_wire(original)
    (back,) = ElhubConnector.to_canonical(wire)
    assert back.type == "meteringpoint.updated"
    assert back.message_id == original.message_id
    assert normal(back) == normal(original)


def test_master_data_document_follows_the_emif_layout() -> None:
    root = parse(ElhubConnector.to_wire(updated("new", **NEW)))
    md = "urn:no:elhub:emif:masterdata:RequestUpdateMasterDataMeteringPoint:v2"
    assert [etree.QName(c).namespace for c in root] == [md, md, md]
    assert {etree.QName(e).namespace for e in root.iter() if e.getparent() is not None
            and e.getparent() is not root} == {ABIE}
    assert root.findtext(f"{{{md}}}ProcessEnergyContext/{{{ABIE}}}EnergyBusinessProcess") \
        == "BRS-NO-121"
    payload = root.find(f"{{{md}}}PayloadMasterDataMPEvent")
    assert payload.findtext(f"{{{ABIE}}}StartOfOccurrence") == "2024-03-14T07:30:00Z"
    ident = payload.find(f"{{{ABIE}}}MeteringGridAreaUsedDomainLocation/{{{ABIE}}}Identification")
    assert ident.get("schemeAgencyIdentifier") == "305"
    assert payload.findtext(f".//{{{ABIE}}}SettlementMethodType") == "E02"
    assert payload.findtext(f".//{{{ABIE}}}MeasurementDefinition/{{{ABIE}}}Resolution") == "PT15M"


def test_activation_drops_what_the_process_forbids() -> None:
    root = parse(ElhubConnector.to_wire(updated("activate", grid_area="10YNO-2--------T",
                                                address=ADDRESS)))
    assert root.find(f".//{{{ABIE}}}MeteringGridAreaUsedDomainLocation") is None
    assert root.find(f".//{{{ABIE}}}MPAddressMeteringPointAddress") is None


@pytest.mark.parametrize(("event", "missing", "field"), [
    ("new", "grid_area", "payload.grid_area"), ("new", "address", "payload.address"),
    ("new", "settlement_method", "payload.settlement_method"),
    ("new", "channel", "payload.channel"),
    ("meter_change", "meter_number", "payload.meter_number")])
def test_a_field_the_process_requires_is_named(event: str, missing: str, field: str) -> None:
    fields = {k: v for k, v in NEW.items() if k != missing} if event == "new" else {}
    with pytest.raises(InvalidMessage) as info:
        ElhubConnector.to_wire(updated(event, **fields))
    assert info.value.where == field and "BRS-NO-" in str(info.value)


@pytest.mark.parametrize(("day", "count"), [("2024-03-13", 96), ("2024-03-31", 92),
                                            ("2024-10-27", 100)])
def test_values_round_trip_on_normal_and_dst_days(day: str, count: int) -> None:
    original = collected(day, count=count)
    (back,) = ElhubConnector.to_canonical(ElhubConnector.to_wire(original))
    assert back.type == "meteringvalues.collected"
    assert back.message_id == original.message_id and back.case_id == KNOWN_GSRN
    assert normal(back) == normal(original)


def test_values_document_carries_period_product_and_qualities() -> None:
    root = parse(ElhubConnector.to_wire(collected("2024-03-31", count=92)))
    series = root.find(f"{{{emif.NS['cd']}}}PayloadEnergyTimeSeries")
    period = f"{{{ABIE}}}ObservationPeriodTimeSeriesPeriod/{{{ABIE}}}"
    assert (series.findtext(period + "Start"), series.findtext(period + "End")) == \
        ("2024-03-30T23:00:00Z", "2024-03-31T22:00:00Z")  # 23 hours: the spring DST day
    assert series.findtext(f".//{{{ABIE}}}UnitType") == "kWh"
    first = series.findall(f"{{{ABIE}}}Observation")[:4]
    assert [o.get("Sequence") for o in first] == ["1", "2", "3", "4"]
    estimated = first[0][0]  # position 1 -> "estimated"
    assert (etree.QName(estimated).localname, estimated.get("Quality")) == ("Estimated", "56")
    assert etree.QName(first[3][0]).localname == "Metered"


def test_hourly_values_are_written_as_pt1h_and_pt60m_is_kept_as_sent() -> None:
    original = collected(resolution="PT1H", count=24)
    wire = ElhubConnector.to_wire(original)
    assert b"<abie:ResolutionDuration>PT1H</abie:ResolutionDuration>" in wire
    (back,) = ElhubConnector.to_canonical(wire)
    assert back.payload["resolution"] == "PT1H"
    # the other spelling would come back as PT1H from the day model: the document is kept whole
    doc = wire.replace(b">PT1H<", b">PT60M<")
    (kept,) = ElhubConnector.to_canonical(doc)
    assert kept.type == "meteringvalues.reported"
    assert kept.payload["payloads"][0]["period"]["resolution"] == "PT60M"
    assert same(etree.fromstring(ElhubConnector.to_wire(kept)), etree.fromstring(doc))


def test_a_series_of_two_days_becomes_two_messages() -> None:
    one = parse(ElhubConnector.to_wire(collected("2024-03-13", quality="measured")))
    series = one.find(f"{{{emif.NS['cd']}}}PayloadEnergyTimeSeries")
    series.find(f".//{{{ABIE}}}End").text = "2024-03-14T23:00:00Z"
    for i in range(97, 193):
        obs = etree.SubElement(series, f"{{{ABIE}}}Observation", Sequence=str(i))
        etree.SubElement(obs, f"{{{ABIE}}}Metered").text = "0.5"
    first, second = ElhubConnector.to_canonical(etree.tostring(one))
    assert (first.payload["day"], second.payload["day"]) == ("2024-03-13", "2024-03-14")
    assert second.payload["observations"][0] == {"position": 1, "quantity": "0.5",
                                                 "quality": "measured"}
    assert first.message_id != second.message_id


def test_a_missing_interval_is_refused_naming_counts() -> None:
    root = parse(ElhubConnector.to_wire(collected()))
    series = root.find(f"{{{emif.NS['cd']}}}PayloadEnergyTimeSeries")
    series.remove(series.findall(f"{{{ABIE}}}Observation")[10])
    with pytest.raises(InvalidMessage, match=r"has 95 observations .* needs 96"):
        ElhubConnector.to_canonical(etree.tostring(root))


def test_more_than_three_decimals_breaks_the_contract() -> None:
    message = collected(count=96, quality="measured")
    payload = dict(message.payload)
    payload["observations"] = [dict(o, quantity="0.1234") for o in payload["observations"]]
    with pytest.raises(InvalidMessage, match=r"CollectedData\.xsd.*Metered"):
        ElhubConnector.to_wire(message.model_copy(update={"payload": payload}))


def test_schema_errors_do_not_repeat_values() -> None:
    root = parse(ElhubConnector.to_wire(updated("new", **NEW)))
    root.find(f".//{{{ABIE}}}MeteringPointUsedDomainLocation/{{{ABIE}}}Identification").text \
        = "70705750000000001X"
    with pytest.raises(InvalidMessage) as info:
        ElhubConnector.to_canonical(etree.tostring(root))
    assert "pattern" in str(info.value) and "70705750000000001X" not in str(info.value)


def test_a_bad_check_digit_is_found_beyond_the_schema() -> None:
    wire = ElhubConnector.to_wire(collected(quality="measured"))
    bad = KNOWN_GSRN[:-1] + str((int(KNOWN_GSRN[-1]) + 1) % 10)
    with pytest.raises(InvalidMessage, match=r"payload\.gsrn"):
        ElhubConnector.to_canonical(wire.replace(KNOWN_GSRN.encode(), bad.encode()))


def test_acknowledgement_round_trip() -> None:
    original = envelope("meteringpoint.acknowledged", payload={
        "status": "41", "original_message_id": "0e0bd0b6-4d1a-4a59-8f63-6c1d2b7e9a10",
        "reasons": [{"code": "E10", "text": "Installation address or metering point not "
                     "identifiable"}, {"code": "EH032", "text": "Required element missing"}]})
    wire = ElhubConnector.to_wire(original)
    assert b'listAgencyIdentifier="89">EH032<' in wire
    (back,) = ElhubConnector.to_canonical(wire)
    assert back.message_id == original.message_id
    assert normal(back) == normal(original)


def test_a_soap_wrapped_collected_data_is_read_like_a_bare_one() -> None:
    message = collected(quality="measured")
    root = values.to_document(message, sender="7080005051019", recipient="7080010001009")
    root.tag = "{urn:no:elhub:emif:wsdl:meteringvalues:v2}CollectedData"
    wrapper = etree.Element("{urn:no:elhub:emif:wsdl:meteringvalues:v2}CollectedDataRequest")
    wrapper.append(root)
    (back,) = ElhubConnector.to_canonical(soap.envelope(wrapper))
    assert normal(back) == normal(message)


def test_documents_without_a_canonical_message_are_named() -> None:
    with pytest.raises(InvalidMessage, match="Ping carries no canonical message"):
        ElhubConnector.to_canonical(b"<Ping xmlns='urn:x'/>")
    with pytest.raises(InvalidMessage, match=r"carries no 'case\.submitted'"):
        ElhubConnector.to_wire(envelope("case.submitted"))


def test_entities_are_refused() -> None:
    with pytest.raises(InvalidMessage, match="DOCTYPE"):
        ElhubConnector.to_canonical(b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>')


@pytest.mark.parametrize("service", ["MarketProcesses", "MeteringValues",
                                     "PollMarketProcesses", "PollMeteringValues"])
def test_the_wsdls_load_with_hardened_zeep(service: str) -> None:
    client = zeep.Client(str(emif.CONTRACT_DIR / f"{service}.wsdl"), settings=zeep_settings())
    operations = {op for s in client.wsdl.services.values() for p in s.ports.values()
                  for op in p.binding._operations}
    expected = {"MarketProcesses": {"RequestUpdateMasterDataMeteringPoint"},
                "MeteringValues": {"CollectedData", "Acknowledge"}}.get(
        service, {"PollForData", "AcknowledgePoll"})
    assert operations == expected


def test_the_wsdl_wrapper_takes_our_local_collected_data() -> None:
    schema_doc = etree.parse(str(emif.CONTRACT_DIR / "MeteringValues.wsdl"))
    inline = schema_doc.find(".//{http://www.w3.org/2001/XMLSchema}schema")
    local = inline.find(".//{http://www.w3.org/2001/XMLSchema}element[@name='CollectedData']")
    assert local.get("type") == "cd:CollectedDataType"
