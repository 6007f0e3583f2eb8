"""Identifier types: check digits, forms, masking, and the full value on the wire."""

import copy
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from schemas.identifier_samples import (
    make_fodselsnummer,
    make_gln,
    make_gsrn,
    make_no_orgnummer,
    make_orgnummer,
    make_personnummer,
)
from schemas.identifiers import (
    Gln,
    Gsrn,
    IdentifierError,
    NoFodselsnummer,
    NoOrgnummer,
    OrganisationNumber,
    PersonalNumber,
    SeOrgnummer,
    SePersonnummer,
    gs1_check_digit,
    luhn_check_digit,
    luhn_ok,
    mask_digits,
    mod11_check_digit,
)

# ---------------------------------------------------------------- pure helpers


def test_gs1_check_digit_matches_the_worked_example():
    assert gs1_check_digit("70705750009876543") == 1
    assert gs1_check_digit("701234567890") == 8
    assert gs1_check_digit("871686700003") == 0


def test_luhn_on_known_numbers():
    assert luhn_ok("8112189876")  # the classic Skatteverket example
    assert not luhn_ok("8112189875")
    assert luhn_check_digit("811218987") == 6
    assert not luhn_ok("")
    assert not luhn_ok("81121898x6")


def test_mod11_on_known_numbers():
    assert mod11_check_digit("92360901", (3, 2, 7, 6, 5, 4, 3, 2)) == 6
    # a body whose remainder gives 10 has no valid control digit
    assert mod11_check_digit("00000040", (3, 2, 7, 6, 5, 4, 3, 2)) is None
    with pytest.raises(ValueError, match="weights"):
        mod11_check_digit("123", (1, 2))


def test_mask_digits_keeps_head_tail_and_separators():
    assert mask_digits("811218-9876") == "81xxxx-xx76"
    assert mask_digits("923609016") == "92xxxxx16"


# ---------------------------------------------------------------- GS1


@pytest.mark.parametrize("value", ["707057500098765431", "707057500000000018"])
def test_valid_gsrn(value):
    assert Gsrn(value) == value
    assert str(Gsrn(value)) == value  # not personal: never masked


def test_gsrn_wrong_check_digit_names_the_rule():
    with pytest.raises(IdentifierError, match="GSRN check digit is 0, expected 1"):
        Gsrn("707057500098765430")


@pytest.mark.parametrize(
    ("value", "reason"),
    [("70705750009876543", "must be 18 digits, got 17"), ("70705750009876543a", "only digits")],
)
def test_gsrn_shape_errors(value, reason):
    with pytest.raises(IdentifierError, match=reason):
        Gsrn(value)


def test_gln():
    assert Gln("7012345678908") == "7012345678908"
    with pytest.raises(IdentifierError, match="GLN check digit is 0, expected 8"):
        Gln("7012345678900")


# ---------------------------------------------------------------- Sweden


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("811218-9876", "811218-9876"),
        ("8112189876", "811218-9876"),
        ("198112189876", "198112189876"),
        ("19811218-9876", "198112189876"),
        ("811218+9876", "811218+9876"),
    ],
)
def test_personnummer_forms(value, stored):
    assert SePersonnummer(value).reveal() == stored


def test_personnummer_check_digit_error():
    with pytest.raises(IdentifierError, match="personnummer check digit is 5, expected 6"):
        SePersonnummer("811218-9875")


def test_personnummer_rejects_impossible_dates_and_shapes():
    with pytest.raises(IdentifierError, match="not a date"):
        SePersonnummer("811318-9870")
    with pytest.raises(IdentifierError, match="YYMMDD-NNNC or YYYYMMDDNNNC"):
        SePersonnummer("81121-89876")
    with pytest.raises(IdentifierError, match="only used with the 10-digit"):
        SePersonnummer("19811218+9876")


def test_personnummer_century_must_be_plausible():
    with pytest.raises(IdentifierError, match="century 29 is not 18, 19 or 20"):
        SePersonnummer("298112189876")


def test_samordningsnummer_day_plus_60():
    body = "811278987"  # born the 18th, written 78
    value = SePersonnummer(f"{body[:6]}-{body[6:]}{luhn_check_digit(body)}")
    assert value.is_coordination_number
    assert not SePersonnummer("811218-9876").is_coordination_number


def test_orgnummer():
    assert SeOrgnummer("5560360793").reveal() == "556036-0793"
    assert SeOrgnummer("556036-0793") == "556036-0793"
    with pytest.raises(IdentifierError, match="check digit is 4, expected 3"):
        SeOrgnummer("556036-0794")
    with pytest.raises(IdentifierError, match="third digit is 1, must be 2 or more"):
        SeOrgnummer("811218-9876")
    with pytest.raises(IdentifierError, match="NNNNNN-NNNN"):
        SeOrgnummer("55603-60793")


# ---------------------------------------------------------------- Norway


def test_fodselsnummer_and_d_number():
    plain = make_fodselsnummer(7)
    assert not plain.is_d_number
    d_number = make_fodselsnummer(7, d_number=True)
    assert d_number.is_d_number
    assert int(d_number.reveal()[:2]) > 40


def test_fodselsnummer_control_digit_errors_name_the_digit():
    good = make_fodselsnummer(1).reveal()
    k2_wrong = good[:10] + str((int(good[10]) + 1) % 10)
    with pytest.raises(IdentifierError, match="control digit 2 is"):
        NoFodselsnummer(k2_wrong)
    k1_wrong = good[:9] + str((int(good[9]) + 1) % 10) + good[10]
    with pytest.raises(IdentifierError, match="control digit 1 is"):
        NoFodselsnummer(k1_wrong)


def test_fodselsnummer_rejects_month_13():
    with pytest.raises(IdentifierError, match="not a date"):
        NoFodselsnummer("01139912345")


def test_no_orgnummer():
    assert NoOrgnummer("923 609 016").reveal() == "923609016"
    with pytest.raises(IdentifierError, match="control digit is 7, expected 6"):
        NoOrgnummer("923609017")


# ---------------------------------------------------------------- masking


MASKED_CASES = [
    (SePersonnummer("811218-9876"), "81xxxx-xx76"),
    (SePersonnummer("198112189876"), "19xxxxxx-xx76"),
    (SeOrgnummer("556036-0793"), "55xxxx-xx93"),
    (NoOrgnummer("923609016"), "92xxxxx16"),
]


@pytest.mark.parametrize(("value", "masked"), MASKED_CASES)
def test_personal_identifiers_mask_in_str_repr_and_format(value, masked):
    full = value.reveal()
    assert str(value) == masked
    assert repr(value) == f"{type(value).__name__}('{masked}')"
    assert f"{value}" == masked
    assert "%s" % value == masked  # noqa: UP031 - the old operator must mask too
    assert "{}".format(value) == masked  # noqa: UP032
    assert full not in repr([value]) and full not in str({"k": value})
    assert value == full  # equality and hashing use the full value
    assert hash(value) == hash(full)


class _Holder(BaseModel):
    personal: PersonalNumber
    organisation: OrganisationNumber
    gsrn: Gsrn


def _holder() -> _Holder:
    return _Holder(personal="811218-9876", organisation="923609016", gsrn="707057500098765431")


def test_models_show_masked_values_but_send_full_values():
    holder = _holder()
    assert "811218-9876" not in repr(holder) and "923609016" not in repr(holder)
    assert "81xxxx-xx76" in repr(holder)
    wire = holder.model_dump(mode="json")
    assert wire == {"personal": "811218-9876", "organisation": "923609016",
                    "gsrn": "707057500098765431"}
    assert json.loads(holder.model_dump_json()) == wire
    assert _Holder.model_validate(wire) == holder


def test_union_picks_the_country_type_and_survives_copies():
    holder = _holder()
    assert isinstance(holder.personal, SePersonnummer)
    assert isinstance(holder.organisation, NoOrgnummer)
    no = _Holder(personal=make_fodselsnummer(2).reveal(), organisation="556036-0793",
                 gsrn=make_gsrn(1))
    assert isinstance(no.personal, NoFodselsnummer)
    assert isinstance(no.organisation, SeOrgnummer)
    copied = copy.deepcopy(no)
    assert copied.personal.reveal() == no.personal.reveal()


def test_model_error_names_the_rule_without_the_value():
    with pytest.raises(ValidationError) as info:
        _Holder(personal="811218-9875", organisation="923609016", gsrn="707057500098765431")
    error = info.value.errors()[0]
    assert error["loc"][0] == "personal"
    assert "check digit is 5, expected 6" in error["msg"]
    assert "811218-9875" not in error["msg"]


def test_json_schema_carries_pattern():
    schema = _Holder.model_json_schema()
    assert schema["properties"]["gsrn"]["pattern"] == r"^\d{18}$"


# ---------------------------------------------------------------- generators + hypothesis

GENERATORS = {
    "gsrn_se": lambda s: make_gsrn(s),
    "gsrn_no": lambda s: make_gsrn(s, "707057500"),
    "gln": lambda s: make_gln(s),
    "personnummer": lambda s: make_personnummer(s),
    "personnummer_long": lambda s: make_personnummer(s, long_form=True),
    "samordningsnummer": lambda s: make_personnummer(s, coordination=True),
    "orgnummer": make_orgnummer,
    "fodselsnummer": make_fodselsnummer,
    "d_nummer": lambda s: make_fodselsnummer(s, d_number=True),
    "no_orgnummer": make_no_orgnummer,
}


def test_generators_are_deterministic_and_prefixed():
    assert make_gsrn(5) == make_gsrn(5) != make_gsrn(6)
    assert make_gsrn(5).startswith("735999")
    assert make_gsrn(5, "707057500").startswith("707057500")
    assert make_personnummer(3) == make_personnummer(3)


@given(st.integers(0, 10**9), st.sampled_from(sorted(GENERATORS)))
def test_generated_identifiers_validate(seed, name):
    value = GENERATORS[name](seed)
    assert type(value)(value.reveal()) == value


def _change_one_digit(value: str, position: int, delta: int) -> str:
    digit_positions = [i for i, ch in enumerate(value) if ch.isdigit()]
    i = digit_positions[position % len(digit_positions)]
    return value[:i] + str((int(value[i]) + delta) % 10) + value[i + 1 :]


@given(st.integers(0, 10**9), st.sampled_from(sorted(GENERATORS)), st.integers(0, 20),
       st.integers(1, 9))
def test_a_single_digit_change_breaks_every_identifier(seed, name, position, delta):
    value = GENERATORS[name](seed)
    if name == "personnummer_long":
        position = 2 + position % 10  # the century is outside the Luhn digits (tested below)
    changed = _change_one_digit(value.reveal(), position, delta)
    with pytest.raises(IdentifierError):
        type(value)(changed)
