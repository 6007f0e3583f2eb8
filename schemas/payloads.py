"""One payload model per message type, the status each type drives, and payload parsing.

``PAYLOAD_MODELS`` is the contract of ``Envelope.payload``; ``parse_payload`` turns a
violation into :class:`~schemas.errors.InvalidMessage` naming the field path and the reason.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, ValidationError, model_validator

from schemas.case import (
    Address,
    AttachmentRef,
    AwareDatetime,
    CanonicalModel,
    Case,
    Email,
    Facility,
    GridData,
    Note,
    Party,
    Phone,
)
from schemas.codes import (
    SIDE_TRACK_STATES,
    BillingState,
    CaseFlag,
    CaseStatus,
    Currency,
    Flow,
    InstallationType,
    JobType,
    Language,
    PartyKind,
    SideTrack,
)
from schemas.envelope import Envelope
from schemas.errors import InvalidMessage, UnknownMessageType
from schemas.identifiers import Gsrn
from schemas.message_types import MessageType
from schemas.payloads_elhub import KindsDocument
from schemas.payloads_market import (  # noqa: F401 - re-exported
    AcknowledgementReason,
    EquipmentPlanned,
    MeteringPointAcknowledged,
    MeteringPointUpdated,
    MeteringValuesCollected,
    MeterReading,
    Observation,
    WarehouseTaskCreated,
    WorkOrderAssigned,
    WorkOrderDeviation,
    WorkOrderEvent,
    WorkOrderReported,
    WorkOrderRequested,
)
from schemas.payloads_supply import (
    InterchangeRejected,
    MarketAcknowledged,
    MonthlyReadings,
    SupplyConfirmed,
    SupplyNotified,
    SupplyRegistered,
)
from schemas.text import Key, SingleLine, Text

M = MessageType

# ---------------------------------------------------------------- the installer's case


class CaseDecision(CanonicalModel):
    """Approval by the grid owner: the grid data answer and an optional note."""

    grid_data: GridData | None = None
    note: Note | None = None


class CaseRejection(CanonicalModel):
    """Avvisad (pre-notification or completion): the reason is a note."""

    reason: Note
    wrong_installation_type: bool = Field(
        default=False, description="A new case is needed (copy, then request deletion)"
    )


class StatusChange(CanonicalModel):
    """A status change that carries at most a note (archive, cancel, completion approval)."""

    note: Note | None = None


class DeletionRequested(CanonicalModel):
    """Installatör önskar borttag: the case is cancelled, often replaced by a copy."""

    reason: Text | None = None
    replaced_by: Key | None = None


class NoteAdded(CanonicalModel):
    note: Note


class AttachmentAdded(CanonicalModel):
    attachment: AttachmentRef


class SideTrackUpdated(CanonicalModel):
    """A back end moved a side track (symbol row) and/or set or cleared flags."""

    track: SideTrack | None = None
    state: SingleLine | None = None
    set_flags: list[CaseFlag] = Field(default_factory=list)
    clear_flags: list[CaseFlag] = Field(default_factory=list)

    @model_validator(mode="after")
    def _state_fits_track(self) -> SideTrackUpdated:
        if (self.track is None) != (self.state is None):
            raise ValueError("track and state go together")
        if self.track is not None:
            states = SIDE_TRACK_STATES[self.track]
            if self.state not in states.__members__:
                raise ValueError(
                    f"state {self.state!r} is not a {self.track} state; "
                    f"allowed: {', '.join(states.__members__)}"
                )
        elif not (self.set_flags or self.clear_flags):
            raise ValueError("nothing to update: give track and state, or flags")
        if set(self.set_flags) & set(self.clear_flags):
            raise ValueError("a flag cannot be both set and cleared")
        return self


# ---------------------------------------------------------------- facility lookup (kis)


class FacilityLookupRequested(CanonicalModel):
    """Hämta anl-data: by meter number or facility id (EAN)."""

    meter_number: Text | None = None
    facility_id: Gsrn | None = None
    overwrite: bool = Field(
        default=True, description="No: fill only empty fields (EAN, technical and meter "
        "number are always overwritten)"
    )
    installation_type: InstallationType | None = None
    job_type: JobType | None = None

    @model_validator(mode="after")
    def _has_key(self) -> FacilityLookupRequested:
        if self.meter_number is None and self.facility_id is None:
            raise ValueError("give a meter_number or a facility_id")
        return self


class LookupCustomer(CanonicalModel):
    """The customer as a lookup returns it: never a personal or organisation number."""

    kind: PartyKind
    name: Text
    co: Text | None = None
    address: Address
    phone: Phone | None = None
    email: Email | None = None
    customer_number: Text | None = None


class FacilityLookupAnswered(CanonicalModel):
    status_code: int = Field(ge=0, le=999, description="100 = hit")
    status_text: Text
    overwrite: bool = True
    facility: Facility | None = None
    customer: LookupCustomer | None = None

    @model_validator(mode="after")
    def _hit_has_facility(self) -> FacilityLookupAnswered:
        if self.status_code == 100 and self.facility is None:
            raise ValueError("status_code 100 (hit) needs a facility")
        if self.status_code != 100 and (self.facility or self.customer):
            raise ValueError(f"status_code {self.status_code} is a miss and carries no data")
        return self


class CaseEnriched(CanonicalModel):
    """The kis and nis answers for one case, aggregated."""

    lookup: FacilityLookupAnswered | None = None
    griddata: GridData | None = None
    missing: list[str] = Field(default_factory=list, description="Parts that timed out")


# ---------------------------------------------------------------- nis and kis


class GridDataRequested(CanonicalModel):
    facility_id: Gsrn | None = None
    meter_number: Text | None = None
    substation: Text | None = None
    address: Address | None = None
    installation_type: InstallationType | None = None
    main_fuse_a: int | None = Field(default=None, ge=1, le=6300)

    @model_validator(mode="after")
    def _locatable(self) -> GridDataRequested:
        if not (self.facility_id or self.meter_number or self.substation or self.address):
            raise ValueError("give a facility_id, meter_number, substation or address")
        return self


class InstallationRegistered(CanonicalModel):
    """The facility is registered in the network information system."""

    facility_id: Gsrn
    meter_number: Text | None = None
    technical_number: Text | None = None
    substation: Text | None = None
    documents: list[AttachmentRef] = Field(
        default_factory=list, description="the case's attachments (the P0 documentation): "
        "NIS keeps them with the installation")


class CustomerRegistered(CanonicalModel):
    """Register the customer of a facility in KIS ("Registrerad i KIS" once KIS confirms):
    the end customer and the payer, created when KIS does not know them, and a new facility."""

    customer_number: Text
    facility_id: Gsrn | None = None
    registered_on: date | None = None
    end_customer: Party | None = None
    payer: Party | None = None
    facility: Facility | None = None


class CustomerEnded(CanonicalModel):
    """Bortkoppling / nedtagning: the facility's customer relationship ends in KIS."""

    customer_number: Text
    facility_id: Gsrn
    ended_on: date | None = None


class TariffChangeRequested(CanonicalModel):
    """Säkringsändring: the facility's network tariff in KIS follows its new main fuse."""

    facility_id: Gsrn
    main_fuse_a: int = Field(ge=1, le=6300)
    effective_on: date | None = None


class BillingUpdated(CanonicalModel):
    state: BillingState
    quote_number: Text | None = None
    invoice_number: Text | None = None
    amount: Decimal | None = Field(default=None, ge=0)
    currency: Currency | None = None

    @model_validator(mode="after")
    def _amount_has_currency(self) -> BillingUpdated:
        if self.amount is not None and self.currency is None:
            raise ValueError("amount needs a currency")
        return self


# ---------------------------------------------------------------- notify


class InstallerNotified(CanonicalModel):
    recipient: Email
    status: CaseStatus
    subject: Text
    language: Language = Language.sv
    sent_at: AwareDatetime | None = None


PAYLOAD_MODELS: dict[MessageType, type[BaseModel]] = {
    M.CASE_SUBMITTED: Case,
    M.CASE_RESUBMITTED: Case,
    M.CASE_APPROVED: CaseDecision,
    M.CASE_REJECTED: CaseRejection,
    M.CASE_COMPLETION_SUBMITTED: Case,
    M.CASE_COMPLETION_APPROVED: StatusChange,
    M.CASE_COMPLETION_REJECTED: CaseRejection,
    M.CASE_ARCHIVED: StatusChange,
    M.CASE_CANCELLED: StatusChange,
    M.CASE_DELETION_REQUESTED: DeletionRequested,
    M.CASE_NOTE_ADDED: NoteAdded,
    M.CASE_ATTACHMENT_ADDED: AttachmentAdded,
    M.CASE_SIDETRACK_UPDATED: SideTrackUpdated,
    M.CASE_ENRICHED: CaseEnriched,
    M.FACILITY_LOOKUP_REQUESTED: FacilityLookupRequested,
    M.FACILITY_LOOKUP_ANSWERED: FacilityLookupAnswered,
    M.GRID_DATA_REQUESTED: GridDataRequested,
    M.GRID_DATA_ANSWERED: GridData,
    M.INSTALLATION_REGISTERED: InstallationRegistered,
    M.CUSTOMER_REGISTERED: CustomerRegistered,
    M.TARIFF_CHANGE_REQUESTED: TariffChangeRequested,
    M.CUSTOMER_ENDED: CustomerEnded,
    M.BILLING_UPDATED: BillingUpdated,
    M.WORKORDER_REQUESTED: WorkOrderRequested,
    M.WORKORDER_RELEASE_REQUESTED: WorkOrderEvent,
    M.WORKORDER_CANCEL_REQUESTED: WorkOrderEvent,
    M.WORKORDER_CREATED: WorkOrderEvent,
    M.WORKORDER_EQUIPMENT_PLANNED: EquipmentPlanned,
    M.WORKORDER_WAREHOUSE_TASK_CREATED: WarehouseTaskCreated,
    M.WORKORDER_ASSIGNED: WorkOrderAssigned,
    M.WORKORDER_REPORTED: WorkOrderReported,
    M.WORKORDER_CANCELLED: WorkOrderEvent,
    M.WORKORDER_DEVIATION: WorkOrderDeviation,
    M.METERINGPOINT_UPDATED: MeteringPointUpdated,
    M.METERINGPOINT_ACKNOWLEDGED: MeteringPointAcknowledged,
    M.METERINGVALUES_COLLECTED: MeteringValuesCollected,
    M.INSTALLER_NOTIFIED: InstallerNotified,
    M.SUPPLY_START_NOTIFIED: SupplyNotified,
    M.SUPPLY_END_NOTIFIED: SupplyNotified,
    M.SUPPLY_START_CONFIRMED: SupplyConfirmed,
    M.SUPPLY_END_CONFIRMED: SupplyConfirmed,
    M.SUPPLY_REGISTERED: SupplyRegistered,
    M.METERINGVALUES_MONTHLY: MonthlyReadings,
    M.MARKET_ACKNOWLEDGED: MarketAcknowledged,
    M.MARKET_INTERCHANGE_REJECTED: InterchangeRejected,
    **{m: KindsDocument for m in (
        M.SUPPLY_START_REQUESTED, M.SUPPLY_START_ACCEPTED, M.SUPPLY_START_REFUSED,
        M.SUPPLY_START_REGISTERED, M.SUPPLY_END_REQUESTED, M.SUPPLY_END_ACCEPTED,
        M.SUPPLY_END_REFUSED, M.SUPPLY_END_REGISTERED, M.METERINGPOINT_UPDATE_REQUESTED,
        M.METERINGPOINT_CHARACTERISTICS_NOTIFIED, M.CUSTOMER_UPDATE_REQUESTED,
        M.CUSTOMER_INFORMATION_NOTIFIED, M.METERINGVALUES_REPORTED,
        M.METERINGVALUES_RESEND_REQUESTED, M.METERINGVALUES_VALIDATED_NOTIFIED,
        M.RECONCILIATION_NOTIFIED, M.METERINGPOINT_UPFRONT_REQUESTED,
        M.METERINGPOINT_UPFRONT_ANSWERED, M.DATAHUB_QUERY_REQUESTED, M.GRIDACCESS_REQUESTED,
        M.GRIDACCESS_ANSWERED, M.DATAHUB_REQUESTED, M.DATAHUB_ANSWERED,
        M.THIRDPARTY_ACCESS_UPDATED, M.DATAHUB_ACKNOWLEDGED, M.DATAHUB_POLLED)},
}

STATUS_EFFECT: dict[MessageType, CaseStatus] = {
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
}
"""The status each message type drives the case to (through ``schemas.status.transition``)."""

CASELESS: frozenset[MessageType] = frozenset(
    {M.METERINGVALUES_COLLECTED, M.METERINGPOINT_ACKNOWLEDGED, M.METERINGVALUES_MONTHLY,
     M.SUPPLY_START_NOTIFIED, M.SUPPLY_END_NOTIFIED, M.SUPPLY_START_CONFIRMED,
     M.SUPPLY_END_CONFIRMED, M.SUPPLY_REGISTERED, M.MARKET_ACKNOWLEDGED,
     M.MARKET_INTERCHANGE_REJECTED}
) | frozenset(m for m, model in PAYLOAD_MODELS.items() if model is KindsDocument)
"""Types about a metering point, not a case: not projected onto a case."""

CREATING: frozenset[MessageType] = frozenset(
    {M.CASE_SUBMITTED, M.CASE_COMPLETION_SUBMITTED, M.FACILITY_LOOKUP_REQUESTED}
)
"""Types that may create the case they name; any other type needs an existing case."""

FLOW_OF_NEW_CASE: dict[MessageType, Flow] = {
    M.CASE_SUBMITTED: Flow.with_prenotification,
    M.CASE_COMPLETION_SUBMITTED: Flow.completion_only,
    M.FACILITY_LOOKUP_REQUESTED: Flow.with_prenotification,
}


def model_for(type_: str) -> type[BaseModel]:
    """The payload model of ``type_``; UnknownMessageType if none."""
    try:
        return PAYLOAD_MODELS[MessageType(type_)]
    except (ValueError, KeyError):
        raise UnknownMessageType(f"no payload model for message type {type_!r}",
                                 where="type") from None


def parse_payload(envelope: Envelope) -> BaseModel:
    """The envelope's payload as its model; InvalidMessage naming the field path and reason."""
    model = model_for(envelope.type)
    try:
        return model.model_validate(envelope.payload)
    except ValidationError as exc:
        raise InvalidMessage(_describe(envelope.type, exc), where=_where(exc)) from None


def _where(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return ".".join(("payload", *(str(part) for part in first["loc"])))


def _describe(type_: str, exc: ValidationError) -> str:
    # Built from locations and messages only: pydantic's own text repeats the input value,
    # which may be a personal number.
    errors = exc.errors()
    parts = [f"{_loc(e['loc'])}: {e['msg']}" for e in errors[:5]]
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return f"{type_} payload is invalid: " + "; ".join(parts) + more


def _loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(payload)"
