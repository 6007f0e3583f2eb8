"""The connector's memory survives a restart: an APERAK to what an earlier process sent finds its
message and case, a missing one is still reported; who supplies a point (learnt from our Z04 and
Z05) addresses a day's values; a start of supply at a point without a meter waits for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.ediel import syntax
from hub.errors import InvalidMessage, TargetUnavailable
from schemas.envelope import Envelope
from tests.connectors.ediel.conftest import sample
from tests.connectors.ediel.test_connector import GSRN, Recorder, _connector, _drop, _values


def _aperak_to(raw: bytes) -> bytes:
    doc_id = syntax.read(raw).messages[0].segments[0].elements[1]
    return sample("aperak_utilts_positive").replace(b"GH-E66-20261015-0001", doc_id.encode())


def test_an_aperak_after_a_restart_finds_the_case_of_what_it_answers(tmp_path, smtp):
    box, port = smtp
    first = _connector(tmp_path, port)
    sent = _values(case_id="case-restart")
    first.deliver(sent)
    del first  # the process ends; a new one starts on the same data directory
    hub = Recorder()
    second = _connector(tmp_path, port, hub)
    _drop(tmp_path, "aperak.edi", _aperak_to(box.interchanges()[0]))
    second.poll_once()
    [ack] = hub.published
    assert (ack.type, ack.case_id, ack.payload["status"]) == \
        ("market.acknowledged", "case-restart", "accepted")
    assert ack.payload["original_message_id"] == sent.message_id
    # answered: not reported missing later, by this process or the next
    assert second.sent.overdue(datetime.now(UTC) + timedelta(hours=1)) == []


def test_a_missing_aperak_is_reported_after_a_restart_once(tmp_path, smtp):
    _, port = smtp
    _connector(tmp_path, port).deliver(_values(case_id="case-quiet"))
    later = datetime.now(UTC) + timedelta(minutes=31)
    [missing] = _connector(tmp_path, port).sent.overdue(later)
    assert missing.case_id == "case-quiet" and missing.payload["status"] == "missing"
    assert _connector(tmp_path, port).sent.overdue(later) == []


def test_an_overdue_report_the_hub_did_not_take_is_reported_again(tmp_path, smtp):
    _, port = smtp
    connector = _connector(tmp_path, port, Recorder(fail=True))
    connector.deliver(_values(case_id="case-down"))
    connector.sent.deadline = timedelta(0)
    with pytest.raises(Exception, match="broker down"):
        connector.poll_once()
    assert [m.case_id for m in connector.sent.overdue(datetime.now(UTC))] == ["case-down"]


def _confirmed(type_: str, supplier: str, on: str, reason: str = "switch") -> Envelope:
    return Envelope(case_id="SUP-1", type=type_, source="hub", payload={
        "metering_point": GSRN, "reason": reason, "effective_on": on, "supplier": supplier,
        "grid_area": "XYZ", "case_reference": "SUP-1"})


def test_values_go_to_the_supplier_of_their_day_as_our_z04_and_z05_said(tmp_path, smtp):
    box, port = smtp
    addresses = {"12345": "12345@ediel.test", "23456": "23456@ediel.test"}
    connector = _connector(tmp_path, port, suppliers={}, addresses=addresses)
    connector.deliver(_confirmed("supply.start.confirmed", "12345", "2026-10-14"))
    connector.deliver(_confirmed("supply.end.confirmed", "23456", "2026-10-14"))
    restarted = _connector(tmp_path, port, suppliers={}, addresses=addresses)
    for day in ("2026-10-13", "2026-10-14"):
        values = _values(case_id=f"v-{day}")
        restarted.deliver(values.model_copy(update={"payload": {**values.payload,
                                                                  "day": day}}))
    assert [m["To"] for m in box.mails] == ["12345@ediel.test", "23456@ediel.test",
                                            "23456@ediel.test", "12345@ediel.test"]


def test_values_before_any_known_supply_are_refused_naming_the_day(tmp_path, smtp):
    _, port = smtp
    connector = _connector(tmp_path, port, suppliers={})
    connector.deliver(_confirmed("supply.start.confirmed", "12345", "2026-11-01"))
    with pytest.raises(InvalidMessage, match="on 2026-10-14"):
        connector.deliver(_values())


def _registered() -> Envelope:
    return Envelope(case_id="SUP-NEW", type="supply.registered", source="kis", payload={
        "change": "start", "metering_point": GSRN, "reason": "move_in",
        "effective_on": "2026-10-01", "supplier": "12345", "in_operation": False,
        "case_reference": "SUP-NEW"})


def _mounted(on: str = "2026-10-20T08:00:00+00:00") -> Envelope:
    return Envelope(case_id="SE-10001", type="meteringpoint.updated", source="hub", payload={
        "gsrn": GSRN, "event": "new", "effective_at": on, "meter_number": "M-4711"})


def test_a_start_at_a_point_without_a_meter_is_confirmed_when_the_meter_is_up(tmp_path, smtp):
    box, port = smtp
    assert _connector(tmp_path, port).deliver(_registered()) == []
    assert box.mails == []  # no Z04 before the meter exists
    [confirmed] = _connector(tmp_path, port).deliver(_mounted())  # after a restart, too
    assert (confirmed.type, confirmed.case_id) == ("supply.start.confirmed", "SUP-NEW")
    assert confirmed.payload == {
        "metering_point": GSRN, "reason": "move_in", "supplier": "12345",
        "case_reference": "SUP-NEW", "grid_area": "XYZ", "meter_number": "M-4711",
        "effective_on": "2026-10-20"}  # not before the meter was mounted
    assert _connector(tmp_path, port).deliver(_mounted()) == []  # released once


def test_a_meter_mounted_before_the_start_arrives_confirms_it_at_once(tmp_path, smtp):
    _, port = smtp
    connector = _connector(tmp_path, port)
    assert connector.deliver(_mounted("2026-09-01T08:00:00+00:00")) == []
    [confirmed] = connector.deliver(_registered())
    assert confirmed.payload["meter_number"] == "M-4711"
    assert confirmed.payload["effective_on"] == "2026-10-01"


def test_a_withdrawn_start_forgets_its_supply_and_the_start_waiting_for_a_meter(tmp_path, smtp):
    _, port = smtp
    connector = _connector(tmp_path, port, suppliers={})
    connector.deliver(_registered())  # waits for the meter
    connector.deliver(_confirmed("supply.start.confirmed", "12345", "2026-10-01"))
    connector.deliver(_confirmed("supply.start.confirmed", "12345", "2026-10-01",
                                 reason="cancellation"))  # Z04C
    assert connector.deliver(_mounted()) == []  # nothing left to confirm
    with pytest.raises(InvalidMessage, match="no supplier known"):
        connector.deliver(_values())


def test_a_production_point_s_z04_is_reason_d_with_e18_and_its_values_say_e18(tmp_path, smtp):
    box, port = smtp
    connector = _connector(tmp_path, port, suppliers={})
    assert connector.deliver(_registered()) == []  # the buyer's Z03LK waits for the meter
    mounted = _mounted()
    [confirmed] = _connector(tmp_path, port, suppliers={}).deliver(mounted.model_copy(
        update={"payload": {**mounted.payload, "metering_point_type": "production"}}))
    assert (confirmed.payload["reason"], confirmed.payload["metering_point_type"]) == \
        ("production", "production")  # D, obligation to receive
    restarted = _connector(tmp_path, port, suppliers={})  # the type survives a restart
    restarted.deliver(confirmed)
    values = _values()
    restarted.deliver(values.model_copy(update={"payload": {**values.payload,
                                                              "day": "2026-10-20"}}))
    z04, utilts = (raw.decode("iso-8859-1") for raw in box.interchanges())
    assert "CCI++Z13'CAV+Z70'CCI+++E12::260'CAV+E18::260'" in z04
    assert "RFF+MG:M-4711'" in z04
    assert "CCI+++E12::260'CAV+E18::260'" in utilts


def test_a_switch_at_a_known_production_point_keeps_its_reason_and_says_e18(tmp_path, smtp):
    box, port = smtp
    connector = _connector(tmp_path, port, suppliers={})
    mounted = _mounted()
    connector.deliver(mounted.model_copy(update={"payload": {
        **mounted.payload, "metering_point_type": "production"}}))
    connector.deliver(_confirmed("supply.start.confirmed", "12345", "2026-11-01"))  # Z04L
    [z04] = box.interchanges()
    assert b"CCI++Z13'CAV+Z22'CCI+++E12::260'CAV+E18::260'" in z04


def test_a_consumption_point_s_z04_and_values_name_no_production(tmp_path, smtp):
    box, port = smtp
    connector = _connector(tmp_path, port, suppliers={})
    connector.deliver(_registered())
    [confirmed] = connector.deliver(_mounted())
    assert confirmed.payload["reason"] == "move_in"
    assert "metering_point_type" not in confirmed.payload
    connector.deliver(confirmed)
    [z04] = box.interchanges()
    assert b"CAV+Z23'" in z04 and b"CCI+++E12" not in z04


def test_an_interchange_the_mail_server_refused_is_not_awaited(tmp_path):
    connector = _connector(tmp_path, 1)  # nothing listens on port 1
    with pytest.raises(TargetUnavailable):
        connector.deliver(_values(case_id="case-unsent"))
    later = datetime.now(UTC) + timedelta(hours=1)
    assert connector.sent.overdue(later) == []  # no "missing APERAK" for a mail never sent
