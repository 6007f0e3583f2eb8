"""The canonical case: an installer's notification (anmälan) to the grid owner (seed 000).

Every model forbids unknown fields, so a mapping typo is an error, not a silently lost value.
Attachments are references (name, type, size, SHA-256), never the file itself.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from schemas.codes import (
    VALID_JOB_TYPES,
    AttachmentOrigin,
    BillingState,
    CableLaying,
    CaseFlag,
    CaseStatus,
    Conductor,
    Country,
    Currency,
    CustomerServiceState,
    Decision,
    DocumentKind,
    Earthing,
    Flow,
    InstallationType,
    JobType,
    Language,
    PartyKind,
    PreparationState,
    TemporaryKind,
    WorkOrderState,
)
from schemas.identifiers import Gln, Gsrn, OrganisationNumber, PersonalNumber, country_of
from schemas.text import Key, LongText, SingleLine, Text

Email = Annotated[SingleLine, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9 ()-]{5,20}$")]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a time zone")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


class CanonicalModel(BaseModel):
    """Base of every canonical model: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class GridOwner(CanonicalModel):
    """The grid owner (nätbolag / nettselskap)."""

    name: Text
    gln: Gln | None = None
    country: Country


class MailChoice(CanonicalModel):
    """The company's own e-mail choice in the portal (seed 000 §11/§15): "Sändning aktiverad"
    and a box per status that "ska generera ett meddelande"."""

    enabled: bool = True
    approved: bool = True
    pre_rejected: bool = True
    completion_rejected: bool = True
    cancelled: bool = True

    @property
    def statuses(self) -> frozenset[CaseStatus]:
        if not self.enabled:
            return frozenset()
        return frozenset(CaseStatus(name) for name in ("approved", "pre_rejected",
                                                       "completion_rejected", "cancelled")
                         if getattr(self, name))


class InstallerCompany(CanonicalModel):
    name: Text
    organisation_number: OrganisationNumber | None = None
    email: Email | None = None
    phone: Phone | None = None
    mail: MailChoice | None = Field(
        default=None, description="the company's e-mail choice from the portal's company data")


class Person(CanonicalModel):
    """An installer person or a grid owner's handler (handläggare)."""

    name: Text
    email: Email | None = None
    phone: Phone | None = None
    language: Language = Language.sv


_POSTCODE = {Country.SE: re.compile(r"^\d{5}$"), Country.NO: re.compile(r"^\d{4}$")}


class Address(CanonicalModel):
    street: Text
    postcode: SingleLine = Field(description="SE: 5 digits (a space is dropped), NO: 4 digits")
    town: Text
    country: Country = Country.SE

    @model_validator(mode="after")
    def _postcode_fits_country(self) -> Address:
        self.postcode = self.postcode.replace(" ", "")
        if not _POSTCODE[self.country].match(self.postcode):
            digits = 5 if self.country == Country.SE else 4
            raise ValueError(f"postcode for {self.country} must be {digits} digits")
        return self


class Party(CanonicalModel):
    """Property owner or payer (betalningsansvarig): a private person or a company.

    The personal or organisation number may be missing (a facility lookup never returns one;
    the installer must ask the customer), but when present it must fit the kind and country.
    """

    kind: PartyKind
    name: Text
    co: Text | None = Field(default=None, description="c/o (attention)")
    address: Address
    personal_number: PersonalNumber | None = None
    organisation_number: OrganisationNumber | None = None
    phone: Phone | None = None
    email: Email | None = None
    invoice_reference: Text | None = None

    @model_validator(mode="after")
    def _number_fits(self) -> Party:
        if self.kind == PartyKind.private and self.organisation_number is not None:
            raise ValueError("a private party has a personal_number, not an organisation_number")
        if self.kind == PartyKind.company and self.personal_number is not None:
            raise ValueError("a company party has an organisation_number, not a personal_number")
        number = self.personal_number or self.organisation_number
        if number is not None and country_of(number) != self.address.country:
            raise ValueError(
                f"{number.kind} is {country_of(number)}, address country is {self.address.country}"
            )
        return self


class Facility(CanonicalModel):
    """One facility (anläggning) of the case; a block notification has several."""

    facility_id: Gsrn | None = Field(default=None, description="EAN/GSRN, 18 digits")
    meter_number: Text | None = None
    technical_number: Text | None = None
    customer_number: Text | None = None
    substation: Text | None = None
    purchase_order_number: Text | None = None
    address: Address | None = None
    meter_placement: Text | None = Field(default=None, description="Önskad mätarplacering")
    main_fuse_a: int | None = Field(default=None, ge=1, le=6300, description="Main fuse, A")
    ready_on: date | None = Field(default=None, description="Ready for meter and connection")
    production_id: Gsrn | None = Field(
        default=None, description="a plus customer's (mikroproduktion, plusskunde) production "
        "metering point (innmating): the same meter measures both directions, the market "
        "has a metering point per direction")


class Note(CanonicalModel):
    subject: Text
    text: LongText
    internal: bool = Field(default=False, description="Visible to the own company only")
    author: Text
    at: AwareDatetime


class AttachmentRef(CanonicalModel):
    name: Text
    media_type: str = Field(pattern=r"^[a-z]+/[a-zA-Z0-9.+-]+$")
    size: int = Field(ge=0, le=2**31)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    origin: AttachmentOrigin = AttachmentOrigin.installer
    kind: DocumentKind = Field(default=DocumentKind.other,
                               description="what it documents (P0: final check, photos, ...)")


class ActivityEntry(CanonicalModel):
    at: AwareDatetime
    actor: Text
    action: Text
    detail: LongText | None = None


_RATING = re.compile(r"^(?:(\d{1,2})\s*[xX\u00d7]\s*)?(\d{1,5})\s*A$")


def _rating(value: str) -> str:
    match = _RATING.match(value.strip())
    if match is None:
        raise ValueError("fuse rating must look like '6 x 250 A' or '25 A'")
    count, amps = match.groups()
    return f"{count} x {amps} A" if count else f"{amps} A"


class Fuse(CanonicalModel):
    placement: Text | None = Field(default=None, description="e.g. Mätarskåp, Transformatorstn")
    rating: Annotated[str, AfterValidator(_rating)] = Field(description="e.g. '6 x 250 A'")


class ServiceConnection(CanonicalModel):
    """Servis utförande: how the facility is fed."""

    substation: Text | None = Field(default=None, description="Substation id, e.g. T114")
    laying: CableLaying | None = None
    earthing: Earthing | None = None
    conductor: Conductor | None = None
    phases: Literal[1, 3] | None = None


class GridData(CanonicalModel):
    """The grid owner's answer: Installationsmedgivande med nätuppgifter."""

    service: ServiceConnection = Field(default_factory=ServiceConnection)
    cable_type: Text | None = Field(default=None, description="e.g. N1XE 4X240")
    cable_count: int | None = Field(default=None, ge=1, le=99)
    cable_dimension_mm2: Decimal | None = Field(default=None, gt=0, le=2000)
    earth_fault_impedance_mohm: Decimal | None = Field(default=None, ge=0, description="Zn")
    short_circuit_current_ka: Decimal | None = Field(default=None, ge=0)
    distance_m: Decimal | None = Field(default=None, ge=0, description="From the substation")
    service_fuse: Fuse | None = None
    service_line_fuse: Fuse | None = None
    bill_customer: bool | None = None
    project_number: Text | None = None
    connection_fee: Decimal | None = Field(default=None, ge=0, description="Excluding VAT")
    currency: Currency | None = None
    documentation: bool | None = None
    info: LongText | None = Field(default=None, description="Upplysningar")
    decision: Decision
    decided_on: date
    signature: Text

    @model_validator(mode="after")
    def _fee_has_currency(self) -> GridData:
        if self.connection_fee is not None and self.currency is None:
            raise ValueError("connection_fee needs a currency")
        return self


class SideTracks(CanonicalModel):
    """The symbol rows of seed 000 §7, each fed by a back-end system. None: not started."""

    preparation: PreparationState | None = None
    work_order: WorkOrderState | None = None
    billing: BillingState | None = None
    customer_service: CustomerServiceState | None = None


def _flag_set(flags: list[CaseFlag]) -> list[CaseFlag]:
    return sorted(set(flags))


Flags = Annotated[list[CaseFlag], AfterValidator(_flag_set)]


class Case(CanonicalModel):
    """An installer's notification and everything attached to it."""

    case_id: Key
    reference: Text = Field(description="The portal's reference, e.g. MEE9541")
    received_on: date | None = None
    grid_owner: GridOwner
    installer_company: InstallerCompany
    installer: Person
    handler: Person | None = None
    installation_type: InstallationType
    temporary_kind: TemporaryKind | None = None
    job_type: JobType
    network_area: Text | None = None
    postcode: str | None = Field(default=None, pattern=r"^\d{4,5}$")
    municipality: Text | None = None
    facilities: list[Facility] = Field(min_length=1, max_length=500)
    property_owner: Party | None = None
    payer: Party | None = None
    notes: list[Note] = Field(default_factory=list)
    attachments: list[AttachmentRef] = Field(default_factory=list)
    activity: list[ActivityEntry] = Field(default_factory=list)
    grid_data: GridData | None = None
    status: CaseStatus = CaseStatus.draft
    flow: Flow = Flow.with_prenotification
    side_tracks: SideTracks = Field(default_factory=SideTracks)
    flags: Flags = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        allowed = VALID_JOB_TYPES[self.installation_type]
        if self.job_type not in allowed:
            names = ", ".join(sorted(allowed))
            raise ValueError(
                f"job_type {self.job_type} ({self.job_type.label()}) is not offered for "
                f"installation_type {self.installation_type} "
                f"({self.installation_type.label()}); allowed: {names}"
            )
        is_temporary = self.installation_type == InstallationType.temporary
        if is_temporary != (self.temporary_kind is not None):
            raise ValueError(
                "temporary_kind is required for, and only for, a temporary installation"
            )
        if self.network_area is None and self.postcode is None:
            raise ValueError("a case needs a network_area or a postcode")
        if len(self.facilities) > 1 and CaseFlag.block_notification not in self.flags:
            self.flags = sorted({*self.flags, CaseFlag.block_notification})
        return self

    @property
    def is_block(self) -> bool:
        """Blockanmälan: several facilities in one case."""
        return len(self.facilities) > 1
