"""The overwrite rule of "Hämta anl-data" (seeds 000 §8.2 and 001), exhaustively."""

import copy
import itertools

import pytest

from connectors.kis.merge import merge_lookup
from schemas.case import Case
from schemas.identifier_samples import make_personnummer
from tests.factories import block_case, gsrn, swedish_case

NEW_ADDRESS = {"street": "Kullagatan 7", "postcode": "25229", "town": "Helsingborg",
               "country": "SE"}
FETCHED = {"facility_id": gsrn(7).reveal(), "meter_number": "7359999",
           "technical_number": "T-40999", "customer_number": "990001", "substation": "T119",
           "address": NEW_ADDRESS, "main_fuse_a": 35}
CUSTOMER = {"kind": "private", "name": "Lars Persson", "address": NEW_ADDRESS,
            "phone": "070-555 12 34", "email": "lars.persson@example.se",
            "customer_number": "990001"}
ALWAYS = ("facility_id", "technical_number", "meter_number")
OTHERS = ("customer_number", "substation", "address", "main_fuse_a")


def _case(**overrides):
    return swedish_case(**overrides).model_dump(mode="json")


def _answer(facility=None, customer=None, status=100):
    if status != 100:
        return {"status_code": status, "status_text": "Mätarnumret finns inte",
                "overwrite": True, "facility": None, "customer": None}
    return {"status_code": 100, "status_text": "Träff", "overwrite": True,
            "facility": dict(FETCHED) if facility is None else facility,
            "customer": customer}


@pytest.mark.parametrize("overwrite", [True, False])
def test_a_miss_changes_nothing(overwrite):
    case = _case()
    merged = merge_lookup(case, _answer(status=201), overwrite)
    assert merged == case
    assert merged is not case


@pytest.mark.parametrize("overwrite", [True, False])
def test_inputs_are_not_changed(overwrite):
    case, answer = _case(), _answer(customer=dict(CUSTOMER))
    before = copy.deepcopy((case, answer))
    merge_lookup(case, answer, overwrite)
    assert (case, answer) == before


# Every facility field x overwrite yes/no x case field filled/empty x answer has it or not.
_MATRIX = list(itertools.product(ALWAYS + OTHERS, [True, False], [True, False], [True, False]))


@pytest.mark.parametrize(("name", "overwrite", "case_filled", "answer_has"), _MATRIX)
def test_overwrite_rule_per_field(name, overwrite, case_filled, answer_has):
    case = _case()
    original = case["facilities"][0][name]
    assert original not in (None, FETCHED[name])
    if not case_filled:
        case["facilities"][0][name] = None
    fetched = dict(FETCHED)
    if not answer_has:
        del fetched[name]
    merged = merge_lookup(case, _answer(fetched), overwrite)
    result = merged["facilities"][0][name]
    case_value = original if case_filled else None
    if name in ALWAYS:  # always overwritten; cleared when KIS has none
        expected = FETCHED[name] if answer_has else None
    elif not answer_has:
        expected = case_value
    elif overwrite or not case_filled:
        expected = FETCHED[name]
    else:
        expected = case_value
    assert result == expected


def test_no_keeps_the_whole_address_rather_than_mixing_two():
    case = _case()
    mine = case["facilities"][0]["address"]
    merged = merge_lookup(case, _answer(), overwrite=False)
    assert merged["facilities"][0]["address"] == mine


def test_an_empty_string_counts_as_empty():
    case = _case()
    case["facilities"][0]["substation"] = ""
    assert merge_lookup(case, _answer(), False)["facilities"][0]["substation"] == "T119"


def test_customer_number_falls_back_to_the_customers():
    case = _case()
    case["facilities"][0]["customer_number"] = None
    fetched = {k: v for k, v in FETCHED.items() if k != "customer_number"}
    merged = merge_lookup(case, _answer(fetched, dict(CUSTOMER)), False)
    assert merged["facilities"][0]["customer_number"] == "990001"


def test_fields_kis_does_not_own_are_kept():
    case = _case()
    merged = merge_lookup(case, _answer(), overwrite=True)
    facility = merged["facilities"][0]
    for name in ("purchase_order_number", "meter_placement", "ready_on"):
        assert facility[name] == case["facilities"][0][name]
    assert merged["payer"] == case["payer"]


# -- which facility of a block case ----------------------------------------------------------

def test_block_case_matches_the_facility_id():
    case = block_case(3).model_dump(mode="json")
    target = case["facilities"][1]
    fetched = {**FETCHED, "facility_id": target["facility_id"]}
    merged = merge_lookup(case, _answer(fetched), overwrite=True)
    assert merged["facilities"][1]["substation"] == "T119"
    assert merged["facilities"][0] == case["facilities"][0]
    assert merged["facilities"][2] == case["facilities"][2]


def test_block_case_matches_the_meter_number():
    case = block_case(3).model_dump(mode="json")
    fetched = {**FETCHED, "meter_number": case["facilities"][2]["meter_number"]}
    merged = merge_lookup(case, _answer(fetched), overwrite=True)
    assert merged["facilities"][2]["facility_id"] == FETCHED["facility_id"]
    assert merged["facilities"][:2] == case["facilities"][:2]


def test_block_case_fills_a_blank_facility():
    case = block_case(3).model_dump(mode="json")
    case["facilities"][1]["facility_id"] = case["facilities"][1]["meter_number"] = None
    merged = merge_lookup(case, _answer(), overwrite=False)
    assert merged["facilities"][1]["facility_id"] == FETCHED["facility_id"]
    assert len(merged["facilities"]) == 3


def test_block_case_appends_rather_than_overwrite_another_facility():
    case = block_case(2).model_dump(mode="json")
    merged = merge_lookup(case, _answer(), overwrite=True)
    assert merged["facilities"][:2] == case["facilities"]
    assert merged["facilities"][2]["facility_id"] == FETCHED["facility_id"]
    Case.model_validate(merged)


def test_single_facility_case_is_the_target_whatever_its_ids():
    merged = merge_lookup(_case(), _answer(), overwrite=False)
    assert len(merged["facilities"]) == 1
    assert merged["facilities"][0]["meter_number"] == "7359999"


# -- the customer becomes the property owner; personal numbers never come from KIS ------------

def test_owner_is_created_without_a_personal_number():
    case = _case(property_owner=None)
    merged = merge_lookup(case, _answer(customer=dict(CUSTOMER)), overwrite=False)
    owner = merged["property_owner"]
    assert owner["name"] == "Lars Persson" and owner["address"] == NEW_ADDRESS
    assert "personal_number" not in owner and "customer_number" not in owner
    Case.model_validate(merged)


def test_yes_replaces_the_owner_and_drops_the_old_persons_number():
    case = _case()
    merged = merge_lookup(case, _answer(customer=dict(CUSTOMER)), overwrite=True)
    owner = merged["property_owner"]
    assert owner["name"] == "Lars Persson" and owner["phone"] == "070-555 12 34"
    assert owner["personal_number"] is None


def test_yes_keeps_the_number_of_the_same_party():
    case = _case()
    same = {**CUSTOMER, "name": case["property_owner"]["name"]}
    merged = merge_lookup(case, _answer(customer=same), overwrite=True)
    assert merged["property_owner"]["personal_number"] == case["property_owner"][
        "personal_number"]
    assert merged["property_owner"]["phone"] == "070-555 12 34"


def test_no_keeps_the_owner_and_fills_only_empty_fields():
    case = _case()
    case["property_owner"]["email"] = None
    merged = merge_lookup(case, _answer(customer=dict(CUSTOMER)), overwrite=False)
    owner = merged["property_owner"]
    assert owner["name"] == case["property_owner"]["name"]
    assert owner["personal_number"] == case["property_owner"]["personal_number"]
    assert owner["email"] == "lars.persson@example.se"


def test_a_number_in_the_answer_is_never_taken():
    case = _case(property_owner=None)
    leaked = {**CUSTOMER, "personal_number": make_personnummer(5).reveal()}
    merged = merge_lookup(case, _answer(customer=leaked), overwrite=True)
    assert "personal_number" not in merged["property_owner"]


def test_a_company_replacing_a_private_owner_still_validates():
    company = {**CUSTOMER, "kind": "company", "name": "Kullabygdens Bostäder AB"}
    merged = merge_lookup(_case(), _answer(customer=company), overwrite=True)
    owner = Case.model_validate(merged).property_owner
    assert owner is not None and owner.kind == "company" and owner.personal_number is None


@pytest.mark.parametrize("overwrite", [True, False])
def test_result_is_a_valid_case(overwrite):
    merged = merge_lookup(_case(), _answer(customer=dict(CUSTOMER)), overwrite)
    Case.model_validate(merged)
