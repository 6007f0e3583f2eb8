"""The case model: combinations, per-country numbers, block notifications, strictness."""

import pytest
from pydantic import ValidationError

from schemas.case import Address, Case, Fuse, GridData, Party
from schemas.codes import VALID_JOB_TYPES, CaseFlag, InstallationType, JobType
from schemas.identifiers import NoFodselsnummer, SePersonnummer
from tests.factories import (
    block_case,
    grid_data,
    norwegian_case,
    swedish_case,
)


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.value.errors())


VALID = [(it, jt) for it, jobs in VALID_JOB_TYPES.items() for jt in sorted(jobs)]
INVALID = [(it, jt) for it in InstallationType for jt in JobType if jt not in VALID_JOB_TYPES[it]]


@pytest.mark.parametrize(("installation", "job"), VALID)
def test_valid_installation_and_job_combinations(installation, job):
    extra = {"temporary_kind": "connect"} if installation == InstallationType.temporary else {}
    case = swedish_case(installation_type=installation, job_type=job, **extra)
    assert (case.installation_type, case.job_type) == (installation, job)


@pytest.mark.parametrize(("installation", "job"), INVALID)
def test_invalid_combination_names_both(installation, job):
    extra = {"temporary_kind": "connect"} if installation == InstallationType.temporary else {}
    with pytest.raises(ValidationError) as info:
        swedish_case(installation_type=installation, job_type=job, **extra)
    text = _errors(info)
    assert f"job_type {job} ({job.label()})" in text
    assert f"installation_type {installation} ({installation.label()})" in text


def test_fuse_change_with_one_meter_is_refused_with_labels():
    with pytest.raises(ValidationError) as info:
        swedish_case(installation_type="fuse_change", job_type="single_meter")
    assert "(Anläggning med en mätare) is not offered for installation_type fuse_change " \
           "(Säkringsändring); allowed: fuse_downgrade, fuse_upgrade" in _errors(info)


def test_temporary_kind_only_for_temporary_installations():
    case = swedish_case(installation_type="temporary", job_type="construction_power",
                        temporary_kind="disconnect")
    assert case.temporary_kind.label() == "Bortkoppling"
    with pytest.raises(ValidationError, match="temporary_kind is required"):
        swedish_case(installation_type="temporary", job_type="construction_power")
    with pytest.raises(ValidationError, match="temporary_kind is required"):
        swedish_case(temporary_kind="connect")


def test_case_needs_network_area_or_postcode():
    assert norwegian_case().network_area is None  # located by postcode
    with pytest.raises(ValidationError, match="network_area or a postcode"):
        swedish_case(network_area=None)


def test_case_needs_a_facility():
    with pytest.raises(ValidationError) as info:
        swedish_case(facilities=[])
    assert _errors(info).startswith("facilities:")


def test_block_case_is_flagged():
    case = block_case(3)
    assert case.is_block
    assert CaseFlag.block_notification in case.flags
    assert len({f.facility_id for f in case.facilities}) == 3
    assert not swedish_case().is_block
    assert CaseFlag.block_notification not in swedish_case().flags


def test_flags_are_a_sorted_set():
    case = swedish_case(flags=["on_hold", "has_notes", "on_hold"])
    assert case.flags == [CaseFlag.has_notes, CaseFlag.on_hold]


def test_unknown_fields_are_refused_everywhere():
    data = swedish_case().model_dump(mode="json")
    data["facilities"][0]["colour"] = "red"
    with pytest.raises(ValidationError) as info:
        Case.model_validate(data)
    assert "facilities.0.colour: Extra inputs are not permitted" in _errors(info)


def test_json_round_trip_keeps_full_identifiers():
    case = norwegian_case()
    wire = case.model_dump(mode="json")
    fnr = wire["property_owner"]["personal_number"]
    assert len(fnr) == 11 and "x" not in fnr
    again = Case.model_validate(wire)
    assert again == case
    assert isinstance(again.property_owner.personal_number, NoFodselsnummer)


def test_case_repr_masks_personal_numbers():
    case = swedish_case()
    full = case.property_owner.personal_number.reveal()
    assert full not in repr(case)
    assert case.payer.organisation_number.reveal() not in repr(case)


# ---------------------------------------------------------------- parties and addresses

SE_ADDRESS = {"street": "Storgatan 1", "postcode": "252 21", "town": "Helsingborg"}


def test_swedish_postcode_space_is_dropped_and_length_checked():
    assert Address(**SE_ADDRESS).postcode == "25221"
    with pytest.raises(ValidationError, match="postcode for NO must be 4 digits"):
        Address(street="Elvegata 2", postcode="46100", town="Kristiansand", country="NO")


def test_private_party_cannot_have_an_organisation_number():
    with pytest.raises(ValidationError, match="private party has a personal_number"):
        Party(kind="private", name="Anna", address=SE_ADDRESS, organisation_number="556036-0793")


def test_company_party_cannot_have_a_personal_number():
    with pytest.raises(ValidationError, match="company party has an organisation_number"):
        Party(kind="company", name="AB", address=SE_ADDRESS, personal_number="811218-9876")


def test_party_number_must_fit_the_address_country():
    with pytest.raises(ValidationError, match="fødselsnummer is NO, address country is SE"):
        Party(kind="private", name="Ingrid", address=SE_ADDRESS,
              personal_number=norwegian_case().property_owner.personal_number.reveal())
    party = Party(kind="private", name="Anna", address=SE_ADDRESS, personal_number="8112189876")
    assert isinstance(party.personal_number, SePersonnummer)


def test_party_number_error_names_the_field_and_rule():
    with pytest.raises(ValidationError) as info:
        Party(kind="private", name="Anna", address=SE_ADDRESS, personal_number="811218-9875")
    text = _errors(info)
    assert text.startswith("personal_number.SE:")
    assert "check digit is 5, expected 6" in text


# ---------------------------------------------------------------- grid data


def test_grid_data_of_the_manual():
    data = grid_data()
    assert data.service.substation == "T114"
    assert data.service_fuse.rating == "6 x 250 A"
    assert str(data.short_circuit_current_ka) == "9.51"


@pytest.mark.parametrize(("raw", "normal"),
                         [("6X250A", "6 x 250 A"), ("6 x 315 A", "6 x 315 A"), ("25 A", "25 A")])
def test_fuse_rating_is_normalised(raw, normal):
    assert Fuse(rating=raw).rating == normal


def test_fuse_rating_must_look_like_a_rating():
    with pytest.raises(ValidationError, match="fuse rating must look like"):
        Fuse(rating="big")


def test_connection_fee_needs_a_currency():
    data = grid_data().model_dump(mode="json")
    data["currency"] = None
    with pytest.raises(ValidationError, match="connection_fee needs a currency"):
        GridData.model_validate(data)


def test_timestamps_need_a_time_zone():
    data = swedish_case().model_dump(mode="json")
    data["notes"] = [{"subject": "a", "text": "b", "author": "c", "at": "2024-03-14T10:00:00"}]
    with pytest.raises(ValidationError, match="time zone"):
        Case.model_validate(data)
