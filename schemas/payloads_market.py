"""Payloads of the metering coordinator's work orders and of the market datahub.

Split from schemas.payloads (which re-exports every name) to keep each module one topic.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from schemas.case import (
    Address,
    AttachmentRef,
    AwareDatetime,
    CanonicalModel,
)
from schemas.codes import (
    AcknowledgementStatus,
    MeteringPointEvent,
    MeteringPointType,
    ObservationQuality,
    Resolution,
    WorkOrderKind,
)
from schemas.identifiers import Gln, Gsrn
from schemas.text import Key, LongText, SingleLine, Text

# ---------------------------------------------------------------- metering work orders


class MeterReading(CanonicalModel):
    obis_code: SingleLine = Field(default="1.8.0", max_length=16,
                                  description="Register, e.g. 1.8.0")
    value_kwh: Decimal = Field(ge=0)
    read_at: AwareDatetime


class WorkOrderRequested(CanonicalModel):
    """A new task for the metering coordinator (e.g. rebuild from 1 to 3 phase)."""

    kind: WorkOrderKind
    gsrn: Gsrn | None = None
    meter_number: Text | None = None
    address: Address | None = None
    wanted_on: date | None = None
    hold: bool = Field(default=False, description="Created, not started: waits for "
                       "workorder.release.requested (the completion notice approved)")
    at: AwareDatetime


class WorkOrderEvent(CanonicalModel):
    """A step of an existing work order (created, cancelled ...)."""

    workorder_id: Key
    kind: WorkOrderKind
    gsrn: Gsrn | None = None
    meter_number: Text | None = None
    at: AwareDatetime
    comment: LongText | None = None


class EquipmentPlanned(WorkOrderEvent):
    equipment: list[Text] = Field(min_length=1, description="Planned meter/equipment types")


class WarehouseTaskCreated(WorkOrderEvent):
    warehouse_task_id: Key


class WorkOrderAssigned(WorkOrderEvent):
    """Given to a pre-qualified installer (P0 supplier)."""

    assignee: Text
    assignee_gln: Gln | None = None


class WorkOrderReported(WorkOrderEvent):
    """Done: readings and the documentation P0 requires (final check, photos, declaration)."""

    reading: MeterReading | None = None
    old_meter_number: Text | None = None
    old_reading: MeterReading | None = None
    documentation: list[AttachmentRef] = Field(default_factory=list)


class WorkOrderDeviation(WorkOrderEvent):
    deviation: Text


# ---------------------------------------------------------------- market datahub


class MeasurementChannel(CanonicalModel):
    """One registered channel of a metering point (Elhub MeasurementDefinition)."""

    product: str = Field(pattern=r"^[0-9]{13}$", description="e.g. 8716867000030 active energy")
    unit: Literal["kWh", "kvarh"]
    direction: Literal["In", "Out"] = Field(description="Out: consumption, In: production")
    resolution: Literal["N", "PT5M", "PT15M", "PT1H", "PT60M"]


class MeteringPointUpdated(CanonicalModel):
    """Master data the grid owner (DDM) sends the datahub. A new metering point (BRS-NO-121)
    needs its grid area, address, settlement method and channel: nothing is filled in."""

    gsrn: Gsrn
    event: MeteringPointEvent
    effective_at: AwareDatetime
    metering_point_type: MeteringPointType = MeteringPointType.consumption
    grid_area: str | None = Field(default=None, pattern=r"^[0-9A-Z-]{16}$", description="EIC")
    meter_number: Text | None = None
    address: Address | None = None
    main_fuse_a: int | None = Field(default=None, ge=1, le=6300)
    grid_owner_gln: Gln | None = None
    settlement_method: Literal["E01", "E02", "Z01"] | None = Field(
        default=None, description="E01 profiled, E02 non-profiled (interval)")
    channel: MeasurementChannel | None = None


class AcknowledgementReason(CanonicalModel):
    code: SingleLine = Field(min_length=2, max_length=8, description="E.g. E10, EH032")
    text: Text | None = None


class MeteringPointAcknowledged(CanonicalModel):
    """The datahub's Acknowledgement: 39 accepted, 41 rejected with reason codes."""

    status: AcknowledgementStatus
    original_message_id: Key
    gsrn: Gsrn | None = None
    reasons: list[AcknowledgementReason] = Field(default_factory=list)
    event: MeteringPointEvent | None = Field(
        default=None, description="The master-data event acknowledged (new, activate ...), "
        "when the sender knows it: a new metering point is activated once its 121 is accepted")

    @model_validator(mode="after")
    def _rejection_has_reason(self) -> MeteringPointAcknowledged:
        if self.status == AcknowledgementStatus.rejected and not self.reasons:
            raise ValueError("a rejection (41) needs at least one reason")
        return self


class Observation(CanonicalModel):
    position: int = Field(ge=1)
    quantity: Decimal = Field(ge=0, description="kWh")
    quality: ObservationQuality = ObservationQuality.measured


_MAX_POSITIONS = {Resolution.PT15M: 100, Resolution.PT1H: 25}  # 25-hour DST day


class MeteringValuesCollected(CanonicalModel):
    """One day's interval values of one metering point."""

    gsrn: Gsrn
    day: date
    resolution: Resolution = Resolution.PT15M
    observations: list[Observation] = Field(min_length=1)

    @model_validator(mode="after")
    def _positions(self) -> MeteringValuesCollected:
        positions = [o.position for o in self.observations]
        if positions != list(range(1, len(positions) + 1)):
            raise ValueError("observation positions must run 1, 2, 3 ... without gaps")
        if len(positions) > _MAX_POSITIONS[self.resolution]:
            raise ValueError(f"a day has at most {_MAX_POSITIONS[self.resolution]} positions")
        return self
