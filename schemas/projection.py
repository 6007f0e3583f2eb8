"""The case projection: a pure fold of canonical messages into the state of one case.

``apply(state, envelope)`` validates the payload, moves the status through the status
machine (an impossible transition raises), updates side tracks and flags, keeps the latest
full case JSON current and collects the business keys (GSRN, meter number, work-order id) that
let ops find the case. It reads no clock and does no I/O: the same inputs give the same state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schemas import progress
from schemas.business_keys import business_keys_of, sorted_keys
from schemas.case import Case, Flags, SideTracks
from schemas.codes import (
    CaseFlag,
    CaseStatus,
    CustomerServiceState,
    Flow,
    SideTrack,
    WorkOrderState,
)
from schemas.envelope import Envelope
from schemas.errors import InvalidMessage
from schemas.message_types import MessageType
from schemas.payloads import (
    CASELESS,
    CREATING,
    FLOW_OF_NEW_CASE,
    STATUS_EFFECT,
    AttachmentAdded,
    BillingUpdated,
    CaseDecision,
    CaseEnriched,
    CaseRejection,
    CustomerEnded,
    CustomerRegistered,
    FacilityLookupAnswered,
    NoteAdded,
    SideTrackUpdated,
    StatusChange,
    WorkOrderReported,
    WorkOrderRequested,
    parse_payload,
)
from schemas.status import transition

M = MessageType
# Lookup answers always overwrite these, whatever the installer chose (seed 001 step 11).
ALWAYS_OVERWRITTEN = frozenset({"facility_id", "technical_number", "meter_number"})


class CaseState(BaseModel):
    """What the hub knows about one case: enough to check transitions and find the case."""

    model_config = ConfigDict(extra="forbid")

    case_id: str = Field(min_length=1, max_length=64)
    status: CaseStatus
    flow: Flow
    side_tracks: SideTracks = Field(default_factory=SideTracks)
    flags: Flags = Field(default_factory=list)
    keys: dict[str, list[str]] = Field(default_factory=dict)
    last_message_id: str
    updated_at: datetime
    case: dict[str, Any] | None = Field(default=None, description="Latest full case JSON")
    progress: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Per facility (GSRN) with a meter job: work_order state, kis asked|confirmed")
    awaiting_decision: bool = Field(
        default=False, description="Enriched since it was (re)submitted: a person decides "
        "unless a rule approved it in the same step")


@dataclass
class _Draft:
    """The state being built; ``apply`` never mutates its input."""

    status: CaseStatus
    flow: Flow
    tracks: dict[str, Any]
    flags: set[CaseFlag]
    case: dict[str, Any] | None
    keys: dict[str, set[str]] = field(default_factory=dict)
    progress: dict[str, dict[str, str]] = field(default_factory=dict)
    awaiting_decision: bool = False


@dataclass(frozen=True)
class Projected:
    """What :func:`project` found: the new state and the business keys of this one payload
    (as :func:`schemas.business_keys.business_keys` gives them), so the trace needs no
    second validation."""

    state: CaseState
    payload_keys: dict[str, list[str]]


def apply(state: CaseState | None, envelope: Envelope) -> CaseState:
    """The state of ``envelope.case_id`` after ``envelope``. Raises InvalidMessage (bad
    payload, unknown case) and ImpossibleTransition (the status machine refuses)."""
    return project(state, envelope).state


def project(state: CaseState | None, envelope: Envelope) -> Projected:
    """:func:`apply`, also handing back the business keys of the payload it validated."""
    type_ = MessageType(envelope.type)
    if type_ in CASELESS:
        raise InvalidMessage(f"{type_} is not about a case and is not projected", where="type")
    payload = parse_payload(envelope)
    draft = _start(state, envelope, type_, payload)
    if isinstance(payload, Case):
        _take_case(draft, payload, envelope)
    if type_ in STATUS_EFFECT:
        draft.status = transition(draft.status, STATUS_EFFECT[type_], draft.flow)
        # A new status starts a new round: waiting for a person again only once enriched.
        draft.awaiting_decision = False
    effect = _EFFECTS.get(type_)
    if effect is not None:
        effect(draft, payload)
    found = business_keys_of(payload)
    for name, values in found.items():
        draft.keys.setdefault(name, set()).update(values)
    return Projected(_finish(draft, envelope), sorted_keys(found))


def _start(
    state: CaseState | None, envelope: Envelope, type_: MessageType, payload: BaseModel
) -> _Draft:
    if state is None:
        if type_ not in CREATING:
            raise InvalidMessage(
                f"no case {envelope.case_id!r} exists, and a {type_} message cannot create one "
                f"(only {', '.join(sorted(CREATING))} can)",
                where="case_id",
            )
        return _Draft(CaseStatus.draft, FLOW_OF_NEW_CASE[type_], {}, set(), None)
    if state.case_id != envelope.case_id:
        raise InvalidMessage(
            f"message for case {envelope.case_id!r} applied to case {state.case_id!r}",
            where="case_id",
        )
    draft = _Draft(
        status=state.status,
        flow=state.flow,
        tracks=state.side_tracks.model_dump(),
        flags=set(state.flags),
        case=dict(state.case) if state.case is not None else None,
        keys={name: set(values) for name, values in state.keys.items()},
        progress={gsrn: dict(step) for gsrn, step in state.progress.items()},
        awaiting_decision=state.awaiting_decision,
    )
    if draft.status == CaseStatus.draft and type_ == M.CASE_COMPLETION_SUBMITTED:
        # A draft (e.g. made by a facility lookup) has no flow until it is first sent.
        draft.flow = Flow.completion_only
    return draft


def _take_case(draft: _Draft, case: Case, envelope: Envelope) -> None:
    if case.case_id != envelope.case_id:
        raise InvalidMessage(
            f"payload is case {case.case_id!r} but the envelope names {envelope.case_id!r}",
            where="payload.case_id",
        )
    if draft.status == CaseStatus.draft:
        draft.flow = case.flow
    before = draft.case or {}
    draft.case = case.model_dump(mode="json")
    # The portal resends the installer's case (resubmission, completion): what the grid owner
    # decided stays with the case, the grid data and every note a handler wrote.
    if draft.case.get("grid_data") is None and before.get("grid_data") is not None:
        draft.case["grid_data"] = before["grid_data"]
    kept = [n for n in before.get("notes", []) if n not in draft.case["notes"]]
    if kept:
        draft.case["notes"] = sorted([*kept, *draft.case["notes"]], key=lambda n: n["at"])
    draft.flags.update(case.flags)
    if case.notes:
        draft.flags.add(CaseFlag.has_notes)
    if case.attachments:
        draft.flags.add(CaseFlag.has_attachment)
    for name, value in case.side_tracks.model_dump().items():
        if value is not None:
            draft.tracks[name] = value


def _finish(draft: _Draft, envelope: Envelope) -> CaseState:
    tracks = SideTracks.model_validate(draft.tracks)
    flags = sorted(draft.flags)
    case = draft.case
    if case is not None:
        case = {**case, "status": str(draft.status), "flow": str(draft.flow),
                "side_tracks": tracks.model_dump(mode="json"), "flags": [str(f) for f in flags]}
    # Every part is validated above (payload, side tracks) or built here from validated
    # parts; validating the whole state again would copy the case JSON for nothing.
    return CaseState.model_construct(
        case_id=envelope.case_id,
        status=draft.status,
        flow=draft.flow,
        side_tracks=tracks,
        flags=flags,
        keys={name: sorted(values) for name, values in sorted(draft.keys.items()) if values},
        progress=draft.progress,
        awaiting_decision=draft.awaiting_decision,
        last_message_id=envelope.message_id,
        updated_at=envelope.occurred_at,
        case=case,
    )


# ---------------------------------------------------------------- effects per message type


def _append(draft: _Draft, key: str, item: BaseModel) -> None:
    if draft.case is not None:
        draft.case[key] = [*draft.case.get(key, []), item.model_dump(mode="json")]


def _note(draft: _Draft, note: BaseModel | None) -> None:
    if note is not None:
        draft.flags.add(CaseFlag.has_notes)
        _append(draft, "notes", note)


def _set_grid_data(draft: _Draft, grid_data: BaseModel | None) -> None:
    if grid_data is not None and draft.case is not None:
        draft.case["grid_data"] = grid_data.model_dump(mode="json")


def _approved(draft: _Draft, payload: BaseModel) -> None:
    assert isinstance(payload, CaseDecision)
    _set_grid_data(draft, payload.grid_data)
    _note(draft, payload.note)


def _rejected(draft: _Draft, payload: BaseModel) -> None:
    assert isinstance(payload, CaseRejection)
    draft.flags.add(CaseFlag.rejected_before)
    _note(draft, payload.reason)


def _status_note(draft: _Draft, payload: BaseModel) -> None:
    assert isinstance(payload, StatusChange)
    _note(draft, payload.note)


def _completion_approved(draft: _Draft, payload: BaseModel) -> None:
    _status_note(draft, payload)
    draft.flags.add(CaseFlag.done_awaiting_archive)


def _archived(draft: _Draft, payload: BaseModel) -> None:
    _status_note(draft, payload)
    draft.flags.discard(CaseFlag.done_awaiting_archive)


def _deletion(draft: _Draft, payload: BaseModel) -> None:
    draft.flags.add(CaseFlag.deletion_requested)


def _note_added(draft: _Draft, payload: BaseModel) -> None:
    assert isinstance(payload, NoteAdded)
    _note(draft, payload.note)


def _attachment_added(draft: _Draft, payload: BaseModel) -> None:
    assert isinstance(payload, AttachmentAdded)
    draft.flags.add(CaseFlag.has_attachment)
    _append(draft, "attachments", payload.attachment)


def _side_track(draft: _Draft, payload: BaseModel) -> None:
    assert isinstance(payload, SideTrackUpdated)
    if payload.track is not None:
        draft.tracks[str(payload.track)] = payload.state
        if payload.state in (CustomerServiceState.registered_in_kis, CustomerServiceState.done):
            progress.kis_confirmed(draft.progress)
    draft.flags.update(payload.set_flags)
    draft.flags.difference_update(payload.clear_flags)


def _enriched(draft: _Draft, payload: BaseModel) -> None:
    assert isinstance(payload, CaseEnriched)
    draft.awaiting_decision = draft.status == CaseStatus.submitted
    _set_grid_data(draft, payload.griddata)
    if payload.lookup is not None:
        _lookup_answered(draft, payload.lookup)


def _lookup_answered(draft: _Draft, payload: BaseModel) -> None:
    assert isinstance(payload, FacilityLookupAnswered)
    if draft.case is None or payload.facility is None:
        return
    found = payload.facility.model_dump(mode="json", exclude_none=True)
    facilities = draft.case.get("facilities", [])
    index = _matching_facility(facilities, found)
    if index is not None:
        merged = merge_facility(facilities[index], found, overwrite=payload.overwrite)
        draft.case["facilities"] = [*facilities[:index], merged, *facilities[index + 1 :]]


def _matching_facility(facilities: list[dict[str, Any]], found: dict[str, Any]) -> int | None:
    for i, facility in enumerate(facilities):
        for key in ("facility_id", "meter_number"):
            if found.get(key) is not None and facility.get(key) == found[key]:
                return i
    return 0 if len(facilities) == 1 else None


def merge_facility(
    existing: dict[str, Any], found: dict[str, Any], *, overwrite: bool
) -> dict[str, Any]:
    """Merge a lookup hit into a facility (JSON dicts). ``overwrite`` replaces filled fields;
    without it only empty ones are filled, except EAN, technical and meter number, which a
    hit always overwrites."""
    merged = dict(existing)
    for key, value in found.items():
        if value is None:
            continue
        if overwrite or key in ALWAYS_OVERWRITTEN or merged.get(key) in (None, ""):
            merged[key] = value
    return merged


def _grid_data(draft: _Draft, payload: BaseModel) -> None:
    _set_grid_data(draft, payload)


def _billing(draft: _Draft, payload: BaseModel) -> None:
    assert isinstance(payload, BillingUpdated)
    draft.tracks[str(SideTrack.billing)] = str(payload.state)


def _workorder_reported(draft: _Draft, payload: BaseModel) -> None:
    assert isinstance(payload, WorkOrderReported)
    _work_order(WorkOrderState.reported)(draft, payload)
    if payload.documentation:
        draft.flags.add(CaseFlag.documented)


def _workorder_requested(draft: _Draft, payload: BaseModel) -> None:
    assert isinstance(payload, WorkOrderRequested)
    progress.record(draft.progress, payload.gsrn, work_order="requested", kind=str(payload.kind))


def _work_order(state: WorkOrderState) -> Callable[[_Draft, BaseModel], None]:
    def effect(draft: _Draft, payload: BaseModel) -> None:
        draft.tracks[str(SideTrack.work_order)] = str(state)
        progress.work_order_moved(draft.progress, payload, str(state))

    return effect


def _kis_asked(draft: _Draft, payload: BaseModel) -> None:
    """The hub asked KIS to register (or end) a facility's customer: "Till kundservice"
    until KIS confirms (seed 000 §7)."""
    assert isinstance(payload, CustomerRegistered | CustomerEnded)
    draft.tracks[str(SideTrack.customer_service)] = str(CustomerServiceState.to_customer_service)
    progress.record(draft.progress, payload.facility_id, kis="asked")


_EFFECTS: dict[MessageType, Callable[[_Draft, BaseModel], None]] = {
    M.CASE_APPROVED: _approved,
    M.CASE_REJECTED: _rejected,
    M.CASE_COMPLETION_REJECTED: _rejected,
    M.CASE_COMPLETION_APPROVED: _completion_approved,
    M.CASE_ARCHIVED: _archived,
    M.CASE_CANCELLED: _status_note,
    M.CASE_DELETION_REQUESTED: _deletion,
    M.CASE_NOTE_ADDED: _note_added,
    M.CASE_ATTACHMENT_ADDED: _attachment_added,
    M.CASE_SIDETRACK_UPDATED: _side_track,
    M.CASE_ENRICHED: _enriched,
    M.FACILITY_LOOKUP_ANSWERED: _lookup_answered,
    M.GRID_DATA_ANSWERED: _grid_data,
    M.CUSTOMER_REGISTERED: _kis_asked,
    M.CUSTOMER_ENDED: _kis_asked,
    M.BILLING_UPDATED: _billing,
    M.WORKORDER_REQUESTED: _workorder_requested,
    M.WORKORDER_CREATED: _work_order(WorkOrderState.created),
    M.WORKORDER_REPORTED: _workorder_reported,
    M.WORKORDER_CANCELLED: _work_order(WorkOrderState.cancelled),
    M.WORKORDER_DEVIATION: _work_order(WorkOrderState.done_with_deviation),
}


def state_json(state: CaseState) -> dict[str, Any]:
    """``state.model_dump(mode="json")``, cheaper: the case JSON is JSON already (it is only
    ever built from JSON dumps and stored JSON), so it is shared instead of serialised again."""
    dumped = state.model_dump(mode="json", exclude={"case"})
    dumped["case"] = state.case
    return dumped
