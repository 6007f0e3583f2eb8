"""Code lists of the canonical model: English names and values, Swedish and Norwegian labels.

Labels are what a person sees (the Elsmart manual's Swedish words, seed 003's Norwegian ones
where it has them). ``member.label("sv")`` / ``member.label("nb")``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, NamedTuple

Lang = Literal["sv", "nb"]
LANGUAGES: tuple[Lang, ...] = ("sv", "nb")


class Label(NamedTuple):
    sv: str
    nb: str


class LabelledEnum(StrEnum):
    """A StrEnum whose members have a Swedish and a Norwegian label in :data:`LABELS`."""

    def label(self, lang: str = "sv") -> str:
        if lang not in LANGUAGES:
            raise ValueError(f"no labels in language {lang!r}; known: {', '.join(LANGUAGES)}")
        label: Label = LABELS[type(self)][self.name]
        return label.sv if lang == "sv" else label.nb


class Country(StrEnum):
    SE = "SE"
    NO = "NO"


class Language(StrEnum):
    sv = "sv"
    nb = "nb"


class CaseStatus(LabelledEnum):
    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    pre_rejected = "pre_rejected"
    completion_submitted = "completion_submitted"
    completion_rejected = "completion_rejected"
    completion_approved = "completion_approved"
    archived = "archived"
    cancelled = "cancelled"


class Flow(LabelledEnum):
    with_prenotification = "with_prenotification"
    completion_only = "completion_only"


class InstallationType(LabelledEnum):
    new_installation = "new_installation"
    extension = "extension"
    temporary = "temporary"
    service_change = "service_change"
    fuse_change = "fuse_change"
    work_in_existing = "work_in_existing"


class TemporaryKind(LabelledEnum):
    connect = "connect"
    disconnect = "disconnect"


class JobType(LabelledEnum):
    single_meter = "single_meter"
    multiple_meters = "multiple_meters"
    production = "production"
    construction_power = "construction_power"
    phase_rebuild = "phase_rebuild"
    service_relocation = "service_relocation"
    meter_relocation = "meter_relocation"
    fuse_upgrade = "fuse_upgrade"
    fuse_downgrade = "fuse_downgrade"


_IT = InstallationType
_JT = JobType
VALID_JOB_TYPES: dict[InstallationType, frozenset[JobType]] = {
    _IT.new_installation: frozenset({_JT.single_meter, _JT.multiple_meters, _JT.production}),
    _IT.extension: frozenset(
        {_JT.single_meter, _JT.multiple_meters, _JT.production, _JT.phase_rebuild}
    ),
    _IT.temporary: frozenset({_JT.single_meter, _JT.construction_power}),
    _IT.service_change: frozenset(
        {_JT.single_meter, _JT.multiple_meters, _JT.service_relocation}
    ),
    _IT.fuse_change: frozenset({_JT.fuse_upgrade, _JT.fuse_downgrade}),
    _IT.work_in_existing: frozenset(
        {_JT.single_meter, _JT.multiple_meters, _JT.production, _JT.meter_relocation,
         _JT.phase_rebuild}
    ),
}
"""Which job types the portal offers under each installation type (seed 000 §8, seed 001)."""


class SideTrack(LabelledEnum):
    preparation = "preparation"
    work_order = "work_order"
    billing = "billing"
    customer_service = "customer_service"


class PreparationState(LabelledEnum):
    to_preparation = "to_preparation"
    in_progress = "in_progress"
    done = "done"


class WorkOrderState(LabelledEnum):
    created = "created"
    reported = "reported"
    cancelled = "cancelled"
    done_with_deviation = "done_with_deviation"
    missing_on_some = "missing_on_some"


class BillingState(LabelledEnum):
    not_billable = "not_billable"
    quote_sent = "quote_sent"
    quote_ordered = "quote_ordered"
    invoiced = "invoiced"
    paid = "paid"


class CustomerServiceState(LabelledEnum):
    to_customer_service = "to_customer_service"
    done = "done"
    registered_in_kis = "registered_in_kis"


SIDE_TRACK_STATES: dict[SideTrack, type[LabelledEnum]] = {
    SideTrack.preparation: PreparationState,
    SideTrack.work_order: WorkOrderState,
    SideTrack.billing: BillingState,
    SideTrack.customer_service: CustomerServiceState,
}


class CaseFlag(LabelledEnum):
    has_notes = "has_notes"
    rejected_before = "rejected_before"
    block_notification = "block_notification"
    manually_registered = "manually_registered"
    deletion_requested = "deletion_requested"
    done_awaiting_archive = "done_awaiting_archive"
    on_hold = "on_hold"
    contains_transformer = "contains_transformer"
    documented = "documented"
    has_attachment = "has_attachment"


class WorkOrderKind(LabelledEnum):
    """The AMS work the metering coordinator handles (seed 003, "Trinn 2: Full integrasjon")."""

    meter_new_installation = "meter_new_installation"
    rebuild_1_to_3_phase = "rebuild_1_to_3_phase"
    meter_removal = "meter_removal"
    flexible_consumption = "flexible_consumption"
    field_control = "field_control"
    meter_replacement = "meter_replacement"
    service_assignment = "service_assignment"
    closing = "closing"
    opening = "opening"
    substation_work = "substation_work"


class PartyKind(LabelledEnum):
    private = "private"
    company = "company"


class Decision(LabelledEnum):
    approved = "approved"
    rejected = "rejected"


class AttachmentOrigin(LabelledEnum):
    installer = "installer"
    grid_owner = "grid_owner"
    template = "template"


class DocumentKind(LabelledEnum):
    """What an attachment documents; P0 requires some per installation kind (seed 003 "P0
    avtalen - Krav til dokumentasjon": sluttkontroll, bildedokumentasjon, samsvarserklæring)."""

    final_check = "final_check"
    declaration_of_conformity = "declaration_of_conformity"
    photo = "photo"
    site_plan = "site_plan"
    other = "other"


# Technical codes: printed as they are, no labels.


class Earthing(StrEnum):
    TN_C = "TN-C"
    TN_S = "TN-S"
    TN_C_S = "TN-C-S"
    TT = "TT"
    IT = "IT"


class Conductor(StrEnum):
    Al = "Al"
    Cu = "Cu"


class CableLaying(StrEnum):
    ground_cable = "ground_cable"
    overhead_line = "overhead_line"


class Currency(StrEnum):
    SEK = "SEK"
    NOK = "NOK"


class MeteringPointEvent(StrEnum):
    """Master-data events the grid owner sends the datahub (BRS-NO-121/122, meter change, 212)."""

    new = "new"
    activate = "activate"
    meter_change = "meter_change"
    deactivate = "deactivate"


class MeteringPointType(StrEnum):
    consumption = "consumption"  # E17
    production = "production"  # E18
    combined = "combined"  # E19
    exchange = "exchange"  # E20


class ObservationQuality(StrEnum):
    measured = "measured"
    estimated = "estimated"  # Elhub 56
    final_estimated = "final_estimated"  # Elhub 81 (unverified meaning)
    missing = "missing"


class AcknowledgementStatus(StrEnum):
    accepted = "39"
    rejected = "41"


class Resolution(StrEnum):
    PT15M = "PT15M"
    PT1H = "PT1H"


def _labels(**table: tuple[str, str]) -> dict[str, Label]:
    return {name: Label(*pair) for name, pair in table.items()}


LABELS: dict[type[LabelledEnum], dict[str, Label]] = {
    CaseStatus: _labels(
        draft=("Ej skickat", "Ikke sendt"),
        submitted=("För godkännande", "Til godkjenning"),
        approved=("Installationsmedgivande", "Installasjonstillatelse"),
        pre_rejected=("Avvisad föranmälan", "Avvist forhåndsmelding"),
        completion_submitted=("Färdiganmälan", "Ferdigmelding"),
        completion_rejected=("Avvisad färdiganmälan", "Avvist ferdigmelding"),
        completion_approved=("Arkiverad av Nätthandläggare", "Arkivert av nettsaksbehandler"),
        archived=("Arkiverad", "Arkivert"),
        cancelled=("Avbruten", "Avbrutt"),
    ),
    Flow: _labels(
        with_prenotification=("Med föranmälan", "Med forhåndsmelding"),
        completion_only=("Endast färdiganmälan", "Kun ferdigmelding"),
    ),
    InstallationType: _labels(
        new_installation=("Ny anläggning", "Nytt anlegg"),
        extension=("Utökning", "Utvidelse"),
        temporary=("Tillfällig anläggning", "Midlertidig anlegg"),
        service_change=("Servisändring", "Endring av stikkledning"),
        fuse_change=("Säkringsändring", "Sikringsendring"),
        work_in_existing=("Arbete i befintlig anläggning", "Arbeid i eksisterende anlegg"),
    ),
    TemporaryKind: _labels(
        connect=("Inkoppling", "Tilkobling"),
        disconnect=("Bortkoppling", "Frakobling"),
    ),
    JobType: _labels(
        single_meter=("Anläggning med en mätare", "Anlegg med én måler"),
        multiple_meters=("Ny anläggning med flera mätare", "Nytt anlegg med flere målere"),
        production=("Produktionsanläggning", "Produksjonsanlegg"),
        construction_power=("Byggström", "Byggestrøm"),
        phase_rebuild=("Ombyggnad från 1- till 3-fas", "Ombygging fra 1- til 3-fase"),
        service_relocation=("Flytt av servis", "Flytting av stikkledning"),
        meter_relocation=("Flytt av mätare", "Flytting av måler"),
        fuse_upgrade=("Uppsäkring", "Oppsikring"),
        fuse_downgrade=("Nedsäkring", "Nedsikring"),
    ),
    SideTrack: _labels(
        preparation=("Beredning", "Prosjektering"),
        work_order=("Arbetsorder", "Arbeidsordre"),
        billing=("Offert och fakturering", "Tilbud og fakturering"),
        customer_service=("Kundservice", "Kundeservice"),
    ),
    PreparationState: _labels(
        to_preparation=("Till beredning", "Til prosjektering"),
        in_progress=("Beredning pågår", "Prosjektering pågår"),
        done=("Färdig från beredning", "Ferdig fra prosjektering"),
    ),
    WorkOrderState: _labels(
        created=("Arbetsorder skapad", "Arbeidsordre opprettet"),
        reported=("Arbetsorder är avrapporterad", "Arbeidsordre er ferdigmeldt"),
        cancelled=("Arbetsorder avbruten/annullerad", "Arbeidsordre avbrutt/annullert"),
        done_with_deviation=("Utförd med avvikelse", "Utført med avvik"),
        missing_on_some=(
            "Arbetsorder saknas på en eller flera anläggningar",
            "Arbeidsordre mangler på ett eller flere anlegg",
        ),
    ),
    BillingState: _labels(
        not_billable=("Ej fakturerbar", "Ikke fakturerbar"),
        quote_sent=("Offert skickad", "Tilbud sendt"),
        quote_ordered=("Offert beställd", "Tilbud bestilt"),
        invoiced=("Kund fakturerad", "Kunde fakturert"),
        paid=("Faktura betald", "Faktura betalt"),
    ),
    CustomerServiceState: _labels(
        to_customer_service=("Till kundservice", "Til kundeservice"),
        done=("Färdig från kundservice", "Ferdig fra kundeservice"),
        registered_in_kis=("Registrerad i KIS", "Registrert i KIS"),
    ),
    CaseFlag: _labels(
        has_notes=("Anmälan har en notering", "Meldingen har et notat"),
        rejected_before=("Har varit avvisad", "Har vært avvist"),
        block_notification=("Blockanmälan", "Blokkmelding"),
        manually_registered=("Manuellt registrerat ärende", "Manuelt registrert sak"),
        deletion_requested=("Installatör önskar borttag", "Installatør ønsker sletting"),
        done_awaiting_archive=(
            "Färdigbehandlad, väntar på slutarkivering",
            "Ferdigbehandlet, venter på arkivering",
        ),
        on_hold=("Ärendet är i vänteläge", "Saken er satt på vent"),
        contains_transformer=("Ärendet innehåller en trafo", "Saken inneholder en trafo"),
        documented=("Ärendet är dokumenterat", "Saken er dokumentert"),
        has_attachment=("Ärendet har bilaga", "Saken har vedlegg"),
    ),
    WorkOrderKind: _labels(
        meter_new_installation=("Mätare i ny anläggning", "Måler i nytt anlegg"),
        rebuild_1_to_3_phase=("Ombyggnad från 1- till 3-fas", "Ombygging fra 1- til 3-fase"),
        meter_removal=("Nedtagning av mätare", "Nedtak av måler"),
        flexible_consumption=(
            "Flexibel förbrukning (laststyrning)",
            "Fleksibelt forbruk (laststyring)",
        ),
        field_control=("Fältkontroll", "Feltkontroll"),
        meter_replacement=("Mätarbyte", "Målerbytte"),
        service_assignment=("Serviceuppdrag", "Serviceoppdrag"),
        closing=("Stängning", "Stenging"),
        opening=("Öppning", "Åpning"),
        substation_work=("Nätstationsarbete", "Nettstasjonsarbeid"),
    ),
    PartyKind: _labels(private=("Privat", "Privat"), company=("Företag", "Bedrift")),
    Decision: _labels(approved=("Godkänd", "Godkjent"), rejected=("Avvisad", "Avvist")),
    AttachmentOrigin: _labels(
        installer=("Från installatör", "Fra installatør"),
        grid_owner=("Från nätbolag", "Fra nettselskap"),
        template=("Mall", "Mal"),
    ),
    DocumentKind: _labels(
        final_check=("slutkontroll", "sluttkontroll"),
        declaration_of_conformity=("försäkran om överensstämmelse", "samsvarserklæring"),
        photo=("bilddokumentation", "bildedokumentasjon"),
        site_plan=("situationsplan", "situasjonsplan"),
        other=("övrigt", "annet"),
    ),
}
