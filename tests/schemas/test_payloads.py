"""Payload models per message type, parse errors that name the field, and the status effects."""

import pytest
from pydantic import BaseModel

from hub.errors import InvalidMessage, PermanentError, UnknownMessageType
from schemas.case import Case
from schemas.codes import CaseStatus
from schemas.message_types import MessageType
from schemas.payloads import (
    CASELESS,
    CREATING,
    FLOW_OF_NEW_CASE,
    PAYLOAD_MODELS,
    STATUS_EFFECT,
    FacilityLookupAnswered,
    MeteringValuesCollected,
    model_for,
    parse_payload,
)
from tests.factories import envelope, norwegian_case, sample_payload, swedish_case

M = MessageType


def test_every_message_type_has_a_payload_model():
    assert set(PAYLOAD_MODELS) == set(MessageType)
    assert all(issubclass(model, BaseModel) for model in PAYLOAD_MODELS.values())


@pytest.mark.parametrize("type_", list(MessageType), ids=str)
def test_sample_payload_of_every_type_parses(type_):
    model = parse_payload(envelope(type_, swedish_case()))
    assert isinstance(model, PAYLOAD_MODELS[type_])
    assert model.model_dump(mode="json") == model_for(type_).model_validate(
        model.model_dump(mode="json")).model_dump(mode="json")


def test_case_types_carry_the_case():
    for type_ in (M.CASE_SUBMITTED, M.CASE_RESUBMITTED, M.CASE_COMPLETION_SUBMITTED):
        assert PAYLOAD_MODELS[type_] is Case


def test_status_effects_are_the_documented_ones():
    assert {
        M.CASE_SUBMITTED: CaseStatus.submitted,
        M.CASE_RESUBMITTED: CaseStatus.submitted,
        M.CASE_APPROVED: CaseStatus.approved,
        M.CASE_REJECTED: CaseStatus.pre_rejected,
        M.CASE_COMPLETION_SUBMITTED: CaseStatus.completion_submitted,
        M.CASE_COMPLETION_APPROVED: CaseStatus.completion_approved,
        M.CASE_COMPLETION_REJECTED: CaseStatus.completion_rejected,
        M.CASE_ARCHIVED: CaseStatus.archived,
        M.CASE_CANCELLED: CaseStatus.cancelled,
        M.CASE_DELETION_REQUESTED: CaseStatus.cancelled,
    } == STATUS_EFFECT


def test_caseless_and_creating_types():
    assert M.METERINGVALUES_COLLECTED in CASELESS
    assert not CASELESS & set(STATUS_EFFECT)
    assert not CASELESS & CREATING
    assert set(FLOW_OF_NEW_CASE) == CREATING


def test_unknown_type_has_no_model():
    with pytest.raises(UnknownMessageType, match=r"no payload model for message type 'case\.lost'"):
        model_for("case.lost")


def test_parse_error_names_the_field_path_and_reason():
    payload = sample_payload(M.CASE_SUBMITTED, swedish_case())
    payload["facilities"][0]["facility_id"] = "735999000000000000"
    with pytest.raises(InvalidMessage) as info:
        parse_payload(envelope(M.CASE_SUBMITTED, payload=payload))
    assert info.value.where == "payload.facilities.0.facility_id"
    assert "case.submitted payload is invalid: facilities.0.facility_id: " in info.value.message
    assert "GSRN check digit is 0, expected" in info.value.message
    assert isinstance(info.value, PermanentError)


def test_parse_error_never_repeats_a_personal_number():
    payload = sample_payload(M.CASE_SUBMITTED, norwegian_case())
    bad = payload["property_owner"]["personal_number"][:10] + "0"
    if bad == payload["property_owner"]["personal_number"]:
        bad = bad[:10] + "1"
    payload["property_owner"]["personal_number"] = bad
    with pytest.raises(InvalidMessage) as info:
        parse_payload(envelope(M.CASE_SUBMITTED, payload=payload))
    assert info.value.where == "payload.property_owner.personal_number.NO"
    assert bad not in str(info.value)
    assert "fødselsnummer control digit 2" in str(info.value)


def test_missing_field_is_named():
    with pytest.raises(InvalidMessage) as info:
        parse_payload(envelope(M.CASE_NOTE_ADDED, payload={}))
    assert info.value.where == "payload.note"
    assert "note: Field required" in info.value.message


def test_many_errors_are_summarised():
    with pytest.raises(InvalidMessage, match=r"and \d+ more"):
        parse_payload(envelope(M.CASE_SUBMITTED, payload={"x": 1}))


def test_lookup_request_needs_a_key():
    with pytest.raises(InvalidMessage, match="give a meter_number or a facility_id"):
        parse_payload(envelope(M.FACILITY_LOOKUP_REQUESTED, payload={"overwrite": True}))


def test_lookup_answer_hit_and_miss():
    hit = FacilityLookupAnswered.model_validate(sample_payload(M.FACILITY_LOOKUP_ANSWERED))
    assert hit.status_code == 100 and hit.facility is not None
    miss = FacilityLookupAnswered(status_code=404, status_text="Mätarnummer finns inte")
    assert miss.facility is None
    with pytest.raises(ValueError, match="100 \\(hit\\) needs a facility"):
        FacilityLookupAnswered(status_code=100, status_text="Träff")
    with pytest.raises(ValueError, match="is a miss and carries no data"):
        FacilityLookupAnswered.model_validate({**hit.model_dump(mode="json"), "status_code": 1})


def test_lookup_answer_cannot_carry_personal_numbers():
    payload = sample_payload(M.FACILITY_LOOKUP_ANSWERED)
    payload["customer"]["personal_number"] = "811218-9876"
    with pytest.raises(InvalidMessage) as info:
        parse_payload(envelope(M.FACILITY_LOOKUP_ANSWERED, payload=payload))
    assert info.value.where == "payload.customer.personal_number"
    assert "Extra inputs are not permitted" in info.value.message


@pytest.mark.parametrize(
    ("payload", "text"),
    [
        ({"track": "billing", "state": "in_progress"},
         "state 'in_progress' is not a billing state; allowed: not_billable"),
        ({"track": "billing"}, "track and state go together"),
        ({}, "nothing to update"),
        ({"set_flags": ["on_hold"], "clear_flags": ["on_hold"]}, "both set and cleared"),
    ],
)
def test_sidetrack_update_is_checked(payload, text):
    with pytest.raises(InvalidMessage, match=text):
        parse_payload(envelope(M.CASE_SIDETRACK_UPDATED, payload=payload))


def test_metering_values_positions_must_be_contiguous():
    payload = sample_payload(M.METERINGVALUES_COLLECTED)
    assert len(MeteringValuesCollected.model_validate(payload).observations) == 96
    payload["observations"][10]["position"] = 99
    with pytest.raises(InvalidMessage, match="without gaps"):
        parse_payload(envelope(M.METERINGVALUES_COLLECTED, payload=payload))
    payload["observations"] = [{"position": i, "quantity": "1"} for i in range(1, 102)]
    with pytest.raises(InvalidMessage, match="at most 100 positions"):
        parse_payload(envelope(M.METERINGVALUES_COLLECTED, payload=payload))


def test_datahub_rejection_needs_a_reason():
    payload = {"status": "41", "original_message_id": "m-1"}
    with pytest.raises(InvalidMessage, match="rejection \\(41\\) needs at least one reason"):
        parse_payload(envelope(M.METERINGPOINT_ACKNOWLEDGED, payload=payload))
    payload["reasons"] = [{"code": "E10", "text": "Metering point not identifiable"}]
    assert parse_payload(envelope(M.METERINGPOINT_ACKNOWLEDGED, payload=payload))


def test_workorder_event_needs_an_id_but_a_request_does_not():
    request = sample_payload(M.WORKORDER_REQUESTED)
    assert "workorder_id" not in request
    created = sample_payload(M.WORKORDER_CREATED)
    del created["workorder_id"]
    with pytest.raises(InvalidMessage) as info:
        parse_payload(envelope(M.WORKORDER_CREATED, payload=created))
    assert info.value.where == "payload.workorder_id"
