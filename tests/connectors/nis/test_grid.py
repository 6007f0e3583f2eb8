"""The NIS simulator's grid: plausible, deterministic physics."""

from decimal import Decimal

import pytest

from connectors.nis import grid
from schemas.identifiers import Gsrn
from tests.factories import swedish_case


def test_known_facilities_are_the_factories_with_valid_gsrns():
    facilities = grid.known_facilities()
    for facility_id in facilities:
        assert Gsrn(facility_id).reveal() == facility_id
    for seed in (0, 6):
        expected = swedish_case(seed).facilities[0]
        assert facilities[expected.facility_id.reveal()]["substation"] == expected.substation


def test_zn_and_ik_follow_distance_and_cable():
    t114 = grid.SUBSTATIONS["T114"]
    data = grid.answer("key-1", t114, 25)
    zn, ik = Decimal(data["zn"]), Decimal(data["ik"])
    cable = grid.CABLES[0]
    expected = t114.loop_mohm + 2 * cable.mohm_per_m * Decimal(data["distance"])
    assert zn == expected.quantize(Decimal("0.1"))
    assert ik == (Decimal(230) / zn).quantize(Decimal("0.01"))


def test_a_bigger_fuse_gets_a_bigger_cable_and_lower_impedance():
    t114 = grid.SUBSTATIONS["T114"]
    small, big = grid.answer("same", t114, 25), grid.answer("same", t114, 200)
    assert int(big["mm2"]) > int(small["mm2"])
    assert Decimal(big["zn"]) < Decimal(small["zn"])
    assert big["service_fuse"][1] == "3 x 200 A" and big["line_fuse"][1] == "3 x 250 A"


@pytest.mark.parametrize(("postcode", "substation"), [
    ("25221", "T114"), ("252 45", "T115"), ("4615", "T118"), ("99999", "T115")])
def test_postcode_areas(postcode, substation):
    assert grid.substation_for_postcode(postcode).name == substation


def test_fuse_beyond_the_transformer_is_not_connectable():
    t120 = grid.SUBSTATIONS["T120"]  # 100 kVA carries 144 A
    assert grid.answer("k", t120, 125)["decision"] == "ANSLUTNINGSBAR"
    refused = grid.answer("k", t120, 160)
    assert refused["decision"] == "EJ_ANSLUTNINGSBAR" and "160 A" in refused["info"]
