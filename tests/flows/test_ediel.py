"""The Swedish market over Ediel, end to end on both brokers: a supplier's switch (Z03) reaches
the hub and is confirmed (Z04) with CONTRL and APERAK both ways; a day of quarter-hour values of
that point reaches the supplier as UTILTS with its acknowledgement; a negative APERAK becomes a
dead letter with its code."""

from __future__ import annotations

from datetime import date

from hub.demo.cases import swedish_case
from schemas.envelope import Envelope

POINT = "735999123456789018"


def _switch(d):
    sim = d.world.ediel
    sim.send_start(POINT, date(2026, 11, 1))
    d.wait_for(lambda: any("PRODAT" in r["types"] for r in sim.snapshot()["received"]),
               "the Z04 at the supplier")
    return sim


def test_supplier_switch_confirmed_and_values_acknowledged(d):
    sim = _switch(d)
    received = sim.snapshot()["received"]
    assert received[0]["types"] == ["CONTRL"]  # our syntax answer to the Z03 came first
    assert any(r["types"] == ["APERAK"] for r in received)
    d.coordinator.publish_values(POINT, date(2026, 10, 14))
    d.wait_for(lambda: any("UTILTS" in r["types"] for r in sim.snapshot()["received"]),
               "the day's values at the supplier")
    d.wait_for(lambda: len([a for a in sim.snapshot()["answered"]
                            if a["kind"] == "aperak-none"]) == 2, "APERAKs to Z04 and UTILTS")
    assert not d.store.dead_letters()


def test_negative_aperak_is_a_dead_letter_with_its_code(d):
    sim = _switch(d)
    sim.fail("reject")
    d.coordinator.publish_values(POINT, date(2026, 10, 15))

    def rejected():
        return [x for x in d.store.dead_letters() if x.connector == "ediel"]

    [dead] = d.wait_for(rejected, "the supplier's rejection in the dead letters")
    assert "APERAK 41" in dead.exception_message


def test_a_rejection_of_a_cases_market_message_puts_the_case_on_hold(d):
    case = swedish_case(21)
    d.known_to_kis(case)
    d.installer.submit(case)
    d.wait_for(lambda: d.status(case.case_id) is not None, "the case in the hub")
    d.hub.inbound.publish([Envelope(
        case_id=case.case_id, type="market.acknowledged", source="ediel",
        payload={"kind": "aperak", "status": "rejected", "codes": ["42"],
                 "original_message_id": "m-1", "interchange_reference": "GH1",
                 "text": "Felaktigt värde"})])
    d.wait_for(lambda: "on_hold" in d.case(case.case_id).state["flags"], "case on hold")
    [dead] = [x for x in d.store.dead_letters() if x.connector == "ediel"]
    assert "APERAK 42" in dead.exception_message
