"""Realistic Swedish and Norwegian cases for the demo and the flow tests.

Every identifier is generated with a valid check digit from a number, so the same number gives
the same case in every run. Names and addresses are invented. ``kis_records`` is what the grid
owner's customer register knows about a case's facility, to seed the KIS simulator with.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import Any

from schemas.case import (
    Address,
    AttachmentRef,
    Case,
    Facility,
    GridOwner,
    InstallerCompany,
    Party,
    Person,
)
from schemas.codes import Country, DocumentKind, Language, PartyKind
from schemas.identifier_samples import (
    make_fodselsnummer,
    make_gln,
    make_gsrn,
    make_no_orgnummer,
    make_orgnummer,
    make_personnummer,
)
from schemas.identifiers import Gsrn

SE_GSRN_PREFIX = "735999"
NO_GSRN_PREFIX = "707057500"
_SE_STREETS = ("Storgatan", "Drottninggatan", "Rönnvägen", "Kullagatan", "Björkgatan")
_NO_STREETS = ("Dronningens gate", "Markens gate", "Tordenskjolds gate", "Elvegata")
_SE_OWNERS = ("Anna Lindqvist", "Lars Persson", "Karin Nilsson", "Johan Berg", "Eva Sandberg")
_NO_OWNERS = ("Ingrid Berg", "Ola Hansen", "Kari Nordmann", "Per Olsen")
# Postcodes the NIS simulator's substations serve (the connection point is found by postcode
# when NIS does not know the facility).
_SE_POSTCODES = ("25221", "25301", "25401", "25601", "25701")
_NO_POSTCODES = ("4610", "4620", "4631")


P0_DOCUMENTS = (DocumentKind.final_check, DocumentKind.declaration_of_conformity,
                DocumentKind.photo)
"""What an installer attaches to a completion notice: the P0 agreement's documentation."""
_FILES = {DocumentKind.final_check: ("sluttkontroll", "application/pdf"),
          DocumentKind.declaration_of_conformity: ("samsvarserklaering", "application/pdf"),
          DocumentKind.photo: ("maalerskap", "image/jpeg"),
          DocumentKind.site_plan: ("situationsplan", "application/pdf"),
          DocumentKind.other: ("bilaga", "application/pdf")}


def documentation(case: Case, kinds: Iterable[DocumentKind]) -> list[AttachmentRef]:
    """One attachment (a reference: name, type, size, hash) per kind, for ``case``."""
    refs: list[AttachmentRef] = []
    for kind in kinds:
        stem, media_type = _FILES[kind]
        digest = hashlib.sha256(f"{case.case_id}/{kind}".encode()).hexdigest()
        extension = "jpg" if media_type == "image/jpeg" else "pdf"
        refs.append(AttachmentRef(name=f"{stem}-{case.reference}.{extension}",
                                  media_type=media_type, size=40_000 + len(refs),
                                  sha256=digest, kind=kind))
    return refs


def _address(n: int, country: str) -> Address:
    if country == "SE":
        return Address(street=f"{_SE_STREETS[n % 5]} {n % 40 + 1}",
                       postcode=_SE_POSTCODES[n % len(_SE_POSTCODES)], town="Helsingborg",
                       country=Country.SE)
    return Address(street=f"{_NO_STREETS[n % 4]} {n % 30 + 1}",
                   postcode=_NO_POSTCODES[n % len(_NO_POSTCODES)], town="Kristiansand",
                   country=Country.NO)


def production_point(n: int, country: str = "SE") -> Gsrn:
    """The production metering point (innmating) of plus customer ``n``."""
    return make_gsrn(700_000 + n, SE_GSRN_PREFIX if country == "SE" else NO_GSRN_PREFIX)


def facility(n: int, country: str = "SE", *, main_fuse_a: int = 25) -> Facility:
    """Facility ``n``: a GSRN, meter and customer number no other ``n`` shares."""
    prefix = SE_GSRN_PREFIX if country == "SE" else NO_GSRN_PREFIX
    return Facility(facility_id=make_gsrn(500_000 + n, prefix),
                    meter_number=f"{(8_100_000 if country == 'SE' else 9_100_000) + n}",
                    technical_number=f"T-{60_000 + n}", customer_number=f"{770_000 + n}",
                    substation=f"T{114 + n % 7}", purchase_order_number=f"PO-{9000 + n}",
                    address=_address(n, country), meter_placement="Mätarskåp i fasad",
                    main_fuse_a=main_fuse_a, ready_on=date(2024, 5, 20))


def swedish_case(n: int, *, installation_type: str = "new_installation",
                 job_type: str = "single_meter", main_fuse_a: int = 25,
                 **overrides: Any) -> Case:
    """Swedish case ``n`` (case id ``SE-<10000+n>``), a private owner and a company payer."""
    address = _address(n, "SE")
    base: dict[str, Any] = {
        "case_id": f"SE-{10_000 + n}", "reference": f"MEE{20_000 + n}",
        "received_on": date(2024, 3, 14),
        "grid_owner": GridOwner(name="Helsingborgs Nät AB", gln=make_gln(0),
                                country=Country.SE),
        "installer_company": InstallerCompany(
            name="Bollérud Elektro AB", organisation_number=make_orgnummer(100 + n % 7),
            email="info@bollerud-elektro.se", phone="042-123 45 67"),
        "installer": Person(name="Erik Johansson", email=f"installator{n}@bollerud-elektro.se",
                            phone="070-123 45 67", language=Language.sv),
        "handler": Person(name="Maria Holm", email="maria.holm@helsingborgsnat.se"),
        "installation_type": installation_type, "job_type": job_type,
        "network_area": "Helsingborg", "municipality": "Helsingborg",
        "facilities": [facility(n, "SE", main_fuse_a=main_fuse_a)],
        "property_owner": Party(kind=PartyKind.private, name=_SE_OWNERS[n % 5], address=address,
                                personal_number=make_personnummer(n), phone="070-765 43 21"),
        "payer": Party(kind=PartyKind.company, name="Lindqvist Fastigheter AB", address=address,
                       organisation_number=make_orgnummer(n), invoice_reference="Projekt"),
    }
    if installation_type == "temporary":
        base["temporary_kind"] = "connect"
    return Case.model_validate({**base, **overrides})


def norwegian_case(n: int, *, installation_type: str = "new_installation",
                   job_type: str = "single_meter", main_fuse_a: int = 25,
                   **overrides: Any) -> Case:
    """Norwegian case ``n`` (case id ``NO-<20000+n>``): fødselsnummer, organisasjonsnummer."""
    address = _address(n, "NO")
    base: dict[str, Any] = {
        "case_id": f"NO-{20_000 + n}", "reference": f"SNS{30_000 + n}",
        "received_on": date(2024, 3, 14),
        "grid_owner": GridOwner(name="Sørlandsnett AS", gln=make_gln(0, "707057"),
                                country=Country.NO),
        "installer_company": InstallerCompany(
            name="Elisør Elektro AS", organisation_number=make_no_orgnummer(100 + n % 7),
            email="post@elisor-elektro.no", phone="+47 38 12 34 56"),
        "installer": Person(name="Ola Nordmann", email=f"montor{n}@elisor-elektro.no",
                            phone="+47 912 34 567", language=Language.nb),
        "handler": Person(name="Kari Hansen", email="kari.hansen@sorlandsnett.no",
                          language=Language.nb),
        "installation_type": installation_type, "job_type": job_type,
        "postcode": address.postcode, "municipality": "Kristiansand",
        "facilities": [facility(n, "NO", main_fuse_a=main_fuse_a)],
        "property_owner": Party(kind=PartyKind.private, name=_NO_OWNERS[n % 4], address=address,
                                personal_number=make_fodselsnummer(n), phone="+47 987 65 432"),
        "payer": Party(kind=PartyKind.company, name="Berg Eiendom AS", address=address,
                       organisation_number=make_no_orgnummer(n)),
    }
    if installation_type == "temporary":
        base["temporary_kind"] = "connect"
    return Case.model_validate({**base, **overrides})


def case_for(n: int, country: str, **kwargs: Any) -> Case:
    return (swedish_case if country == "SE" else norwegian_case)(n, **kwargs)


def kis_records(case: Case) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(facility, customer) records of the KIS simulator's register for ``case``'s facilities:
    the grid owner's customer register knows the property owner."""
    owner = case.property_owner
    out = []
    for fac in case.facilities:
        if fac.facility_id is None or fac.address is None or fac.customer_number is None:
            continue
        address = fac.address.model_dump(mode="json")
        facility_rec = {"facility_id": fac.facility_id.reveal(),
                        "meter_number": fac.meter_number,
                        "technical_number": fac.technical_number,
                        "customer_number": fac.customer_number,
                        "substation": fac.substation, "address": address,
                        "main_fuse_a": fac.main_fuse_a or 25,
                        # a new installation's facility has no meter in operation until
                        # the customer is registered at completion
                        "in_operation": case.installation_type != "new_installation"}
        customer = {"kind": "P", "name": owner.name if owner else "Okänd kund",
                    "address": address, "customer_number": fac.customer_number,
                    "phone": "070-765 43 21"}
        if owner is not None and owner.personal_number is not None:
            customer["personal_number"] = owner.personal_number.reveal()
        out.append((facility_rec, customer))
    return out
