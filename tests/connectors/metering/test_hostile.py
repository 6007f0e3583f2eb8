"""Hostile input to the metering connector: every bad document is an InvalidMessage naming
what and where (never a crash, never the offending personal value), and the next good
document still translates; on the feed, a bad event is set aside and the good one arrives."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from connectors.metering import MeteringConnector, lifecycle, wire
from connectors.metering.simulator import MeteringSimulator
from hub.errors import InvalidMessage, TargetRejected
from schemas.identifier_samples import make_gsrn
from tests.connectors.metering.conftest import TOKEN, RecordingInbound, settings_for
from tests.support.canned import canned

GSRN = make_gsrn(31, prefix="707057").reveal()
DAY = date(2024, 3, 13)


def good() -> dict[str, Any]:
    return lifecycle.values_event(GSRN, DAY)


def changed(change: Callable[[dict[str, Any]], None]) -> bytes:
    event = good()
    change(event)
    return json.dumps(event).encode()


def _bad_check_digit(e: dict[str, Any]) -> None:
    digits = e["meteringPoint"]["gsrn"]
    e["meteringPoint"]["gsrn"] = digits[:-1] + str((int(digits[-1]) + 1) % 10)


HOSTILE: dict[str, tuple[bytes, str, str]] = {
    # name: (body, what the error says, where it says it is)
    "malformed": (b'{"eventType": "METERING_VALUES_COLLECTED", ', "not JSON", "metering"),
    "not utf-8": (b'{"eventId": "\xff\xfe"}', "not JSON", "metering"),
    "xml instead of json": (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
                            "not JSON", "metering"),
    "nesting bomb": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply", "metering"),
    "50 MB body": (b'{"eventId": "' + b"x" * (50 * 1024 * 1024) + b'"}', "more than the limit",
                   "metering"),
    "not an object": (b'"METERING_VALUES_COLLECTED"', "JSON object", "metering"),
    "unknown event type": (changed(lambda e: e.update(eventType="EXPLODED")),
                           "unknown eventType", "/eventType"),
    "wrong type": (changed(lambda e: e["values"][0].update(pos="one")),
                   "type='integer'", "/values/0/pos"),
    "extra field": (changed(lambda e: e.update(debug=True)),
                    "Additional properties", "meteringvalues-event"),
    "extra nested field": (changed(lambda e: e["meteringPoint"].update(owner="Kari")),
                           "Additional properties", "/meteringPoint"),
    "unknown quality": (changed(lambda e: e["values"][0].update(status="GUESSED")),
                        "allowed values", "/values/0/status"),
    "too many decimals": (changed(lambda e: e["values"][0].update(qty="1.23456789")),
                          "pattern", "/values/0/qty"),
    "bad check digit": (changed(_bad_check_digit), "check digit", "gsrn"),
    "positions with a gap": (changed(lambda e: e["values"].pop(5)), "without gaps", "payload"),
    "unknown day": (changed(lambda e: e.update(day="2024-02-30")), "", "day"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_document_is_named_and_the_next_good_one_flows(name: str) -> None:
    body, what, where = HOSTILE[name]
    with pytest.raises(InvalidMessage) as info:
        MeteringConnector.translate_event(body)
    text = str(info.value)
    assert what in text and where in text, text
    assert GSRN not in text  # personal data is not repeated in errors
    (message,) = MeteringConnector.translate_event(json.dumps(good()).encode())
    assert message.payload["gsrn"] == GSRN


def test_a_list_of_documents_names_the_bad_one() -> None:
    body = json.dumps([good(), {"eventType": "EXPLODED"}]).encode()
    with pytest.raises(InvalidMessage, match=r"metering document\[1\]"):
        MeteringConnector.to_canonical(body)


def test_the_size_limit_is_checked_before_parsing() -> None:
    with pytest.raises(InvalidMessage, match="more than the limit of 10"):
        wire.parse_json(b" " * 11, where="test", max_bytes=10)


@pytest.fixture
def sim() -> Iterator[MeteringSimulator]:
    simulator = MeteringSimulator(token=TOKEN)  # no broker: the feed carries the events
    simulator.start()
    yield simulator
    simulator.stop()


def test_hostile_events_on_the_feed_are_set_aside_and_the_good_one_arrives(
        sim: MeteringSimulator, tmp_path: Path) -> None:
    inbound = RecordingInbound()
    conn = MeteringConnector(settings_for(sim, "unused", events="http",
                                          state_dir=str(tmp_path)), inbound)
    for name in ("wrong type", "extra field", "bad check digit", "malformed"):
        sim.publish_raw(HOSTILE[name][0])
    sim.publish_metering_values(GSRN, DAY)
    assert conn.poller is not None
    assert conn.poller.poll_once() == 5
    assert [m.payload["gsrn"] for m in inbound.messages] == [GSRN]
    reasons = [str(error) for _, error, _ in inbound.rejected]
    assert len(reasons) == 4 and all("metering event" in r for r in reasons)
    assert all(GSRN not in r for r in reasons)
    bodies = [json.loads(body)["event"] for body, _, _ in inbound.rejected]
    assert bodies[:3] == [json.loads(HOSTILE[name][0])
                          for name in ("wrong type", "extra field", "bad check digit")]


def test_wrong_credentials_on_the_feed_are_refused_and_right_ones_read(
        sim: MeteringSimulator, tmp_path: Path) -> None:
    sim.publish_metering_values(GSRN, DAY)
    wrong = MeteringConnector(settings_for(sim, "unused", events="http", token="wrong"),
                              RecordingInbound())
    with pytest.raises(TargetRejected) as info:
        wrong.fetch_events(None, 10)
    assert info.value.remote is not None and info.value.remote.status == "401"
    right = MeteringConnector(settings_for(sim, "unused", events="http"), RecordingInbound())
    batch = right.fetch_events(None, 10)
    assert [m.payload["gsrn"] for m in batch.messages] == [GSRN]


def test_a_runaway_answer_from_the_coordinator_is_refused_unread(tmp_path: Path) -> None:
    with canned("application/json") as fake:
        fake.answer = (200, b'{"events": ["' + b"x" * wire.MAX_JSON_BYTES + b'"]}')
        conn = MeteringConnector({"base_url": fake.url, "token": TOKEN, "events": "http",
                                  "state_dir": str(tmp_path)}, RecordingInbound())
        with pytest.raises(InvalidMessage) as info:
            conn.fetch_events(None, 10)
    assert "answer larger than" in info.value.message
    assert (info.value.where or "").startswith(f"GET {fake.url}/api/v1/events")
