"""The Swedish market over Ediel, end to end on both brokers (issue 16's flows):

- a supplier switch received updates KIS, and both suppliers are told: Z04 to the new one with
  KIS's meter, Z05 to the one KIS named, each answered by CONTRL and APERAK;
- a day of quarter-hour values reaches the supplier of that day with its acknowledgement;
- a Swedish new installation ends with the supplier informed: its Z03 (move-in) waits for the
  meter and the Z04 goes out when the meter is mounted;
- a supplier's end of its contract (Z08) updates KIS and is confirmed with Z05;
- a negative APERAK becomes a dead letter with its code, and a case's puts the case on hold."""

from __future__ import annotations

import sqlite3
from datetime import date

from connectors.kis.sim_state import EXAMPLE_POINT as POINT
from connectors.kis.sim_state import EXAMPLE_SUPPLIER as OLD_SUPPLIER
from hub.app import build
from hub.demo.cases import swedish_case
from hub.demo.world import environment
from schemas.envelope import Envelope
from tests.flows.conftest import in_handler_queue, work_until

NEW_SUPPLIER = "12345"


def _prodat(d, to: str, function: str, point: str = POINT) -> list[dict]:
    return [r for r in d.world.ediel.snapshot()["received"]
            if r["to"] == to and function in r.get("functions", []) and point in r["raw"]]


def _switch(d):
    sim = d.world.ediel
    sim.send_start(POINT, date(2026, 11, 1), supplier=NEW_SUPPLIER)
    d.wait_for(lambda: _prodat(d, NEW_SUPPLIER, "Z04"), "the Z04 at the new supplier")
    d.wait_for(lambda: _prodat(d, OLD_SUPPLIER, "Z05"), "the Z05 at the old supplier")
    # both answered before a test changes how the suppliers answer (on a loaded machine the
    # APERAKs could otherwise come after a switch to "reject", and be rejections too)
    d.wait_for(lambda: _unanswered(d) == [], "the APERAKs to the Z04 and the Z05")
    return sim


def _unanswered(d) -> list[tuple]:
    """What the ediel connector sent and has no APERAK for (its state file)."""
    path = d.world.ediel_inbox.with_name("ediel-state.sqlite")
    with sqlite3.connect(path) as db:
        return db.execute("SELECT reference, case_id FROM sent WHERE aperak = 0").fetchall()


def _answered(d, reference: str) -> bool:
    path = d.world.ediel_inbox.with_name("ediel-state.sqlite")
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT aperak FROM sent WHERE reference = ?", (reference,)).fetchone()
    return row == (1,)


def test_a_supplier_switch_received_updates_kis_and_tells_both_suppliers(d):
    sim = _switch(d)
    assert d.world.kis.state.supplier_of(POINT) == NEW_SUPPLIER
    [change] = d.world.kis.state.data["supply_changes"].values()
    assert (change["change"], change["reason"], change["effective_on"]) == \
        ("START", "LEVERANTORSBYTE", "2026-11-01")
    [z04] = _prodat(d, NEW_SUPPLIER, "Z04")
    meter = d.world.kis.state.data["facilities"][POINT]["meter_number"]
    assert f"RFF+MG:{meter}'" in z04["raw"] and "DTM+92:202611010000:203'" in z04["raw"]
    [z05] = _prodat(d, OLD_SUPPLIER, "Z05")
    assert "DTM+93:202611010000:203'" in z05["raw"]
    received = sim.snapshot()["received"]
    assert received[0]["types"] == ["CONTRL"]  # our syntax answer to the Z03 came first
    assert any(r["types"] == ["APERAK"] for r in received)  # and the application answer
    d.wait_for(lambda: not _unanswered(d), "the suppliers' APERAKs to our Z04 and Z05")
    assert not d.store.dead_letters()


def test_a_day_of_quarter_hour_values_reaches_the_supplier_with_its_acknowledgement(d):
    sim = _switch(d)
    d.coordinator.publish_values(POINT, date(2026, 11, 1))  # the new supplier's first day
    [utilts] = d.wait_for(lambda: [r for r in sim.snapshot()["received"]
                                   if "UTILTS" in r["types"]], "the day's values")
    assert utilts["to"] == NEW_SUPPLIER
    assert "DTM+324:202611010000202611020000:719'" in utilts["raw"]
    assert utilts["raw"].count("QTY+136:") == 96
    d.wait_for(lambda: not _unanswered(d), "the supplier's APERAK matched to the values")
    assert not d.store.dead_letters()


def test_a_swedish_new_installation_ends_with_the_supplier_informed(d):
    case = swedish_case(2)
    gsrn = case.facilities[0].facility_id.reveal()
    d.known_to_kis(case)  # the facility exists in KIS, with no meter in operation yet
    d.installer.submit(case)
    d.wait_for(lambda: case.case_id in d.handler.waiting(), "the case in the handler queue")
    # the customer's chosen supplier notifies the move-in before the meter is up
    d.world.ediel.send_start(gsrn, date(2024, 4, 1), reason="Z23", supplier=NEW_SUPPLIER)
    d.wait_for(lambda: d.world.kis.state.supplier_of(gsrn) == NEW_SUPPLIER, "KIS updated")
    d.handler.approve(case.case_id)
    d.wait_status(case.case_id, "approved")
    assert not _prodat(d, NEW_SUPPLIER, "Z04", gsrn)  # no confirmation without a meter
    d.installer.complete(case)
    d.wait_for(lambda: in_handler_queue(d, case.case_id), "the completion in the handler queue")
    d.handler.approve_completion(case.case_id)  # its approval releases the meter job
    work_until(d, case.case_id, "archived")
    [z04] = d.wait_for(lambda: _prodat(d, NEW_SUPPLIER, "Z04", gsrn), "the Z04 at the supplier")
    assert "CAV+Z23'" in z04["raw"] and "RFF+MG:" in z04["raw"]  # move-in, with the meter
    d.wait_for(lambda: not _unanswered(d), "the supplier's APERAK to the Z04")
    assert not d.store.dead_letters()


def test_a_suppliers_end_of_contract_updates_kis_and_is_confirmed_with_z05(d):
    d.world.ediel.send_end(POINT, date(2026, 12, 31), supplier=OLD_SUPPLIER)  # Z08H
    [z05] = d.wait_for(lambda: _prodat(d, OLD_SUPPLIER, "Z05"), "the Z05 at the supplier")
    assert "CAV+Z25'" in z05["raw"] and "DTM+93:202612310000:203'" in z05["raw"]
    assert d.world.kis.state.supplier_of(POINT) is None
    [change] = d.world.kis.state.data["supply_changes"].values()
    assert (change["change"], change["reason"]) == ("SLUT", "HAVNING")
    d.wait_for(lambda: not _unanswered(d), "the supplier's APERAK to the Z05")
    assert not d.store.dead_letters()


def test_an_aperak_after_a_hub_restart_is_matched_to_what_the_hub_sent_before(d):
    sim = _switch(d)
    d.wait_for(lambda: not _unanswered(d), "the APERAKs to the Z04 and Z05")
    sim.fail("no-answer")
    d.coordinator.publish_values(POINT, date(2026, 11, 3))
    [utilts] = d.wait_for(lambda: [r for r in sim.snapshot()["received"]
                                   if "UTILTS" in r["types"]], "the day's values")
    assert [ref for ref, _ in _unanswered(d)] == [utilts["reference"]]
    d.hub.stop(15)  # the hub process ends with the values unanswered ...
    with environment(d.world.environment()):
        d.hub = build(d.settings)  # ... and a new one starts on the same data
    try:
        d.hub.start()
        sim.fail("none")
        sim.take(utilts["raw"].encode("iso-8859-1"))  # the supplier answers late
        d.wait_for(lambda: _answered(d, utilts["reference"]),
                   "the late APERAK matched by the new process")
        assert not d.store.dead_letters()
    finally:
        d.hub.stop(15)


def test_negative_aperak_is_a_dead_letter_with_its_code(d):
    sim = _switch(d)
    sim.fail("reject")
    d.coordinator.publish_values(POINT, date(2026, 11, 2))

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
