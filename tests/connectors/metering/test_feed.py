"""The coordinator's HTTP event feed (events: http): read with a persisted cursor, nothing
lost or repeated across a connector restart, a bad event set aside without blocking."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from connectors.metering import MeteringConnector
from connectors.metering.simulator import MeteringSimulator
from hub.errors import ConfigurationError
from schemas.identifier_samples import make_gsrn
from tests.connectors.metering.conftest import TOKEN, RecordingInbound, settings_for, wait_until
from tests.factories import envelope, norwegian_case

GSRN = str(make_gsrn(17, prefix="707057"))


@pytest.fixture
def sim() -> Iterator[MeteringSimulator]:
    simulator = MeteringSimulator(token=TOKEN)  # no broker: the feed is the only way out
    simulator.start()
    yield simulator
    simulator.stop()


def feed_connector(sim: MeteringSimulator, inbound: RecordingInbound,
                   state_dir: Path) -> MeteringConnector:
    return MeteringConnector(settings_for(sim, "unused", events="http",
                                          events_poll_interval=0.05,
                                          state_dir=str(state_dir)), inbound)


def test_lifecycle_events_arrive_from_the_feed_in_order(
        sim: MeteringSimulator, tmp_path: Path) -> None:
    inbound = RecordingInbound()
    conn = feed_connector(sim, inbound, tmp_path)
    conn.start()
    try:
        request = envelope("workorder.requested", norwegian_case(seed=12))
        (created,) = conn.deliver(request)
        for _ in range(4):
            sim.advance(created.payload["workorder_id"])
        wait_until(lambda: len(inbound.messages) == 4, what="4 events from the feed")
    finally:
        conn.stop()
    assert inbound.types() == ["workorder.equipment.planned", "workorder.warehousetask.created",
                               "workorder.assigned", "workorder.reported"]
    assert {m.case_id for m in inbound.messages} == {request.case_id}
    cursor = json.loads((tmp_path / "metering-cursor.json").read_text())
    assert cursor["cursor"] == "4"


def test_a_restarted_connector_resumes_after_its_cursor(
        sim: MeteringSimulator, tmp_path: Path) -> None:
    first = RecordingInbound()
    conn = feed_connector(sim, first, tmp_path)
    conn.start()
    try:
        sim.publish_metering_values(GSRN, date(2026, 11, 20))
        wait_until(lambda: len(first.messages) == 1, what="the first values event")
    finally:
        conn.stop()
    # Published while the connector is away: must arrive after the restart, and only it.
    sim.publish_metering_values(GSRN, date(2026, 11, 21))
    second = RecordingInbound()
    again = feed_connector(sim, second, tmp_path)
    again.start()
    try:
        wait_until(lambda: len(second.messages) == 1, what="the event published while away")
        assert again.poller is not None and again.poller.poll_once() == 0
    finally:
        again.stop()
    assert [m.payload["day"] for m in first.messages + second.messages] == [
        "2026-11-20", "2026-11-21"]


def test_a_bad_event_is_set_aside_and_the_next_one_arrives(
        sim: MeteringSimulator, tmp_path: Path) -> None:
    inbound = RecordingInbound()
    conn = feed_connector(sim, inbound, tmp_path)
    sim.publish_raw(b'{"eventId": "ev-bad-1", "eventType": "TELEPORTED"}')
    sim.publish_raw(b"not json at all")
    sim.publish_metering_values(GSRN, date(2026, 11, 20))
    assert conn.poller is not None
    assert conn.poller.poll_once() == 3
    assert inbound.types() == ["meteringvalues.collected"]
    (first, _, source), (second, _, _) = inbound.rejected  # whole, for the dead-letter store
    assert json.loads(first) == {"seq": 1, "routingKey": "workorder.broken",
                                 "event": {"eventId": "ev-bad-1", "eventType": "TELEPORTED"}}
    assert json.loads(second)["event"] == "not json at all" and source == "metering"
    assert "eventType" in str(inbound.rejected[0][1])


def test_a_feed_entry_without_an_integer_seq_is_a_dead_letter_and_the_feed_moves_on(
        sim: MeteringSimulator, tmp_path: Path) -> None:
    inbound = RecordingInbound()
    conn = feed_connector(sim, inbound, tmp_path)
    for _ in range(3):
        sim.publish_metering_values(GSRN, date(2026, 11, 20))
    sim.broken_entries[2] = {"seq": "2"}  # the review's probe: one entry with a text seq
    assert conn.poller is not None
    assert conn.poller.poll_once() == 3
    assert len(inbound.messages) == 2  # entries 1 and 3
    ((body, error, source),) = inbound.rejected
    entry = json.loads(body)
    assert entry["seq"] == "2" and entry["event"]["eventType"] and source == "metering"
    assert "integer seq" in error.message and "events[1].seq" in (error.where or "")
    assert json.loads((tmp_path / "metering-cursor.json").read_text())["cursor"] == "3"
    sim.publish_metering_values(GSRN, date(2026, 11, 21))
    assert conn.poller.poll_once() == 1 and len(inbound.messages) == 3
    assert len(inbound.rejected) == 1


def test_a_bad_last_entry_is_stored_once_while_the_feed_waits_past_it(
        sim: MeteringSimulator, tmp_path: Path) -> None:
    inbound = RecordingInbound()
    conn = feed_connector(sim, inbound, tmp_path)
    sim.publish_metering_values(GSRN, date(2026, 11, 20))
    sim.broken_entries[1] = {"seq": None}
    assert conn.poller is not None
    conn.poller.poll_once()
    conn.poller.poll_once()
    assert len(inbound.rejected) == 1  # not a new dead letter at every poll
    sim.publish_metering_values(GSRN, date(2026, 11, 21))
    conn.poller.poll_once()
    assert len(inbound.messages) == 1
    assert json.loads((tmp_path / "metering-cursor.json").read_text())["cursor"] == "2"


def test_the_cursor_stays_when_the_hub_cannot_take_the_events(
        sim: MeteringSimulator, tmp_path: Path) -> None:
    inbound = RecordingInbound()
    inbound.fail_next = 1
    conn = feed_connector(sim, inbound, tmp_path)
    sim.publish_metering_values(GSRN, date(2026, 11, 20))
    assert conn.poller is not None
    with pytest.raises(ConnectionError):
        conn.poller.poll_once()
    assert conn.poller.state.cursor is None
    assert conn.poller.poll_once() == 1
    assert inbound.types() == ["meteringvalues.collected"]


def test_events_http_without_base_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        MeteringConnector({"events": "http"}, RecordingInbound())
    with pytest.raises(ConfigurationError, match="events: Input should be 'auto', 'amqp'"):
        MeteringConnector({"events": "pigeon", "base_url": "http://127.0.0.1:1"},
                          RecordingInbound())
