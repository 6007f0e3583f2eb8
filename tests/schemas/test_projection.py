"""The case projection: creation, status effects, side tracks, flags, keys, purity."""

import pytest

from hub.errors import ImpossibleTransition, InvalidMessage
from schemas.business_keys import business_keys
from schemas.codes import CaseFlag, CaseStatus, Flow
from schemas.envelope import Envelope
from schemas.message_types import MessageType
from schemas.projection import CaseState, apply, merge_facility
from tests.factories import (
    block_case,
    envelope,
    gsrn,
    lifecycle,
    norwegian_case,
    sample_payload,
    swedish_case,
)

M = MessageType


def _fold(envelopes: list[Envelope], state: CaseState | None = None) -> CaseState:
    for env in envelopes:
        state = apply(state, env)
    assert state is not None
    return state


def _submitted(case=None) -> CaseState:
    return apply(None, envelope(M.CASE_SUBMITTED, case or swedish_case()))


def test_happy_path_with_prenotification():
    case = swedish_case()
    statuses = []
    state = None
    for env in lifecycle(case):
        state = apply(state, env)
        statuses.append(state.status)
    assert statuses == [CaseStatus.submitted, CaseStatus.approved,
                        CaseStatus.completion_submitted, CaseStatus.completion_approved,
                        CaseStatus.archived]
    assert state.flow == Flow.with_prenotification
    assert state.case["status"] == "archived"
    assert state.last_message_id == lifecycle(case)[-1].message_id


def test_completion_only_flow_starts_at_completion():
    case = norwegian_case(flow="completion_only")
    state = apply(None, envelope(M.CASE_COMPLETION_SUBMITTED, case))
    assert (state.status, state.flow) == (CaseStatus.completion_submitted, Flow.completion_only)
    with pytest.raises(ImpossibleTransition, match="in flow completion_only"):
        apply(state, envelope(M.CASE_APPROVED, case))


def test_lookup_creates_a_draft_that_either_flow_may_send():
    case = swedish_case()
    draft = apply(None, envelope(M.FACILITY_LOOKUP_REQUESTED, case))
    assert draft.status == CaseStatus.draft and draft.case is None
    assert draft.keys == {"meter_number": [case.facilities[0].meter_number]}
    sent = apply(draft, envelope(M.CASE_SUBMITTED, case))
    assert sent.status == CaseStatus.submitted
    completed = apply(draft, envelope(M.CASE_COMPLETION_SUBMITTED,
                                      swedish_case(flow="completion_only")))
    assert (completed.status, completed.flow) == (CaseStatus.completion_submitted,
                                                  Flow.completion_only)


def test_unknown_case_cannot_be_updated():
    with pytest.raises(InvalidMessage) as info:
        apply(None, envelope(M.CASE_APPROVED, swedish_case()))
    assert info.value.where == "case_id"
    assert "no case 'SE-1000' exists" in info.value.message


def test_impossible_transition_propagates_with_both_states():
    state = _fold(lifecycle(swedish_case()))
    with pytest.raises(ImpossibleTransition) as info:
        apply(state, envelope(M.CASE_RESUBMITTED, swedish_case(), step=9))
    assert "from archived (Arkiverad) to submitted (För godkännande)" in info.value.message


def test_submitting_twice_is_impossible():
    state = _submitted()
    with pytest.raises(ImpossibleTransition, match=r"from submitted .* to submitted"):
        apply(state, envelope(M.CASE_SUBMITTED, swedish_case(), step=1))


def test_rejection_sets_flags_and_keeps_the_reason_note():
    state = apply(_submitted(), envelope(M.CASE_REJECTED, swedish_case(), step=1))
    assert state.status == CaseStatus.pre_rejected
    assert {CaseFlag.rejected_before, CaseFlag.has_notes} <= set(state.flags)
    assert state.case["notes"][-1]["text"] == "Situationsplan saknas."
    again = apply(state, envelope(M.CASE_RESUBMITTED, swedish_case(), step=2))
    assert again.status == CaseStatus.submitted
    assert CaseFlag.rejected_before in again.flags  # the symbol stays


def test_completion_rejection_and_resend():
    state = _fold(lifecycle(swedish_case())[:3])
    state = apply(state, envelope(M.CASE_COMPLETION_REJECTED, swedish_case(), step=5))
    assert state.status == CaseStatus.completion_rejected
    assert CaseFlag.rejected_before in state.flags
    state = apply(state, envelope(M.CASE_COMPLETION_SUBMITTED, swedish_case(), step=6))
    assert state.status == CaseStatus.completion_submitted


def test_done_awaiting_archive_until_archived():
    states = []
    state = None
    for env in lifecycle(swedish_case()):
        state = apply(state, env)
        states.append(CaseFlag.done_awaiting_archive in state.flags)
    assert states == [False, False, False, True, False]


def test_deletion_request_cancels_and_flags():
    state = apply(_submitted(), envelope(M.CASE_DELETION_REQUESTED, swedish_case(), step=1))
    assert state.status == CaseStatus.cancelled
    assert CaseFlag.deletion_requested in state.flags


def test_block_case_is_flagged_and_keys_every_facility():
    case = block_case(4)
    state = _submitted(case)
    assert CaseFlag.block_notification in state.flags
    assert state.keys["gsrn"] == sorted(f.facility_id.reveal() for f in case.facilities)
    assert len(state.keys["meter_number"]) == 4


def test_notes_and_attachments():
    state = apply(_submitted(), envelope(M.CASE_NOTE_ADDED, swedish_case(), step=1))
    assert CaseFlag.has_notes in state.flags
    assert state.case["notes"][-1]["subject"] == "Fråga"
    state = apply(state, envelope(M.CASE_ATTACHMENT_ADDED, swedish_case(), step=2))
    assert CaseFlag.has_attachment in state.flags
    assert state.case["attachments"][-1]["name"] == "situationsplan.pdf"


def test_side_tracks_from_back_ends():
    case = swedish_case()
    state = _submitted(case)
    steps = [
        (M.CASE_SIDETRACK_UPDATED, "preparation", "in_progress"),
        (M.WORKORDER_CREATED, "work_order", "created"),
        (M.BILLING_UPDATED, "billing", "quote_sent"),
        (M.CUSTOMER_REGISTERED, "customer_service", "to_customer_service"),  # asked, not yet
        (M.WORKORDER_REPORTED, "work_order", "reported"),
        (M.WORKORDER_DEVIATION, "work_order", "done_with_deviation"),
        (M.WORKORDER_CANCELLED, "work_order", "cancelled"),
    ]
    for i, (type_, track, value) in enumerate(steps, start=1):
        state = apply(state, envelope(type_, case, step=i))
        assert getattr(state.side_tracks, track) == value, type_
        assert state.case["side_tracks"][track] == value
    assert state.status == CaseStatus.submitted  # side tracks never move the status
    assert CaseFlag.documented in state.flags  # the report carried documentation
    assert state.keys["workorder_id"] == ["AO-SE-1000"]


def test_flags_set_and_cleared():
    case = swedish_case()
    state = apply(_submitted(case), envelope(
        M.CASE_SIDETRACK_UPDATED, case, step=1,
        payload={"set_flags": ["on_hold", "contains_transformer"]}))
    assert {CaseFlag.on_hold, CaseFlag.contains_transformer} <= set(state.flags)
    state = apply(state, envelope(M.CASE_SIDETRACK_UPDATED, case, step=2,
                                  payload={"clear_flags": ["on_hold"]}))
    assert CaseFlag.on_hold not in state.flags
    assert CaseFlag.contains_transformer in state.flags


def test_grid_data_answer_lands_in_the_case():
    case = swedish_case()
    state = apply(_submitted(case), envelope(M.GRID_DATA_ANSWERED, case, step=1))
    assert state.case["grid_data"]["service_fuse"]["rating"] == "6 x 250 A"
    state = apply(state, envelope(M.CASE_APPROVED, case, step=2))
    assert state.status == CaseStatus.approved


def test_lookup_answer_overwrite_rules():
    old_id, new_id = gsrn(5).reveal(), gsrn(6).reveal()
    existing = {"facility_id": old_id, "meter_number": "1", "technical_number": "T-1",
                "customer_number": "C-1", "substation": None}
    found = {"facility_id": new_id, "meter_number": "2", "technical_number": "T-2",
             "customer_number": "C-2", "substation": "T114"}
    kept = merge_facility(existing, found, overwrite=False)
    assert kept == {"facility_id": new_id, "meter_number": "2",
                    "technical_number": "T-2", "customer_number": "C-1", "substation": "T114"}
    replaced = merge_facility(existing, found, overwrite=True)
    assert replaced["customer_number"] == "C-2"
    assert existing["meter_number"] == "1"  # inputs are not changed


def test_lookup_answer_merges_into_the_matching_facility():
    case = swedish_case()
    state = _submitted(case)
    payload = sample_payload(M.FACILITY_LOOKUP_ANSWERED, case)
    payload["overwrite"] = False
    payload["facility"]["customer_number"] = "999999"
    payload["facility"]["technical_number"] = "T-99999"
    state = apply(state, envelope(M.FACILITY_LOOKUP_ANSWERED, case, payload=payload, step=1))
    facility = state.case["facilities"][0]
    assert facility["technical_number"] == "T-99999"  # always overwritten
    assert facility["customer_number"] == case.facilities[0].customer_number  # kept


def test_apply_is_pure():
    state = _submitted()
    before = state.model_dump(mode="json")
    env = envelope(M.CASE_NOTE_ADDED, swedish_case(), step=1)
    first = apply(state, env)
    assert state.model_dump(mode="json") == before
    assert apply(state, env) == first


def test_state_round_trips_through_json():
    state = _fold(lifecycle(block_case(2))[:2])
    assert CaseState.model_validate(state.model_dump(mode="json")) == state


def test_payload_of_another_case_is_refused():
    env = envelope(M.CASE_SUBMITTED, swedish_case(), case_id="SE-9999")
    with pytest.raises(InvalidMessage) as info:
        apply(None, env)
    assert info.value.where == "payload.case_id"


def test_state_of_another_case_is_refused():
    with pytest.raises(InvalidMessage, match="applied to case 'SE-1000'"):
        apply(_submitted(), envelope(M.CASE_NOTE_ADDED, swedish_case(), case_id="SE-2"))


def test_caseless_types_are_not_projected():
    with pytest.raises(InvalidMessage, match="not about a case"):
        apply(None, envelope(M.METERINGVALUES_COLLECTED, swedish_case()))


def test_invalid_payload_is_refused_before_anything_changes():
    with pytest.raises(InvalidMessage) as info:
        apply(_submitted(), envelope(M.CASE_NOTE_ADDED, swedish_case(), payload={"note": {}}))
    assert info.value.where.startswith("payload.note.")


def test_business_keys_for_the_trace():
    case = swedish_case()
    gsrn = case.facilities[0].facility_id.reveal()
    assert business_keys(envelope(M.METERINGVALUES_COLLECTED, case)) == {"gsrn": [gsrn]}
    keys = business_keys(envelope(M.WORKORDER_REPORTED, case))
    assert keys == {"gsrn": [gsrn], "meter_number": [case.facilities[0].meter_number],
                    "workorder_id": ["AO-SE-1000"]}
    assert business_keys(envelope(M.CASE_NOTE_ADDED, case)) == {}
    with pytest.raises(InvalidMessage):
        business_keys(envelope(M.CASE_NOTE_ADDED, case, payload={}))


def test_a_resent_case_keeps_the_grid_data_and_the_handlers_notes():
    case = swedish_case()
    state = _submitted(case)
    state = apply(state, envelope(M.CASE_REJECTED, case, step=1))
    rejection = state.case["notes"][-1]
    state = apply(state, envelope(M.CASE_RESUBMITTED, case, step=2))
    assert rejection in state.case["notes"]  # the portal's copy lacks the handler's note
    state = apply(state, envelope(M.CASE_APPROVED, case, step=3))
    signed = state.case["grid_data"]
    state = apply(state, envelope(M.CASE_COMPLETION_SUBMITTED, case, step=4))
    assert state.case["grid_data"] == signed
    assert rejection in state.case["notes"]


def test_progress_per_facility_and_kis_confirmations_in_order():
    case = swedish_case()
    state = _submitted(case)
    points = ["735999324554010770", "735999442974511872"]
    for i, point in enumerate(points, start=1):
        state = apply(state, envelope(M.WORKORDER_REQUESTED, case, step=i, payload={
            "kind": "meter_new_installation", "gsrn": point, "at": "2024-05-20T08:00:00Z"}))
    for i, point in enumerate(points, start=3):
        state = apply(state, envelope(M.CUSTOMER_REGISTERED, case, step=i, payload={
            "customer_number": "770001", "facility_id": point}))
    assert [p["kis"] for p in state.progress.values()] == ["asked", "asked"]
    state = apply(state, envelope(M.CASE_SIDETRACK_UPDATED, case, step=5, payload={
        "track": "customer_service", "state": "registered_in_kis"}))
    assert [p["kis"] for p in state.progress.values()] == ["confirmed", "asked"]
