"""The connector against the Ediel simulator on loopback: its answers in each failure mode come
back through the gateway directory as market.acknowledged; its PRODAT as supply messages."""

from __future__ import annotations

from datetime import date

import pytest

from connectors.ediel import EdielConnector
from connectors.ediel.simulator import EdielSimulator
from hub.errors import TargetRejected, TargetUnavailable
from tests.connectors.ediel.test_connector import GSRN, Recorder, _values


@pytest.fixture
def world(tmp_path):
    sim = EdielSimulator(reply_dir=tmp_path / "inbox").start()
    hub = Recorder()
    connector = EdielConnector({
        "grid_owners": [{"ediel_id": "54321", "grid_areas": ["XYZ"]}],
        "addresses": {"12345": "12345@ediel.test"}, "smtp_port": sim.port,
        "inbox": str(tmp_path / "inbox"), "poll_interval": 0,
        "suppliers": {GSRN: "12345"}}, hub)
    yield sim, connector, hub
    sim.stop()


def _acks(hub):
    return [(m.payload["kind"], m.payload["status"], m.payload.get("codes", []))
            for m in hub.published if m.type == "market.acknowledged"]


def test_values_acknowledged_positively(world):
    sim, connector, hub = world
    connector.deliver(_values(case_id="case-1"))
    assert sim.snapshot()["received"][0]["types"] == ["UTILTS"]
    assert connector.poll_once() == 2
    assert sorted(_acks(hub)) == [("aperak", "accepted", []), ("contrl", "accepted", [])]
    assert {m.case_id for m in hub.published} == {"case-1"}


@pytest.mark.parametrize(("mode", "expected"), [
    ("reject", [("aperak", "rejected", ["41"]), ("contrl", "accepted", [])]),
    ("syntax-error", [("contrl", "rejected", ["29"])]),
])
def test_negative_answers_become_permanent_failures(world, mode, expected):
    sim, connector, hub = world
    sim.fail(mode)
    connector.deliver(_values(case_id="case-2"))
    connector.poll_once()
    assert sorted(_acks(hub)) == expected
    rejected = [m for m in hub.published if m.payload["status"] == "rejected"]
    with pytest.raises(TargetRejected):
        connector.deliver(rejected[0])


def test_no_answer_leaves_the_interchange_waiting(world):
    sim, connector, hub = world
    sim.fail("no-answer")
    connector.deliver(_values(case_id="case-3"))
    assert connector.poll_once() == 0 and hub.published == []
    assert len(sim.snapshot()["received"]) == 1


def test_simulator_down_is_transient(world):
    sim, connector, _ = world
    sim.fail("down")
    with pytest.raises(TargetUnavailable):
        connector.deliver(_values())


def test_supplier_switch_reaches_the_hub_and_is_answered(world):
    sim, connector, hub = world
    case = sim.send_start("735999123456789018", date(2026, 11, 1))
    connector.poll_once()
    [notified] = [m for m in hub.published if m.type == "supply.start.notified"]
    assert notified.case_id == case and notified.payload["balance_responsible"] == "11111"
    received = sim.snapshot()["received"]
    assert [r["types"] for r in received] == [["CONTRL"], ["APERAK"]]


def test_end_of_supply(world):
    sim, connector, hub = world
    sim.send_end("735999123456789018", date(2026, 12, 31))
    connector.poll_once()
    [ended] = [m for m in hub.published if m.type == "supply.end.notified"]
    assert ended.payload["reason"] == "rescission"
    assert ended.payload["effective_on"] == "2026-12-31"
