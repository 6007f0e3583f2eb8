"""Canonical <-> metering JSON without I/O: round trips, contract checks, clear errors."""

from __future__ import annotations

import json
from datetime import date

import pytest

from connectors.metering import MeteringConnector, lifecycle, wire
from hub.errors import InvalidMessage
from schemas.codes import WorkOrderKind
from schemas.envelope import Envelope
from schemas.payloads import parse_payload
from tests.factories import envelope, norwegian_case

WORKORDER_TYPES = ["workorder.requested", "workorder.created", "workorder.equipment.planned",
                   "workorder.warehousetask.created", "workorder.assigned",
                   "workorder.reported", "workorder.cancelled", "workorder.deviation"]


def normal(message: Envelope) -> dict[str, object]:
    return parse_payload(message).model_dump(mode="json", exclude_none=True)


@pytest.mark.parametrize("type_", [*WORKORDER_TYPES, "meteringvalues.collected"])
def test_round_trip_keeps_payload_and_ids(type_: str) -> None:
    original = envelope(type_, norwegian_case(seed=2))
    wire_doc = MeteringConnector.to_wire(original)
    (back,) = MeteringConnector.to_canonical(wire_doc)
    assert back.type == type_
    assert back.message_id == original.message_id
    assert normal(back) == normal(original)
    if type_ != "meteringvalues.collected":  # metering values are caseless: case = GSRN
        assert back.case_id == original.case_id
    else:
        assert back.case_id == original.payload["gsrn"]


def test_reported_event_carries_meter_reading_time_and_documentation() -> None:
    payload = {"workorder_id": "AO-100007", "kind": "meter_replacement",
               "gsrn": "707057500000000018", "meter_number": "6900000007",
               "at": "2024-03-14T09:00:00+00:00",
               "reading": {"obis_code": "1.8.0", "value_kwh": "0.000",
                           "read_at": "2024-03-14T08:55:00+00:00"},
               "old_meter_number": "5512345", "old_reading": {
                   "obis_code": "1.8.0", "value_kwh": "48211.500",
                   "read_at": "2024-03-14T08:40:00+00:00"},
               "documentation": [{"name": "samsvarserklaering.pdf",
                                  "media_type": "application/pdf", "size": 1200,
                                  "sha256": "ab" * 32, "origin": "installer"}]}
    message = envelope("workorder.reported", payload=payload, case_id="NO-2024-77")
    doc = json.loads(MeteringConnector.to_wire(message))
    assert doc["eventType"] == "REPORTED"
    assert doc["workOrder"] == {"workOrderId": "AO-100007", "externalRef": "NO-2024-77",
                                "orderType": "MALERBYTTE",
                                "meteringPoint": {"gsrn": "707057500000000018"}}
    assert doc["report"]["meterNumber"] == "6900000007"
    assert doc["report"]["oldReading"]["value"] == "48211.500"
    assert doc["report"]["documentation"][0]["origin"] == "INSTALLATOR"
    (back,) = MeteringConnector.to_canonical(json.dumps(doc).encode())
    assert normal(back) == normal(message)


@pytest.mark.parametrize("kind", list(WorkOrderKind))
def test_every_work_order_kind_has_a_wire_code(kind: WorkOrderKind) -> None:
    message = envelope("workorder.requested", payload={
        "kind": kind.value, "gsrn": "707057500000000018", "at": "2024-03-14T08:30:00Z"})
    doc = json.loads(MeteringConnector.to_wire(message))
    assert doc["orderType"] in wire.mapping().document("request").fields.fields[0].code
    assert MeteringConnector.to_canonical(json.dumps(doc).encode())[0].payload["kind"] == kind


def test_request_carries_the_case_id_and_message_id_for_idempotency() -> None:
    message = envelope("workorder.requested", norwegian_case(seed=4))
    doc = json.loads(MeteringConnector.to_wire(message))
    assert doc["requestId"] == message.message_id
    assert doc["externalRef"] == message.case_id


def test_resource_answer_gets_the_id_deliver_would_derive() -> None:
    request = envelope("workorder.requested", norwegian_case(seed=5))
    resource = {"workOrderId": "AO-100001", "requestId": request.message_id,
                "externalRef": request.case_id, "orderType": "OMBYGGING_1_3_FASE",
                "status": "CREATED", "createdAt": "2024-03-14T08:31:00Z"}
    (created,) = MeteringConnector.to_canonical(json.dumps(resource).encode())
    expected = request.derive("workorder.created", "metering", {}, "AO-100001")
    assert created.message_id == expected.message_id
    assert created.causation_id == request.message_id
    assert created.payload["workorder_id"] == "AO-100001"


def test_simulated_values_event_maps_to_canonical_day() -> None:
    event = lifecycle.values_event("707057500000000018", date(2024, 3, 13))
    (message,) = MeteringConnector.to_canonical(json.dumps(event).encode())
    assert message.type == "meteringvalues.collected"
    assert len(message.payload["observations"]) == 96
    assert {o["quality"] for o in message.payload["observations"]} <= {"measured", "estimated"}


def test_bad_gsrn_names_the_pointer_and_rule_but_not_the_value() -> None:
    event = lifecycle.values_event("707057500000000018", date(2024, 3, 13))
    event["meteringPoint"]["gsrn"] = "70705750000000001X"
    with pytest.raises(InvalidMessage) as info:
        MeteringConnector.to_canonical(json.dumps(event).encode())
    text = str(info.value)
    assert "/meteringPoint/gsrn" in text and "pattern" in text
    assert "70705750000000001X" not in text


def test_check_digit_is_checked_beyond_the_schema() -> None:
    event = lifecycle.values_event("707057500000000018", date(2024, 3, 13))
    event["meteringPoint"]["gsrn"] = "707057500000000019"  # 18 digits, wrong check digit
    with pytest.raises(InvalidMessage, match=r"payload\.gsrn"):
        MeteringConnector.to_canonical(json.dumps(event).encode())


def test_unknown_event_type_names_the_known_ones() -> None:
    with pytest.raises(InvalidMessage, match=r"unknown eventType .*ASSIGNED"):
        MeteringConnector.to_canonical(b'{"eventType": "EXPLODED", "eventId": "1"}')


def test_missing_required_property_is_named() -> None:
    event = {"eventId": "e1", "eventType": "ASSIGNED", "occurredAt": "2024-03-14T09:00:00Z",
             "workOrder": {"workOrderId": "AO-1", "externalRef": "NO-1",
                           "orderType": "STENGING"}}
    with pytest.raises(InvalidMessage, match="'assignee' is a required property"):
        MeteringConnector.to_canonical(json.dumps(event).encode())


def test_not_json_is_invalid() -> None:
    with pytest.raises(InvalidMessage, match="not JSON"):
        MeteringConnector.to_canonical(b"<xml/>")


def test_to_wire_refuses_a_type_the_contract_does_not_carry() -> None:
    with pytest.raises(InvalidMessage, match=r"carries no 'case\.submitted'"):
        MeteringConnector.to_wire(envelope("case.submitted", norwegian_case()))


def test_to_wire_refuses_an_invalid_payload() -> None:
    message = envelope("workorder.assigned", payload={
        "workorder_id": "AO-1", "kind": "closing", "at": "2024-03-14T08:30:00Z"})
    with pytest.raises(InvalidMessage, match="assignee"):
        MeteringConnector.to_wire(message)


def test_a_list_of_documents_gives_one_message_each() -> None:
    case = norwegian_case(seed=6)
    docs = [json.loads(MeteringConnector.to_wire(envelope(t, case)))
            for t in ("workorder.assigned", "workorder.cancelled")]
    messages = MeteringConnector.to_canonical(json.dumps(docs).encode())
    assert [m.type for m in messages] == ["workorder.assigned", "workorder.cancelled"]
