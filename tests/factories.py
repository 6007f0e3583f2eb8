"""Deterministic builders of realistic Swedish and Norwegian cases and messages for tests.

Every identifier is generated with a valid check digit from a seed, so the same call gives the
same data in every run. Names and addresses are invented.

    case = swedish_case()                       # one facility, private owner, company payer
    case = norwegian_case(seed=3)               # fødselsnummer, organisasjonsnummer, 707057 GSRN
    case = block_case(4)                        # blockanmälan with 4 facilities
    env = envelope("case.submitted", case)      # payload = the case
    env = envelope("workorder.created", case)   # a valid sample payload for any type
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from schemas.case import (
    Address,
    AttachmentRef,
    Case,
    Facility,
    GridData,
    GridOwner,
    InstallerCompany,
    Note,
    Party,
    Person,
)
from schemas.envelope import Envelope
from schemas.identifier_samples import (
    make_fodselsnummer,
    make_gln,
    make_gsrn,
    make_no_orgnummer,
    make_orgnummer,
    make_personnummer,
)
from schemas.identifiers import Gsrn
from schemas.message_types import MessageType
from schemas.payloads import PAYLOAD_MODELS, KindsDocument

M = MessageType
T0 = datetime(2024, 3, 14, 8, 30, tzinfo=UTC)
"""The fixed clock of every factory: builders never read the real time."""
SE_GSRN_PREFIX = "735999"
NO_GSRN_PREFIX = "707057500"
_IDS = uuid.UUID("0b5c1d52-8f0e-4c3e-9d8e-5a7f2f9c1e01")

SOURCES: dict[str, str] = {
    "case": "elsmart",
    "facility.lookup.requested": "elsmart",
    "facility.lookup.answered": "kis",
    "griddata.requested": "hub",
    "griddata": "nis",
    "installation": "nis",
    "customer": "kis",
    "billing": "kis",
    "workorder": "metering",
    "meteringpoint": "elhub",
    "meteringvalues": "metering",
    "installer": "notify",
}


def gsrn(seed: int, country: str = "SE") -> Gsrn:
    return make_gsrn(seed, SE_GSRN_PREFIX if country == "SE" else NO_GSRN_PREFIX)


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def note(subject: str = "Komplettering", text: str = "Situationsplan saknas.", *,
         author: str = "Maria Holm", internal: bool = False, at: datetime = T0) -> Note:
    return Note(subject=subject, text=text, author=author, internal=internal, at=at)


def attachment(name: str = "situationsplan.pdf") -> AttachmentRef:
    return AttachmentRef(name=name, media_type="application/pdf", size=48213,
                         sha256=sha256_of(name))


def grid_data(*, approved: bool = True) -> GridData:
    """The grid data answer of seed 000 §11 (T114, N1XE 4X240, Zn 40 mΩ, 9.51 kA ...)."""
    return GridData.model_validate({
        "service": {"substation": "T114", "laying": "ground_cable", "earthing": "TN-C",
                    "conductor": "Al", "phases": 3},
        "cable_type": "N1XE 4X240", "cable_count": 2, "cable_dimension_mm2": "240",
        "earth_fault_impedance_mohm": "40", "short_circuit_current_ka": "9.51",
        "distance_m": "233",
        "service_fuse": {"placement": "Mätarskåp", "rating": "6 x 250 A"},
        "service_line_fuse": {"placement": "Transformatorstn", "rating": "6 x 315 A"},
        "bill_customer": True, "project_number": "5900315", "connection_fee": "1500",
        "currency": "SEK", "documentation": True, "info": "Servis förläggs av nätbolaget.",
        "decision": "approved" if approved else "rejected", "decided_on": "2024-03-20",
        "signature": "Maria Holm",
    })


def _se_address(seed: int) -> Address:
    streets = ("Storgatan", "Drottninggatan", "Rönnvägen", "Kullagatan", "Björkgatan")
    return Address(street=f"{streets[seed % len(streets)]} {seed % 40 + 1}",
                   postcode=f"{25221 + seed % 50}", town="Helsingborg", country="SE")


def _no_address(seed: int) -> Address:
    streets = ("Dronningens gate", "Markens gate", "Tordenskjolds gate", "Elvegata")
    return Address(street=f"{streets[seed % len(streets)]} {seed % 30 + 1}",
                   postcode=f"{4610 + seed % 20}", town="Kristiansand", country="NO")


def _facility(seed: int, country: str, address: Address) -> Facility:
    return Facility(facility_id=gsrn(seed, country), meter_number=f"{7350000 + seed * 13}",
                    technical_number=f"T-{40100 + seed}", customer_number=f"{880000 + seed}",
                    substation=f"T{114 + seed % 7}", purchase_order_number=f"PO-{5000 + seed}",
                    address=address, meter_placement="Mätarskåp i fasad", main_fuse_a=25,
                    ready_on=date(2024, 5, 20))


def swedish_case(seed: int = 0, **overrides: Any) -> Case:
    """A Swedish new installation (Ny anläggning, one meter) in draft, Öresund-style."""
    address = _se_address(seed)
    base: dict[str, Any] = {
        "case_id": f"SE-{1000 + seed}",
        "reference": f"MEE{9541 + seed}",
        "received_on": date(2024, 3, 14),
        "grid_owner": GridOwner(name="Helsingborgs Nät AB", gln=make_gln(seed), country="SE"),
        "installer_company": InstallerCompany(name="Bollérud Elektro AB",
                                              organisation_number=make_orgnummer(seed + 100),
                                              email="info@bollerud-elektro.se",
                                              phone="042-123 45 67"),
        "installer": Person(name="Erik Johansson", email="erik.johansson@bollerud-elektro.se",
                            phone="070-123 45 67", language="sv"),
        "handler": Person(name="Maria Holm", email="maria.holm@helsingborgsnat.se"),
        "installation_type": "new_installation",
        "job_type": "single_meter",
        "network_area": "Helsingborg",
        "municipality": "Helsingborg",
        "facilities": [_facility(seed, "SE", address)],
        "property_owner": Party(kind="private", name="Anna Lindqvist", address=address,
                                personal_number=make_personnummer(seed), phone="070-765 43 21",
                                email="anna.lindqvist@example.se"),
        "payer": Party(kind="company", name="Lindqvist Fastigheter AB", co="Anna Lindqvist",
                       address=address, organisation_number=make_orgnummer(seed),
                       invoice_reference="Projekt Rönnen", email="faktura@lindqvist.example.se"),
    }
    return Case.model_validate({**base, **overrides})


def norwegian_case(seed: int = 0, **overrides: Any) -> Case:
    """A Norwegian new installation in draft: fødselsnummer, organisasjonsnummer, NO GSRN."""
    address = _no_address(seed)
    base: dict[str, Any] = {
        "case_id": f"NO-{2000 + seed}",
        "reference": f"SNS{4400 + seed}",
        "received_on": date(2024, 3, 14),
        "grid_owner": GridOwner(name="Sørlandsnett AS", gln=make_gln(seed, "707057"),
                                country="NO"),
        "installer_company": InstallerCompany(name="Elisør Elektro AS",
                                              organisation_number=make_no_orgnummer(seed + 100),
                                              email="post@elisor-elektro.no",
                                              phone="+47 38 12 34 56"),
        "installer": Person(name="Ola Nordmann", email="ola@elisor-elektro.no",
                            phone="+47 912 34 567", language="nb"),
        "handler": Person(name="Kari Hansen", email="kari.hansen@sorlandsnett.no",
                          language="nb"),
        "installation_type": "new_installation",
        "job_type": "single_meter",
        "postcode": address.postcode,
        "municipality": "Kristiansand",
        "facilities": [_facility(seed, "NO", address)],
        "property_owner": Party(kind="private", name="Ingrid Berg", address=address,
                                personal_number=make_fodselsnummer(seed),
                                phone="+47 987 65 432"),
        "payer": Party(kind="company", name="Berg Eiendom AS", address=address,
                       organisation_number=make_no_orgnummer(seed)),
    }
    return Case.model_validate({**base, **overrides})


def block_case(n_facilities: int, seed: int = 0, **overrides: Any) -> Case:
    """A blockanmälan: one Swedish case with ``n_facilities`` facilities, distinct GSRNs."""
    facilities = [_facility(seed * 1000 + i, "SE", _se_address(seed + i))
                  for i in range(n_facilities)]
    job = "multiple_meters" if n_facilities > 1 else "single_meter"
    return swedish_case(seed, **{"facilities": facilities, "job_type": job, **overrides})


def _first_gsrn(case: Case | None) -> str:
    found = case.facilities[0].facility_id if case else None
    return found.reveal() if found else gsrn(0).reveal()


def _meter(case: Case | None) -> str:
    return (case.facilities[0].meter_number if case else None) or "7350000"


def _workorder(case: Case | None, kind: str = "meter_new_installation") -> dict[str, Any]:
    ref = case.case_id if case else "SE-1000"
    return {"workorder_id": f"AO-{ref}", "kind": kind, "gsrn": _first_gsrn(case),
            "meter_number": _meter(case), "at": T0.isoformat()}


def _reading(kwh: str) -> dict[str, Any]:
    return {"obis_code": "1.8.0", "value_kwh": kwh, "read_at": T0.isoformat()}


def _lookup_hit(case: Case | None) -> dict[str, Any]:
    facility = case.facilities[0] if case else _facility(0, "SE", _se_address(0))
    customer = {"kind": "private", "name": "Anna Lindqvist",
                "address": facility.address.model_dump(mode="json") if facility.address
                else _se_address(0).model_dump(mode="json"), "customer_number": "880000"}
    return {"status_code": 100, "status_text": "Träff i anläggningsregistret",
            "overwrite": True, "facility": facility.model_dump(mode="json", exclude_none=True),
            "customer": customer}


def _kinds_document(type_: str) -> dict[str, Any]:
    """The frame every Elhub document kind shares, with one metering point in its payload."""
    from connectors.elhub.structure import BY_TYPE  # only these types need it
    body = {"metering_point": "707057500000000018"}
    key = "payloads" if BY_TYPE[type_].payload.max > 1 else "payload"
    return {"header": {"id": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
                       "document_type": {"value": "E66", "agency": "260"},
                       "creation": "2026-03-13T06:00:00.123456789Z",
                       "physical_sender": "7080010001009", "juridical_sender": "7080010001009",
                       "juridical_recipient": "7080005051019"},
            "context": {"process": "BRS-NO-321",
                        "energy_business_process_role": {"value": "DDM", "agency": "6"},
                        "industry": "23"},
            key: [body] if key == "payloads" else body}


def sample_payload(type_: str, case: Case | None = None) -> dict[str, Any]:
    """A valid payload for any message type, about ``case`` when given."""
    t = MessageType(type_)
    if PAYLOAD_MODELS.get(t) is KindsDocument:
        return _kinds_document(t)
    if t in (M.CASE_SUBMITTED, M.CASE_RESUBMITTED, M.CASE_COMPLETION_SUBMITTED):
        return (case or swedish_case()).model_dump(mode="json")
    return _SAMPLES[t](case)


def _jnote(subject: str, text: str) -> dict[str, Any]:
    return note(subject, text).model_dump(mode="json")


_SAMPLES: dict[MessageType, Any] = {
    M.CASE_APPROVED: lambda c: {"grid_data": grid_data().model_dump(mode="json")},
    M.CASE_REJECTED: lambda c: {"reason": _jnote("Avvisad", "Situationsplan saknas.")},
    M.CASE_COMPLETION_APPROVED: lambda c: {},
    M.CASE_COMPLETION_REJECTED: lambda c: {"reason": _jnote("Avvisad", "Mätarplats saknas.")},
    M.CASE_ARCHIVED: lambda c: {},
    M.CASE_CANCELLED: lambda c: {"note": _jnote("Avbruten", "Kunden har ångrat sig.")},
    M.CASE_DELETION_REQUESTED: lambda c: {"reason": "Fel installationstyp"},
    M.CASE_NOTE_ADDED: lambda c: {"note": _jnote("Fråga", "När kan mätaren sättas upp?")},
    M.CASE_ATTACHMENT_ADDED: lambda c: {"attachment": attachment().model_dump(mode="json")},
    M.CASE_SIDETRACK_UPDATED: lambda c: {"track": "preparation", "state": "in_progress"},
    M.CASE_ENRICHED: lambda c: {"lookup": _lookup_hit(c),
                                "griddata": grid_data().model_dump(mode="json")},
    M.FACILITY_LOOKUP_REQUESTED: lambda c: {"meter_number": _meter(c), "overwrite": False},
    M.FACILITY_LOOKUP_ANSWERED: _lookup_hit,
    M.GRID_DATA_REQUESTED: lambda c: {"facility_id": _first_gsrn(c), "main_fuse_a": 25},
    M.GRID_DATA_ANSWERED: lambda c: grid_data().model_dump(mode="json"),
    M.INSTALLATION_REGISTERED: lambda c: {"facility_id": _first_gsrn(c),
                                          "meter_number": _meter(c), "substation": "T114"},
    M.TARIFF_CHANGE_REQUESTED: lambda c: {"facility_id": _first_gsrn(c), "main_fuse_a": 35},
    M.CUSTOMER_ENDED: lambda c: {"customer_number": "880000", "facility_id": _first_gsrn(c)},
    M.CUSTOMER_REGISTERED: lambda c: {"customer_number": "880000",
                                      "facility_id": _first_gsrn(c)},
    M.BILLING_UPDATED: lambda c: {"state": "quote_sent", "quote_number": "OF-2024-118",
                                  "amount": "1500", "currency": "SEK"},
    M.WORKORDER_REQUESTED: lambda c: {"kind": "rebuild_1_to_3_phase", "gsrn": _first_gsrn(c),
                                      "meter_number": _meter(c), "at": T0.isoformat()},
    M.WORKORDER_CREATED: _workorder,
    M.WORKORDER_EQUIPMENT_PLANNED: lambda c: {**_workorder(c),
                                              "equipment": ["Kamstrup Omnipower 3-fas"]},
    M.WORKORDER_WAREHOUSE_TASK_CREATED: lambda c: {**_workorder(c),
                                                   "warehouse_task_id": "LAGER-7781"},
    M.WORKORDER_ASSIGNED: lambda c: {**_workorder(c), "assignee": "Elisør Elektro AS"},
    M.WORKORDER_REPORTED: lambda c: {**_workorder(c), "reading": _reading("0.0"),
                                     "documentation": [attachment("sluttkontroll.pdf")
                                                       .model_dump(mode="json")]},
    M.WORKORDER_CANCELLED: _workorder,
    M.WORKORDER_RELEASE_REQUESTED: _workorder,
    M.WORKORDER_CANCEL_REQUESTED: _workorder,
    M.WORKORDER_DEVIATION: lambda c: {**_workorder(c), "deviation": "Ingen tilgang til måler"},
    M.METERINGPOINT_UPDATED: lambda c: {"gsrn": _first_gsrn(c), "event": "new",
                                        "effective_at": T0.isoformat(),
                                        "meter_number": _meter(c), "settlement_method": "E02",
                                        "channel": {"product": "8716867000030", "unit": "kWh",
                                                    "direction": "Out",
                                                    "resolution": "PT15M"}},
    M.METERINGPOINT_ACKNOWLEDGED: lambda c: {"status": "39",
                                             "original_message_id": str(uuid.uuid5(_IDS, "mp"))},
    M.METERINGVALUES_COLLECTED: lambda c: {
        "gsrn": _first_gsrn(c), "day": "2024-03-13", "resolution": "PT15M",
        "observations": [{"position": i + 1, "quantity": str(Decimal("0.25") + i % 4)}
                         for i in range(96)]},
    M.INSTALLER_NOTIFIED: lambda c: {"recipient": "erik.johansson@bollerud-elektro.se",
                                     "status": "approved", "subject": "Installationsmedgivande"},
    M.SUPPLY_START_NOTIFIED: lambda c: _supply_notified("switch"),
    M.SUPPLY_END_NOTIFIED: lambda c: _supply_notified("rescission"),
    M.SUPPLY_START_CONFIRMED: lambda c: _supply_confirmed("switch"),
    M.SUPPLY_END_CONFIRMED: lambda c: _supply_confirmed("move_out"),
    M.SUPPLY_REGISTERED: lambda c: {
        "change": "start", "metering_point": SE_POINT, "reason": "switch",
        "effective_on": "2026-11-01", "supplier": "12345", "previous_supplier": "23456",
        "in_operation": True, "meter_number": "M-77", "grid_area": "XYZ",
        "case_reference": "SUP-CASE-1"},
    M.METERINGVALUES_MONTHLY: lambda c: {
        "gsrn": SE_POINT, "month": "2026-09-01", "meter_number": "M-77",
        "start_reading": "10230", "end_reading": "10655", "consumption_kwh": "425"},
    M.MARKET_ACKNOWLEDGED: lambda c: {
        "kind": "aperak", "status": "rejected", "codes": ["41"],
        "original_message_id": str(uuid.uuid5(_IDS, "e66")), "interchange_reference": "R1"},
    M.MARKET_INTERCHANGE_REJECTED: lambda c: {
        "raw": "UNA:+.? 'UNB+UNOC:3+12345:ZZ+54321:ZZ+261001:0930+X1'",
        "archived_as": "var/ediel/archive/x1.edi", "error": "truncated", "where": "segment 2",
        "syntax_error_code": "13"},
}

SE_POINT = "735999123456789018"  # the anläggnings-id of ediel-sweden.md's examples


def _supply_notified(reason: str) -> dict[str, Any]:
    return {"metering_point": SE_POINT, "reason": reason, "effective_on": "2026-11-01",
            "supplier": "12345", "grid_owner": "54321", "grid_area": "XYZ",
            "balance_responsible": "11111", "document_id": "SUP-Z03-1",
            "case_reference": "SUP-CASE-1",
            "customer": {"name": "Exempel AB", "organisation_number": "556677-8899"}}


def _supply_confirmed(reason: str) -> dict[str, Any]:
    return {"metering_point": SE_POINT, "reason": reason, "effective_on": "2026-11-01",
            "supplier": "12345", "grid_area": "XYZ", "case_reference": "SUP-CASE-1"}


def source_of(type_: str) -> str:
    for prefix in (type_, *(type_.rsplit(".", n)[0] for n in (1, 2))):
        if prefix in SOURCES:
            return SOURCES[prefix]
    return "test"


def envelope(type_: str, case: Case | None = None, *, payload: dict[str, Any] | None = None,
             case_id: str | None = None, source: str | None = None,
             occurred_at: datetime | None = None, step: int = 0, **fields: Any) -> Envelope:
    """An envelope of ``type_`` about ``case``. The payload defaults to a valid sample; the
    message id is derived from the content, so equal calls give equal (duplicate) messages.
    ``step`` moves the time forward by minutes, to order a sequence."""
    body = sample_payload(type_, case) if payload is None else payload
    ref = case_id or (case.case_id if case else "SE-1000")
    at = occurred_at or T0 + timedelta(minutes=step)
    digest = json.dumps(body, sort_keys=True, default=str)
    message_id = fields.pop("message_id", None) or str(
        uuid.uuid5(_IDS, f"{ref}/{type_}/{at.isoformat()}/{digest}"))
    return Envelope(message_id=message_id, case_id=ref, type=type_,
                    source=source or source_of(type_), occurred_at=at, payload=body, **fields)


def lifecycle(case: Case) -> list[Envelope]:
    """The happy path of a case with pre-notification, draft to archived, in order."""
    types = (M.CASE_SUBMITTED, M.CASE_APPROVED, M.CASE_COMPLETION_SUBMITTED,
             M.CASE_COMPLETION_APPROVED, M.CASE_ARCHIVED)
    return [envelope(t, case, step=i) for i, t in enumerate(types)]
