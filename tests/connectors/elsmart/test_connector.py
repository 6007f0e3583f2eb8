"""Outbound over real sockets: gridhub calls the simulated portal with zeep."""

from __future__ import annotations

import socket

import pytest

from connectors.elsmart import ElsmartConnector
from hub.errors import (
    ConfigurationError,
    InvalidMessage,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
)
from tests.connectors.elsmart.conftest import PORTAL_USER, RecordingInbound
from tests.factories import envelope, grid_data, swedish_case

CASE = swedish_case()


def test_approval_reaches_the_portal_with_grid_data(connector, portal):
    assert connector.deliver(envelope("case.approved", CASE)) == []
    case = portal.state.snapshot()["cases"]["SE-1000"]
    assert case["status"] == "approved"
    assert case["status_label"] == "Installationsmedgivande"
    assert case["grid_data"] == grid_data().model_dump(mode="json")


@pytest.mark.parametrize(("type_", "status", "note_subject"), [
    ("case.rejected", "pre_rejected", "Avvisad"),
    ("case.completion.rejected", "completion_rejected", "Avvisad"),
    ("case.completion.approved", "completion_approved", None),
    ("case.archived", "archived", None),
])
def test_status_changes_reach_the_portal(connector, portal, type_, status, note_subject):
    connector.deliver(envelope(type_, CASE))
    case = portal.state.snapshot()["cases"]["SE-1000"]
    assert case["status"] == status
    assert [n["subject"] for n in case["notes"]] == ([note_subject] if note_subject else [])


def test_note_side_track_and_lookup_answer_reach_the_portal(connector, portal):
    connector.deliver(envelope("case.note.added", CASE))
    connector.deliver(envelope("case.sidetrack.updated", CASE,
                               payload={"track": "work_order", "state": "created",
                                        "set_flags": ["on_hold"]}))
    connector.deliver(envelope("facility.lookup.answered", CASE))
    case = portal.state.snapshot()["cases"]["SE-1000"]
    assert case["notes"][0]["text"] == "När kan mätaren sättas upp?"
    assert case["side_tracks"] == {"work_order": "created"}
    assert "on_hold" in case["flags"]
    assert case["lookup_answers"][0]["status_code"] == 100
    assert "personal_number" not in case["lookup_answers"][0]["customer"]


def test_redelivery_is_applied_once(connector, portal):
    message = envelope("case.note.added", CASE)
    connector.deliver(message)
    connector.deliver(message)
    assert len(portal.state.snapshot()["cases"]["SE-1000"]["notes"]) == 1


def test_inbound_only_types_are_not_delivered(connector):
    with pytest.raises(InvalidMessage, match="goes from the portal to gridhub"):
        connector.deliver(envelope("case.submitted", CASE))


def test_server_fault_is_transient_with_fault_kept(connector, portal):
    portal.fail("5xx")
    with pytest.raises(TargetServerError) as info:
        connector.deliver(envelope("case.archived", CASE))
    assert info.value.remote.kind == "soap"
    assert info.value.remote.status == "Server"
    assert "portal database unavailable" in info.value.remote.message


def test_client_fault_is_permanent(connector, portal):
    portal.fail("soap-fault")
    with pytest.raises(TargetRejected) as info:
        connector.deliver(envelope("case.archived", CASE))
    assert info.value.remote.status == "Client"


def test_http_4xx_is_permanent_and_5xx_without_fault_transient(connector, portal):
    portal.fail("reject")
    with pytest.raises(TargetRejected) as info:
        connector.deliver(envelope("case.archived", CASE))
    assert (info.value.remote.kind, info.value.remote.status) == ("http", "422")
    portal.fail("5xx", status=503)
    with pytest.raises(TargetServerError) as info:
        connector.deliver(envelope("case.archived", CASE))
    assert info.value.remote.status == "503"
    assert "bad day" in info.value.remote.body_excerpt
    portal.fail("reject", status=429)
    with pytest.raises(TargetServerError):
        connector.deliver(envelope("case.archived", CASE))


def test_wrong_portal_credentials_are_permanent(portal):
    conn = ElsmartConnector({"url": portal.soap_url, "username": PORTAL_USER,
                             "password": "wrong", "timeout": 1}, RecordingInbound())
    with pytest.raises(TargetRejected, match="HTTP 401"):
        conn.deliver(envelope("case.archived", CASE))


def test_slow_portal_times_out_transiently(connector, portal):
    portal.fail("slow")
    with pytest.raises(TargetTimeout, match="1s"):
        connector.deliver(envelope("case.archived", CASE))


def test_down_portal_is_unavailable_then_recovers(connector, portal):
    portal.fail("down")
    with pytest.raises(TargetUnavailable):
        connector.deliver(envelope("case.archived", CASE))
    portal.fail("none")
    assert connector.deliver(envelope("case.archived", CASE)) == []


def test_refused_connection_is_transient_and_unreachable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conn = ElsmartConnector({"url": f"http://127.0.0.1:{port}/portal", "timeout": 1},
                            RecordingInbound())
    assert conn.reachable() is False
    with pytest.raises(TargetUnavailable, match="cannot reach the portal"):
        conn.deliver(envelope("case.archived", CASE))


def test_reachable_when_portal_listens(connector):
    assert connector.reachable() is True


def test_no_url_is_a_configuration_error_at_delivery():
    conn = ElsmartConnector({}, RecordingInbound())
    with pytest.raises(ConfigurationError, match="no portal url"):
        conn.deliver(envelope("case.archived", CASE))
