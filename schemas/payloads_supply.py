"""Payloads of the Swedish market's supply processes (PRODAT over Ediel) and acknowledgements.

Split from schemas.payloads (which re-exports every name) to keep each module one topic. The
processes are those of Svensk Elmarknadshandbok: the new supplier notifies a start of supply
(Z03), the grid owner confirms it (Z04) and tells the old supplier its supply ends (Z05); a
supplier ends its own contract (Z08). See docs: ediel-sweden.md §1.2-1.3.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, model_validator

from schemas.case import AwareDatetime, CanonicalModel, Text
from schemas.codes import MeteringPointType, ObservationQuality
from schemas.identifiers import Anlaggningsid, SeOrgnummer, SePersonnummer

EdielId = str
_EDIEL_ID = r"^\d{5}$"  # Svenska kraftnät issues five-digit Ediel-ids (every sample has five)
_GRID_AREA = r"^[A-Z]{3}$"  # nätavräkningsområde


class SupplyReason(StrEnum):
    """The sub-type of a PRODAT (field 223): why supply starts or ends."""

    switch = "switch"  # L: change of supplier
    move_in = "move_in"  # LK: new customer (also a new connection)
    move_out = "move_out"  # LK on an end: the customer moved out
    cancellation = "cancellation"  # C: an earlier notification withdrawn
    rescission = "rescission"  # H: hävning, the supplier ends the contract
    # D: obligation to receive production; the grid owner's Z04 for a production point
    # (the buying supplier notified it as a move-in, LK)
    production = "production"


class MarketCustomer(CanonicalModel):
    """The customer a supplier names: personal or organisation number masked in logs."""

    name: Text
    personal_number: SePersonnummer | None = None
    organisation_number: SeOrgnummer | None = None
    street: Text | None = None
    postcode: str | None = Field(default=None, pattern=r"^\d{3} ?\d{2}$")
    city: Text | None = None


class SupplyNotified(CanonicalModel):
    """A supplier's PRODAT: start (Z03) or end (Z08) of supply at a metering point."""

    metering_point: Anlaggningsid
    reason: SupplyReason
    effective_on: date = Field(description="Start (field 210) or contract end (211)")
    supplier: str = Field(pattern=_EDIEL_ID, description="The sending supplier's Ediel-id")
    grid_owner: str = Field(pattern=_EDIEL_ID, description="Our Ediel-id, as addressed")
    grid_area: str | None = Field(default=None, pattern=_GRID_AREA)
    balance_responsible: str | None = Field(default=None, pattern=_EDIEL_ID)
    document_id: str = Field(min_length=1, max_length=35, description="BGM 1004")
    case_reference: str = Field(min_length=1, max_length=35, description="RFF+LI")
    agreement_reference: str | None = Field(default=None, max_length=35, description="ANJ")
    customer: MarketCustomer | None = None


class SupplyConfirmed(CanonicalModel):
    """The grid owner's PRODAT answer: Z04 to the new supplier, Z05 to the old one."""

    metering_point: Anlaggningsid
    reason: SupplyReason
    effective_on: date
    supplier: str = Field(pattern=_EDIEL_ID, description="The recipient's Ediel-id")
    grid_area: str = Field(pattern=_GRID_AREA)
    case_reference: str = Field(min_length=1, max_length=35)
    estimated_annual_kwh: int | None = Field(default=None, ge=0)
    meter_number: Text | None = None
    resolution_minutes: int = Field(default=15, description="Observation length (508)")
    metering_point_type: MeteringPointType | None = Field(
        default=None, description="Field 513; production: a plus customer's production point")

    @model_validator(mode="after")
    def _resolution(self) -> SupplyConfirmed:
        if self.resolution_minutes not in (15, 60):
            raise ValueError("resolution_minutes is 15 or 60")
        return self


class SupplyChange(StrEnum):
    start = "start"
    end = "end"


class SupplyRegistered(CanonicalModel):
    """KIS (the customer register) took a supplier's start or end of supply: what the grid
    owner's answer (Z04/Z05) is decided on. ``previous_supplier`` is who supplied the point
    until then, when it is another supplier; ``in_operation`` false means the point has no
    meter yet (a new connection: the Z04 waits for it, ediel-sweden.md §1.3)."""

    change: SupplyChange
    metering_point: Anlaggningsid
    reason: SupplyReason
    effective_on: date
    supplier: str = Field(pattern=_EDIEL_ID, description="The notifying supplier")
    previous_supplier: str | None = Field(default=None, pattern=_EDIEL_ID)
    in_operation: bool
    meter_number: Text | None = None
    grid_area: str | None = Field(default=None, pattern=_GRID_AREA)
    case_reference: str = Field(min_length=1, max_length=35)


class MonthlyReadings(CanonicalModel):
    """A month's start and end readings and consumption of a profile-settled point (E66 S)."""

    gsrn: Anlaggningsid
    month: date = Field(description="The first day of the month")
    meter_number: Text
    start_reading: Decimal = Field(ge=0)
    end_reading: Decimal = Field(ge=0)
    consumption_kwh: Decimal = Field(ge=0)
    quality: ObservationQuality = ObservationQuality.measured
    supplier: str | None = Field(default=None, pattern=_EDIEL_ID)

    @model_validator(mode="after")
    def _first_of_month(self) -> MonthlyReadings:
        if self.month.day != 1:
            raise ValueError("month is the first day of the month")
        return self


class AckKind(StrEnum):
    contrl = "contrl"  # syntax (whole interchange)
    aperak = "aperak"  # application (per message / object)
    none = "none"  # nothing came within the deadline


class AckStatus(StrEnum):
    accepted = "accepted"
    rejected = "rejected"
    missing = "missing"


class MarketAcknowledged(CanonicalModel):
    """A CONTRL or APERAK to an interchange we sent, or its absence past the deadline."""

    kind: AckKind
    status: AckStatus
    original_message_id: str = Field(min_length=1, max_length=64)
    interchange_reference: str = Field(min_length=1, max_length=14)
    document_id: str | None = Field(default=None, max_length=35)
    codes: list[str] = Field(default_factory=list, description="ERC / syntax error codes")
    text: Text | None = None
    deadline: AwareDatetime | None = None

    @model_validator(mode="after")
    def _consistent(self) -> MarketAcknowledged:
        if self.status == AckStatus.rejected and not self.codes:
            raise ValueError("a rejection needs at least one code")
        if (self.kind == AckKind.none) != (self.status == AckStatus.missing):
            raise ValueError("kind none and status missing go together")
        return self


class InterchangeRejected(CanonicalModel):
    """An inbound interchange that could not be read: kept whole for the dead-letter store."""

    raw: str = Field(description="The interchange as received (ISO 8859-1 text)")
    archived_as: str = Field(min_length=1, description="Where the gateway file was stored")
    error: str = Field(min_length=1)
    where: str | None = None
    syntax_error_code: str | None = Field(default=None, max_length=3, description="0085")
    sender: str | None = None
    interchange_reference: str | None = Field(default=None, max_length=14)
